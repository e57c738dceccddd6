package org.civitas.federation.core.privacy.secagg;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Shamir secret sharing of 32-byte secrets over the prime field of p = 2^521 − 1: any t shares
 * give the secret back, fewer say nothing about it.
 */
public final class Shamir {

    static final BigInteger PRIME = BigInteger.TWO.pow(521).subtract(BigInteger.ONE);

    /** One share: the polynomial's value at x (x ≥ 1; the secret is its value at 0). */
    public record Share(int x, BigInteger y) {
    }

    private Shamir() {
    }

    public static List<Share> split(byte[] secret, int shares, int threshold, SecureRandom random) {
        if (threshold < 1 || threshold > shares) {
            throw new IllegalArgumentException("threshold must be in [1, " + shares + "], was " + threshold);
        }
        BigInteger[] coefficients = new BigInteger[threshold];
        coefficients[0] = new BigInteger(1, secret);
        for (int i = 1; i < threshold; i++) {
            coefficients[i] = new BigInteger(520, random);
        }
        List<Share> out = new ArrayList<>();
        for (int x = 1; x <= shares; x++) {
            BigInteger bx = BigInteger.valueOf(x);
            BigInteger y = BigInteger.ZERO;
            for (int i = threshold - 1; i >= 0; i--) {
                y = y.multiply(bx).add(coefficients[i]).mod(PRIME);
            }
            out.add(new Share(x, y));
        }
        return out;
    }

    /** The secret from at least {@code threshold} distinct shares (Lagrange interpolation at 0). */
    public static byte[] combine(List<Share> shares, int threshold) {
        Set<Integer> xs = new HashSet<>();
        shares.forEach(s -> xs.add(s.x()));
        if (xs.size() < threshold) {
            throw new IllegalArgumentException("need " + threshold + " distinct shares, got " + xs.size());
        }
        List<Share> use = shares.subList(0, threshold);
        BigInteger secret = BigInteger.ZERO;
        for (Share si : use) {
            BigInteger num = BigInteger.ONE;
            BigInteger den = BigInteger.ONE;
            for (Share sj : use) {
                if (sj.x() != si.x()) {
                    num = num.multiply(BigInteger.valueOf(-sj.x())).mod(PRIME);
                    den = den.multiply(BigInteger.valueOf(si.x() - sj.x())).mod(PRIME);
                }
            }
            secret = secret.add(si.y().multiply(num).multiply(den.modInverse(PRIME))).mod(PRIME);
        }
        byte[] raw = secret.toByteArray();
        byte[] out = new byte[32];
        int copy = Math.min(32, raw.length);
        System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
        return out;
    }
}
