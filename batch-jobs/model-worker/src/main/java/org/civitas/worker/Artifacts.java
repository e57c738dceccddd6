package org.civitas.worker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Model artifacts named in a manifest: {@code classpath:name} (shipped with the worker),
 * {@code sha256:<hex>} (an operator's artifact the coordinator distributes, which the site fetched
 * into its artifact folder under its hash) or a file path.
 */
final class Artifacts {

    private Artifacts() {
    }

    /**
     * The artifact's bytes.
     *
     * @param field          the manifest field that names it, for the error message
     * @param expectedSha256 checked when not null
     * @throws IllegalArgumentException naming the field when the artifact is missing or its hash differs
     */
    static byte[] read(String location, String field, String expectedSha256) {
        byte[] bytes;
        try {
            if (location.startsWith("classpath:")) {
                String resource = location.substring("classpath:".length());
                try (InputStream in = Artifacts.class.getClassLoader().getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IllegalArgumentException(field + ": '" + location + "' is not on the worker's class path");
                    }
                    bytes = in.readAllBytes();
                }
            } else {
                bytes = Files.readAllBytes(Path.of(location));
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(field + ": file '" + location + "' does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException(field + ": cannot read '" + location + "': " + e.getMessage());
        }
        if (expectedSha256 != null) {
            String actual = sha256(bytes);
            if (!actual.equals(expectedSha256)) {
                throw new IllegalArgumentException(field + ": '" + location + "' has sha256 " + actual + ", the manifest says "
                        + expectedSha256);
            }
        }
        return bytes;
    }

    /** Where an artifact named {@code sha256:<hex>} lies: in the artifact folder, under its hash. */
    static String locate(String location, String artifactDir) {
        if (!location.startsWith("sha256:")) {
            return location;
        }
        if (artifactDir == null) {
            throw new IllegalArgumentException("the worker has no artifact folder for '" + location + "' (civitas.worker.artifacts)");
        }
        return Path.of(artifactDir).resolve(location.substring("sha256:".length())).toString();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
