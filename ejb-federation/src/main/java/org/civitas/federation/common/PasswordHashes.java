package org.civitas.federation.common;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Password hashes: PBKDF2 with HMAC-SHA256 (the JDK's), a random 16-byte salt per password, and
 * the iteration count stored with the hash ({@code pbkdf2-sha256:iterations:salt:hash}, base64), so
 * it can be raised later without invalidating stored hashes.
 */
public final class PasswordHashes {

    public static final int ITERATIONS = 210_000;
    private static final String PREFIX = "pbkdf2-sha256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHashes() {
    }

    public static String hash(char[] password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return encode(ITERATIONS, salt, derive(password, salt, ITERATIONS));
    }

    /** Whether the password matches the stored hash; a malformed hash matches nothing. */
    public static boolean matches(char[] password, String stored) {
        String[] f = stored == null ? new String[0] : stored.split(":");
        if (f.length != 4 || !PREFIX.equals(f[0])) {
            return false;
        }
        try {
            int iterations = Integer.parseInt(f[1]);
            byte[] salt = Base64.getDecoder().decode(f[2]);
            byte[] expected = Base64.getDecoder().decode(f[3]);
            return MessageDigest.isEqual(expected, derive(password, salt, iterations));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String encode(int iterations, byte[] salt, byte[] hash) {
        Base64.Encoder b64 = Base64.getEncoder();
        return PREFIX + ":" + iterations + ":" + b64.encodeToString(salt) + ":" + b64.encodeToString(hash);
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
            try {
                return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            } finally {
                spec.clearPassword();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
        }
    }
}
