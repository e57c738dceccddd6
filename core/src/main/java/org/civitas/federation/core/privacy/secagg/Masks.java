package org.civitas.federation.core.privacy.secagg;

import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/** Mask expansion: a 32-byte seed becomes a stream of ring elements, ChaCha20 of zeros. */
final class Masks {

    private static final int CHUNK = 1 << 16;

    private Masks() {
    }

    /** {@code length} pseudo-random ints from the seed, the same for the same seed and round. */
    static int[] expand(byte[] seed, long round, int length) {
        try {
            Cipher chacha = Cipher.getInstance("ChaCha20");
            byte[] nonce = ByteBuffer.allocate(12).putInt(0x43495649).putLong(round).array();
            chacha.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "ChaCha20"), new ChaCha20ParameterSpec(nonce, 0));
            int[] out = new int[length];
            byte[] zeros = new byte[CHUNK * 4];
            int done = 0;
            while (done < length) {
                int n = Math.min(CHUNK, length - done);
                byte[] stream = chacha.update(zeros, 0, n * 4);
                ByteBuffer.wrap(stream).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out, done, n);
                done += n;
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20 is not available", e);
        }
    }

    /** The pairwise seed two sites derive from their X25519 shared secret. */
    static byte[] pairSeed(byte[] sharedSecret, long round) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(sharedSecret);
            sha.update("civitas secure aggregation pair mask".getBytes(StandardCharsets.US_ASCII));
            sha.update(ByteBuffer.allocate(8).putLong(round).array());
            return sha.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One mask to add: its seed and whether it is added or subtracted. */
    record Term(byte[] seed, int sign) {
    }

    /**
     * Adds every mask to acc, expanding them on all cores: each worker expands its share of the
     * masks into a partial sum of its own (expansion, not addition, is where the time goes).
     */
    static void addAll(int[] acc, java.util.List<Term> terms, long round) {
        int workers = Math.max(1, Math.min(terms.size(), Runtime.getRuntime().availableProcessors()));
        java.util.List<int[]> partials = java.util.stream.IntStream.range(0, workers).parallel().mapToObj(w -> {
            int[] partial = new int[acc.length];
            for (int k = w; k < terms.size(); k += workers) {
                add(partial, expand(terms.get(k).seed(), round, acc.length), terms.get(k).sign());
            }
            return partial;
        }).toList();
        for (int[] partial : partials) {
            add(acc, partial, 1);
        }
    }

    static void add(int[] acc, int[] mask, int sign) {
        for (int i = 0; i < acc.length; i++) {
            acc[i] += sign * mask[i];
        }
    }
}
