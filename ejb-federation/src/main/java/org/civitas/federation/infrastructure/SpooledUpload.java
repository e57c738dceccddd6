package org.civitas.federation.infrastructure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An upload's bytes as they arrived, written to a file while they were hashed and counted, so the
 * coordinator never holds an update whole on its heap. Closing it deletes the file unless it was
 * moved into a blob store.
 */
public record SpooledUpload(Path file, String sha256, long sizeBytes) implements AutoCloseable {

    /** The bytes, mapped read-only from the file. */
    public ByteBuffer map() {
        try {
            return BlobStore.mapped(file);
        } catch (IOException e) {
            throw new UncheckedIOException("the spooled upload " + file + " cannot be read", e);
        }
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the spooled upload " + file, e);
        }
    }
}
