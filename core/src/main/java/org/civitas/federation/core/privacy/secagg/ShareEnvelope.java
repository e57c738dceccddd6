package org.civitas.federation.core.privacy.secagg;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * The shares one site sends another, sealed with AES-256-GCM under a key both derive from their
 * encryption key pairs (X25519), so the coordinator that relays them learns nothing. The context
 * (federation, round, sender, recipient) is authenticated: a sealed share cannot be replayed into
 * another round or redirected to another site.
 */
public final class ShareEnvelope {

    private static final int NONCE_BYTES = 12;

    private ShareEnvelope() {
    }

    /** The context every envelope of a round is bound to. */
    public static String context(long federationId, int round, int from, int to) {
        return "civitas shares federation " + federationId + " round " + round + " from " + from + " to " + to;
    }

    public static String seal(MaskingSite.Secrets sender, BigInteger recipientEncryptionKey, String context,
                              MaskingSite.SharesFor shares, SecureRandom random) {
        String plain = shares.holder() + ":" + shares.selfMaskSeed().x() + ":" + shares.selfMaskSeed().y().toString(16) + ":"
                + shares.privateKey().x() + ":" + shares.privateKey().y().toString(16);
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] sealed = cipher(Cipher.ENCRYPT_MODE, sender, recipientEncryptionKey, context, nonce)
                .apply(plain.getBytes(StandardCharsets.US_ASCII));
        byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
        System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
        return Base64.getEncoder().encodeToString(out);
    }

    /**
     * Opens an envelope addressed to the recipient.
     *
     * @throws IllegalArgumentException when it was altered, sealed for another context or recipient, or is not an envelope
     */
    public static MaskingSite.SharesFor open(MaskingSite.Secrets recipient, BigInteger senderEncryptionKey, String context,
                                             String envelope) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(envelope);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("share envelope is not base64");
        }
        if (raw.length <= NONCE_BYTES + 16) {
            throw new IllegalArgumentException("share envelope is too short");
        }
        byte[] plain = cipher(Cipher.DECRYPT_MODE, recipient, senderEncryptionKey, context, Arrays.copyOf(raw, NONCE_BYTES))
                .apply(Arrays.copyOfRange(raw, NONCE_BYTES, raw.length));
        String[] f = new String(plain, StandardCharsets.US_ASCII).split(":");
        if (f.length != 5) {
            throw new IllegalArgumentException("share envelope holds " + f.length + " fields, expected 5");
        }
        return new MaskingSite.SharesFor(Integer.parseInt(f[0]), new Shamir.Share(Integer.parseInt(f[1]), new BigInteger(f[2], 16)),
                new Shamir.Share(Integer.parseInt(f[3]), new BigInteger(f[4], 16)));
    }

    private interface Transform {
        byte[] apply(byte[] in);
    }

    private static Transform cipher(int mode, MaskingSite.Secrets own, BigInteger peer, String context, byte[] nonce) {
        byte[] shared = MaskingSite.agree(own.encryptionKey(), MaskingSite.publicKeyOf(peer));
        return in -> {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update(shared);
                sha.update("civitas share envelope".getBytes(StandardCharsets.US_ASCII));
                Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                c.init(mode, new SecretKeySpec(sha.digest(), "AES"), new GCMParameterSpec(128, nonce));
                c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
                return c.doFinal(in);
            } catch (javax.crypto.AEADBadTagException e) {
                throw new IllegalArgumentException("share envelope does not authenticate: altered, or sealed for another round or site");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM is not available", e);
            }
        };
    }
}
