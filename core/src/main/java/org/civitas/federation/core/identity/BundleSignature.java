package org.civitas.federation.core.identity;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 signatures over a model bundle's descriptor, the coordinator's word that the bundle holds
 * a version it released. The descriptor names every other file of the bundle by its SHA-256, so
 * signing its exact bytes signs them all. What is signed is {@code civitas-bundle-v1|sha256(descriptor)}:
 * the prefix keeps a bundle signature from ever passing for an update's, or the reverse.
 */
public final class BundleSignature {

    private BundleSignature() {
    }

    static byte[] message(byte[] descriptor) {
        return ("civitas-bundle-v1|" + sha256(descriptor)).getBytes(StandardCharsets.UTF_8);
    }

    /** The signature, Base64. */
    public static String sign(PrivateKey key, byte[] descriptor) {
        try {
            Signature s = Signature.getInstance(UpdateSignature.ALGORITHM);
            s.initSign(key);
            s.update(message(descriptor));
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the bundle", e);
        }
    }

    /** Whether the signature (Base64) verifies under the public key; malformed input does not. */
    public static boolean verify(PublicKey key, String signature, byte[] descriptor) {
        try {
            Signature s = Signature.getInstance(UpdateSignature.ALGORITHM);
            s.initVerify(key);
            s.update(message(descriptor));
            return s.verify(Base64.getDecoder().decode(signature.strip()));
        } catch (GeneralSecurityException | IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
