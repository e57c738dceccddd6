package org.civitas.federation.core.identity;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Ed25519 signatures over an update, with the JDK's own implementation. What is signed binds the
 * update to its site, federation, round and nonce, and to the exact bytes of its tensors and its
 * metadata: {@code civitas-update-v1|site|federation|round|nonce|sha256(tensors)|sha256(metadata)}.
 * A fresh nonce per upload lets the coordinator refuse a recorded upload sent again.
 */
public final class UpdateSignature {

    public static final String ALGORITHM = "Ed25519";
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{16,64}");

    private UpdateSignature() {
    }

    public static KeyPair newKeyPair() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no " + ALGORITHM, e);
        }
    }

    /** A fresh random nonce: 24 bytes, URL-safe Base64. */
    public static String newNonce() {
        byte[] bytes = new byte[24];
        new java.security.SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static void requireNonce(String nonce) {
        if (nonce == null || !NONCE.matcher(nonce).matches()) {
            throw new IllegalArgumentException("a nonce is 16 to 64 characters of A-Z, a-z, 0-9, '-' and '_'");
        }
    }

    static byte[] message(String site, long federation, int round, String nonce, byte[] tensors, byte[] metadata) {
        return message(site, federation, round, nonce, sha256(tensors), metadata);
    }

    private static byte[] message(String site, long federation, int round, String nonce, String tensorsSha256, byte[] metadata) {
        return ("civitas-update-v1|" + site + "|" + federation + "|" + round + "|" + nonce + "|" + tensorsSha256 + "|" + sha256(metadata))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The signature, Base64. */
    public static String sign(PrivateKey key, String site, long federation, int round, String nonce, byte[] tensors, byte[] metadata) {
        return signHashed(key, site, federation, round, nonce, sha256(tensors), metadata);
    }

    /**
     * As {@link #sign(PrivateKey, String, long, int, String, byte[], byte[])}, given the tensors
     * part's SHA-256 (lower-case hex): a sender that streams its update from a file signs its hash.
     */
    public static String signHashed(PrivateKey key, String site, long federation, int round, String nonce, String tensorsSha256,
                                    byte[] metadata) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(message(site, federation, round, nonce, tensorsSha256, metadata));
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the update", e);
        }
    }

    /** Whether the signature (Base64) verifies under the public key; malformed input does not. */
    public static boolean verify(PublicKey key, String signature, String site, long federation, int round, String nonce, byte[] tensors,
                                 byte[] metadata) {
        return verifyHashed(key, signature, site, federation, round, nonce, sha256(tensors), metadata);
    }

    /**
     * As {@link #verify(PublicKey, String, String, long, int, String, byte[], byte[])}, given the
     * tensors part's SHA-256 (lower-case hex) rather than its bytes: the message signs that hash, so
     * a receiver that hashed the part while spooling it to disk never holds it whole.
     */
    public static boolean verifyHashed(PublicKey key, String signature, String site, long federation, int round, String nonce,
                                       String tensorsSha256, byte[] metadata) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(message(site, federation, round, nonce, tensorsSha256, metadata));
            return s.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** A public key in its X.509 encoding, Base64: what a site registers. */
    public static String encode(PublicKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    public static PublicKey publicKey(String base64) {
        try {
            PublicKey key = KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
            return key;
        } catch (GeneralSecurityException | IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("not an Ed25519 public key in X.509 encoding, Base64");
        }
    }

    public static PrivateKey privateKey(byte[] pkcs8) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 private key in PKCS#8 encoding", e);
        }
    }

    /** A short name for a public key: the first 16 hex digits of the SHA-256 of its encoding. */
    public static String fingerprint(String base64) {
        return sha256(Base64.getDecoder().decode(base64)).substring(0, 16);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
