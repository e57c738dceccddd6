package org.civitas.federation.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Passwords checked lately, so that an API client that sends its Basic credentials with every
 * request pays for the deliberately slow hash once every {@link #REMEMBER}, not on every request.
 * Kept by a digest of user, password and stored hash, never the password: a changed password or
 * hash is a new key. Each successful check renews the entry.
 */
final class VerifiedPasswords {

    static final Duration REMEMBER = Duration.ofMinutes(5);
    /** Entries kept at most before the expired ones are dropped. */
    private static final int MAX_ENTRIES = 10_000;

    private final Map<String, Instant> until = new ConcurrentHashMap<>();

    /** Whether this password was checked against this stored hash less than {@link #REMEMBER} ago. */
    boolean remembered(String username, String password, String storedHash, Instant now) {
        Instant expires = until.get(key(username, password, storedHash));
        return expires != null && now.isBefore(expires);
    }

    /** The password was just checked against the stored hash. */
    void remember(String username, String password, String storedHash, Instant now) {
        if (until.size() > MAX_ENTRIES) {
            until.entrySet().removeIf(e -> !now.isBefore(e.getValue()));
        }
        until.put(key(username, password, storedHash), now.plus(REMEMBER));
    }

    private static String key(String username, String password, String storedHash) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((username + '\0' + password + '\0' + storedHash).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
