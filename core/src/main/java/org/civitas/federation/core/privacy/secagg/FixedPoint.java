package org.civitas.federation.core.privacy.secagg;

/**
 * Floats as fixed-point integers in the ring of 32-bit integers (Java's int arithmetic wraps
 * modulo 2^32, which is the ring the masks live in).
 *
 * <p>Precision: a value is rounded to a multiple of 2^-f, so a sum of n values is off by at most
 * n·2^-(f+1). Overflow: the sum of the n sites' values must stay within ±2^(31−f); each site's
 * values are therefore bounded by 2^(31−f)/n, checked when encoding. With f = 16 and 100 sites:
 * resolution 1.5e-5, bound ±327 per value (clipped updates are far smaller).
 */
public final class FixedPoint {

    private final int fractionBits;
    private final double scale;

    public FixedPoint(int fractionBits) {
        if (fractionBits < 4 || fractionBits > 28) {
            throw new IllegalArgumentException("fraction bits must be in [4, 28], was " + fractionBits);
        }
        this.fractionBits = fractionBits;
        this.scale = Math.scalb(1.0, fractionBits);
    }

    /** The largest magnitude one of {@code sites} values may have so that their sum cannot overflow. */
    public double bound(int sites) {
        return Math.scalb(1.0, 31 - fractionBits) / sites;
    }

    public int[] encode(float[] values, int sites) {
        double bound = bound(sites);
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (!(Math.abs(v) < bound)) {
                throw new IllegalArgumentException("value " + v + " at index " + i + " exceeds the fixed-point bound " + bound
                        + " for " + sites + " sites (" + fractionBits + " fraction bits)");
            }
            out[i] = (int) Math.round(v * scale);
        }
        return out;
    }

    public float[] decode(int[] sum) {
        float[] out = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
            out[i] = (float) (sum[i] / scale);
        }
        return out;
    }

    public int fractionBits() {
        return fractionBits;
    }
}
