package org.civitas.federation.core.privacy.secagg;

import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * Mask expansion: a 32-byte seed becomes a stream of ring elements, the keystream of the round's
 * {@link MaskFormat} (ChaCha20, or AES-256 in counter mode), little-endian 32-bit words.
 */
final class Masks {

    /** Ints expanded per cipher call: 256 KB of keystream, in cache while it is added. */
    private static final int CHUNK = 1 << 16;
    private static final VarHandle LITTLE_ENDIAN_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private Masks() {
    }

    /** {@code length} pseudo-random ints from the seed, the same for the same seed, round and format. */
    static int[] expand(MaskFormat format, byte[] seed, long round, int length) {
        int[] out = new int[length];
        addExpanded(out, format, seed, round, 1);
        return out;
    }

    /**
     * Adds the mask of the seed, times {@code sign}, to acc as it is expanded, a chunk at a time: no
     * mask is ever held whole, so adding one costs its keystream and one pass over acc.
     */
    static void addExpanded(int[] acc, MaskFormat format, byte[] seed, long round, int sign) {
        Cipher cipher = keystream(format, seed, round);
        byte[] zeros = new byte[CHUNK * 4];
        byte[] stream = new byte[CHUNK * 4];
        try {
            for (int done = 0; done < acc.length; done += CHUNK) {
                int n = Math.min(CHUNK, acc.length - done);
                int produced = cipher.update(zeros, 0, n * 4, stream, 0);
                if (produced != n * 4) {
                    throw new IllegalStateException(format.id() + " gave " + produced + " bytes of keystream for " + n * 4);
                }
                for (int i = 0; i < n; i++) {
                    acc[done + i] += sign * (int) LITTLE_ENDIAN_INT.get(stream, 4 * i);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(format.id() + " is not available", e);
        }
    }

    /** The format's cipher, keyed by the seed, its nonce or counter block naming the round. */
    private static Cipher keystream(MaskFormat format, byte[] seed, long round) {
        try {
            return switch (format) {
                case CHACHA20 -> {
                    Cipher chacha = Cipher.getInstance("ChaCha20");
                    byte[] nonce = ByteBuffer.allocate(12).putInt(0x43495649).putLong(round).array();
                    chacha.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "ChaCha20"), new ChaCha20ParameterSpec(nonce, 0));
                    yield chacha;
                }
                case AES_CTR -> {
                    Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
                    // The first counter block: "CIVI", the round, then a 32-bit block counter from 0 (2^32 blocks: 64 GiB of mask).
                    byte[] counter = ByteBuffer.allocate(16).putInt(0x43495649).putLong(round).putInt(0).array();
                    aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "AES"), new IvParameterSpec(counter));
                    yield aes;
                }
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(format.id() + " is not available", e);
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
     * Adds every mask to acc, expanding them on all cores: each worker adds its share of the masks
     * into a partial sum of its own as it expands them (expansion, not addition, used to be where
     * the time went).
     */
    static void addAll(int[] acc, java.util.List<Term> terms, long round, MaskFormat format) {
        int workers = Math.max(1, Math.min(terms.size(), Runtime.getRuntime().availableProcessors()));
        java.util.List<int[]> partials = java.util.stream.IntStream.range(0, workers).parallel().mapToObj(w -> {
            int[] partial = new int[acc.length];
            for (int k = w; k < terms.size(); k += workers) {
                addExpanded(partial, format, terms.get(k).seed(), round, terms.get(k).sign());
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
