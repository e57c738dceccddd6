package org.civitas.federation.infrastructure;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.civitas.domain.federation.UpdateRejectedException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

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
    public SpooledUpload spool(InputStream in, long maxBytes) {
        Path dir = settings.coordinatorDir().resolve("incoming");
        Path file = dir.resolve(UUID.randomUUID() + ".part");
        boolean spooled = false;
        try {
            Files.createDirectories(dir);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long total = 0;
            try (OutputStream out = Files.newOutputStream(file)) {
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
            spooled = true;
            return new SpooledUpload(file, HexFormat.of().formatHex(sha.digest()), total);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spool an upload to " + dir, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            if (!spooled) {
                new SpooledUpload(file, null, 0).close();
            }
        }
    }
}
