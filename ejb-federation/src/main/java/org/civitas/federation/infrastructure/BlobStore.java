package org.civitas.federation.infrastructure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Content-addressed files: a blob is stored under the SHA-256 of its bytes, written to a temporary
 * file first and moved into place, so a reader never sees half a blob and a rolled-back
 * transaction leaves at most an unreferenced file.
 */
public final class BlobStore {

    private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");

    /** Where a blob went. */
    public record Stored(String key, long sizeBytes) {
    }

    private final Path root;

    public BlobStore(Path root) {
        this.root = root;
    }

    public Stored put(byte[] bytes) {
        String key = sha256(bytes);
        Path target = path(key);
        try {
            Files.createDirectories(root);
            if (!Files.exists(target)) {
                Path tmp = root.resolve(key + "." + UUID.randomUUID() + ".tmp");
                Files.write(tmp, bytes);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store blob in " + root, e);
        }
        return new Stored(key, bytes.length);
    }

    /**
     * Stores a file already written elsewhere on the same file system (a spooled upload) under
     * {@code sha256}, its bytes' hash, which the caller computed while writing it: the file is moved,
     * not read. A blob already stored under that hash is kept and the file deleted.
     */
    public Stored put(Path file, String sha256) {
        Path target = path(sha256);
        try {
            Files.createDirectories(root);
            long size = Files.size(file);
            if (Files.exists(target)) {
                Files.delete(file);
            } else {
                Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return new Stored(sha256, size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store blob in " + root, e);
        }
    }

    /** A blob's bytes mapped read-only from its file: off the heap, however large the blob. */
    public java.nio.ByteBuffer map(String key) {
        Path file = path(key);
        try {
            return mapped(file);
        } catch (IOException e) {
            throw new UncheckedIOException("blob " + key + " is missing from " + root, e);
        }
    }

    /** A file's bytes mapped read-only. */
    static java.nio.ByteBuffer mapped(Path file) throws IOException {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
            return channel.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, channel.size());
        }
    }

    /** A blob's file, to stream it to a caller without holding it on the heap. */
    public Path file(String key) {
        Path file = path(key);
        if (!Files.isRegularFile(file)) {
            throw new UncheckedIOException(new java.io.FileNotFoundException("blob " + key + " is missing from " + root));
        }
        return file;
    }

    public byte[] get(String key) {
        Path file = path(key);
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("blob " + key + " is missing from " + root, e);
        }
    }

    /** Deletes a blob; answers whether it was there. */
    public boolean delete(String key) {
        Path file = path(key);
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete blob " + key + " from " + root, e);
        }
    }

    /** The file of the blob under a key, once the key is known to be a SHA-256 (no path can hide in it). */
    private Path path(String key) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("not a blob key: " + key);
        }
        return root.resolve(key + ".safetensors");
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
