package org.civitas.federation.infrastructure;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Model artifacts an operator supplies (an ONNX image encoder), kept in this server's artifact
 * folder under their SHA-256: the coordinator keeps what was uploaded to it, a site what it fetched
 * from the coordinator. A file gets there only once its bytes hashed to its name; the model worker
 * reads from the same folder and checks the hash again.
 */
@ApplicationScoped
public class ArtifactFiles {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** The hash the bytes turned out to have, when it is not the one expected. */
    public static final class HashMismatchException extends RuntimeException {
        private final String actual;

        HashMismatchException(String expected, String actual) {
            super("the bytes hash to " + actual + ", not " + expected);
            this.actual = actual;
        }

        public String actual() {
            return actual;
        }
    }

    @Inject
    CivitasSettings settings;

    public boolean has(String sha256) {
        return SHA256.matcher(sha256).matches() && Files.isRegularFile(path(sha256));
    }

    public Path path(String sha256) {
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a sha256: " + sha256);
        }
        return settings.artifactDir().resolve(sha256);
    }

    /**
     * Streams the bytes to a temporary file while hashing them, and keeps the file under {@code expected}
     * only if that is their hash; the heap never holds the artifact.
     *
     * @return the number of bytes kept
     * @throws HashMismatchException when the bytes hash otherwise (nothing is kept)
     */
    public long put(InputStream in, String expected) {
        Path target = path(expected);
        Path tmp = target.resolveSibling(expected + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.createDirectories(target.getParent());
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            long size;
            try (DigestInputStream hashing = new DigestInputStream(in, digest)) {
                size = Files.copy(hashing, tmp);
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(expected)) {
                throw new HashMismatchException(expected, actual);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return size;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep artifact " + expected + " in " + target.getParent(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                // a leftover temporary file is never read
            }
        }
    }
}
