package org.civitas.federation.infrastructure;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.civitas.domain.federation.UpdateRejectedException;

/** The coordinator's blob stores: global model versions, and the spooled updates of sites; and the spool uploads arrive in. */
@ApplicationScoped
public class CoordinatorStores {

    @Inject
    CivitasSettings settings;

    public BlobStore models() {
        return new BlobStore(settings.coordinatorDir().resolve("models"));
    }

    public BlobStore updates() {
        return new BlobStore(settings.coordinatorDir().resolve("updates"));
    }

    /**
     * Writes an upload's bytes to a file beside the update store (so storing it is a move), hashing
     * and counting them as they come.
     *
     * @throws UpdateRejectedException {@code TOO_LARGE} as soon as more than {@code maxBytes} arrived; nothing is left behind
     */
    public SpooledUpload spool(java.io.InputStream in, long maxBytes) {
        java.nio.file.Path dir = settings.coordinatorDir().resolve("incoming");
        java.nio.file.Path file = dir.resolve(java.util.UUID.randomUUID() + ".part");
        try {
            java.nio.file.Files.createDirectories(dir);
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            long total = 0;
            try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(file)) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    total += n;
                    if (total > maxBytes) {
                        throw new UpdateRejectedException(UpdateRejectedException.Reason.TOO_LARGE,
                                "update exceeds the limit of " + maxBytes + " bytes");
                    }
                    sha.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
            }
            return new SpooledUpload(file, java.util.HexFormat.of().formatHex(sha.digest()), total);
        } catch (java.io.IOException | RuntimeException e) {
            try {
                java.nio.file.Files.deleteIfExists(file);
            } catch (java.io.IOException ignored) {
                // The upload failed anyway; a leftover part file holds nothing anyone refers to.
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new java.io.UncheckedIOException("cannot spool an upload to " + dir, (java.io.IOException) e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
