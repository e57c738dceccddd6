package org.civitas.federation.core.privacy;

import org.civitas.federation.core.aggregation.Updates;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;

import java.security.SecureRandom;
import java.util.SplittableRandom;

/**
 * What a site does to its update before it leaves, under client-level differential privacy:
 * clip it to L2 norm C, and (when the noise is split across sites) add its share of the Gaussian
 * noise. Noise comes from a fast generator seeded from {@link SecureRandom}, so it cannot be
 * predicted from outside.
 */
public final class UpdatePrivacy {

    private UpdatePrivacy() {
    }

    /** The update scaled down to norm {@code clipNorm} if it is longer; unchanged otherwise. */
    public static NamedTensors clip(NamedTensors update, double clipNorm) {
        if (!(clipNorm > 0)) {
            throw new IllegalArgumentException("clip norm must be positive, was " + clipNorm);
        }
        double norm = Updates.norm(update);
        return norm <= clipNorm ? update : Updates.scaled(update, (float) (clipNorm / norm));
    }

    /** A copy of the tensors with independent N(0, stddev²) noise on every value. */
    public static NamedTensors addGaussianNoise(NamedTensors tensors, double stddev, SplittableRandom random) {
        if (!(stddev >= 0)) {
            throw new IllegalArgumentException("noise standard deviation must not be negative, was " + stddev);
        }
        NamedTensors.Builder b = NamedTensors.builder();
        tensors.forEach((name, t) -> {
            float[] v = t.values();
            float[] out = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = (float) (v[i] + stddev * gaussian(random));
            }
            b.put(name, new Tensor(t.shape(), out));
        });
        return b.build();
    }

    /**
     * A site's private update for a round where the noise is split across the {@code sites}
     * participants: clipped to C, plus N(0, σ²C²/sites), so that the sum of all sites' updates carries
     * N(0, σ²C²) and no party ever sees an un-noised sum.
     */
    public static NamedTensors privatise(NamedTensors update, double clipNorm, double noiseMultiplier, int sites) {
        if (sites < 1) {
            throw new IllegalArgumentException("sites must be at least 1, was " + sites);
        }
        return addGaussianNoise(clip(update, clipNorm), noiseMultiplier * clipNorm / Math.sqrt(sites), secureSeeded());
    }

    public static SplittableRandom secureSeeded() {
        return new SplittableRandom(new SecureRandom().nextLong());
    }

    /** A standard normal draw (Marsaglia's polar method). */
    static double gaussian(SplittableRandom r) {
        double u;
        double v;
        double s;
        do {
            u = 2 * r.nextDouble() - 1;
            v = 2 * r.nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        return u * Math.sqrt(-2 * Math.log(s) / s);
    }
}
