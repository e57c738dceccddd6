package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;

import java.util.List;

/**
 * Adaptive server optimizers FedAdagrad, FedAdam and FedYogi: the sample-weighted mean update Δ
 * is treated as a pseudo-gradient step and fed to an adaptive optimizer on the server.
 *
 * <p>Reddi, Charles, Zaheer, Garrett, Rush, Konečný, Kumar, McMahan: "Adaptive Federated
 * Optimization", ICLR 2021 (Algorithm 2):
 * <pre>
 * m ← β1·m + (1−β1)·Δ
 * v ← v + Δ²                              (FedAdagrad)
 * v ← β2·v + (1−β2)·Δ²                    (FedAdam)
 * v ← v − (1−β2)·Δ²·sign(v − Δ²)          (FedYogi)
 * w ← w + η·m / (√v + τ)
 * </pre>
 * m and v start at zero (as in Flower's implementation) and are the server state, named
 * {@code m/<name>} and {@code v/<name>}, persisted between rounds.
 *
 * <p>FedAdam corrects the bias of the zero-started moments by default, as Flower's FedAdam does
 * (Kingma and Ba 2015, the step size α_t before their Section 2.1): the step becomes
 * η·√(1−β2^t)/(1−β1^t)·m/(√v + τ). The round count is Flower's: t = r + 1 for round r, rounds
 * counted from 1, so the first round uses t = 2; r is the round's own number, which also advances
 * past a round that failed. {@code biasCorrection = 0} gives the uncorrected form of Reddi et al.'s
 * Algorithm 2. FedAdagrad and FedYogi are uncorrected, as in the paper and in Flower.
 *
 * <p>Parameters: {@code eta} η in (0, 100], {@code beta1} in [0, 1), {@code beta2} in [0, 1) (not
 * used by FedAdagrad), {@code tau} τ in (0, 10], the adaptivity floor. Streams updates.
 */
public final class FedOpt implements Strategy {

    /** Which second-moment rule. */
    public enum Variant { ADAGRAD, ADAM, YOGI }

    public static final Range ETA = Range.positiveUpTo(100);
    /** Below 1: a decay of 1 never lets a moment take in a new update (and divides by zero in the correction). */
    public static final Range BETA = Range.closedOpen(0, 1);
    public static final Range TAU = Range.positiveUpTo(10);
    /** 1 for Flower's bias-corrected FedAdam, 0 for Reddi et al.'s uncorrected form. */
    public static final Range BIAS_CORRECTION = Range.wholeNumbers(0, 1);

    private final Variant variant;
    private final double eta;
    private final double beta1;
    private final double beta2;
    private final double tau;
    private final boolean biasCorrection;

    public FedOpt(Variant variant, double eta, double beta1, double beta2, double tau, boolean biasCorrection) {
        this.variant = variant;
        String label = "Fed" + variant.name().charAt(0) + variant.name().substring(1).toLowerCase(java.util.Locale.ROOT);
        this.eta = ETA.check(label, "eta", eta);
        this.beta1 = BETA.check(label, "beta1", beta1);
        this.beta2 = BETA.check(label, "beta2", beta2);
        this.tau = TAU.check(label, "tau", tau);
        if (biasCorrection && variant != Variant.ADAM) {
            throw new IllegalArgumentException(label + " has no bias correction; only FedAdam has");
        }
        this.biasCorrection = biasCorrection;
    }

    public static FedOpt adagrad(double eta, double beta1, double tau) {
        return new FedOpt(Variant.ADAGRAD, eta, beta1, 0, tau, false);
    }

    /** Flower's FedAdam, with bias correction. */
    public static FedOpt adam(double eta, double beta1, double beta2, double tau) {
        return adam(eta, beta1, beta2, tau, true);
    }

    public static FedOpt adam(double eta, double beta1, double beta2, double tau, boolean biasCorrection) {
        return new FedOpt(Variant.ADAM, eta, beta1, beta2, tau, biasCorrection);
    }

    public static FedOpt yogi(double eta, double beta1, double beta2, double tau) {
        return new FedOpt(Variant.YOGI, eta, beta1, beta2, tau, false);
    }

    /** η for round r: with bias correction η·√(1−β2^t)/(1−β1^t), t = r + 1 (Flower's count); else η. */
    double stepSize(int roundNumber) {
        if (!biasCorrection) {
            return eta;
        }
        double t = roundNumber + 1.0;
        return eta * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
    }

    @Override
    public boolean isMeanBased() {
        return true;
    }

    @Override
    public String name() {
        return switch (variant) {
            case ADAGRAD -> "fedadagrad";
            case ADAM -> "fedadam";
            case YOGI -> "fedyogi";
        };
    }

    @Override
    public AggregateResult aggregateFit(RoundContext context, NamedTensors global, Iterable<FitResult> results) {
        NamedTensors delta = Updates.streamingWeightedMean(context.roundNumber(), global, results);
        double step = stepSize(context.roundNumber());
        NamedTensors.Builder state = NamedTensors.builder();
        NamedTensors.Builder next = NamedTensors.builder();
        global.forEach((name, w) -> {
            float[] d = delta.get(name).values();
            float[] m = moment(context.serverState(), "m/" + name, w);
            float[] v = moment(context.serverState(), "v/" + name, w);
            float[] wv = w.values();
            float[] nm = new float[d.length];
            float[] nv = new float[d.length];
            float[] nw = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                double di = d[i];
                double d2 = di * di;
                double mi = beta1 * m[i] + (1 - beta1) * di;
                double vi = switch (variant) {
                    case ADAGRAD -> v[i] + d2;
                    case ADAM -> beta2 * v[i] + (1 - beta2) * d2;
                    case YOGI -> v[i] - (1 - beta2) * d2 * Math.signum(v[i] - d2);
                };
                nm[i] = (float) mi;
                nv[i] = (float) vi;
                nw[i] = (float) (wv[i] + step * mi / (Math.sqrt(vi) + tau));
            }
            state.put("m/" + name, new Tensor(w.shape(), nm));
            state.put("v/" + name, new Tensor(w.shape(), nv));
            next.put(name, new Tensor(w.shape(), nw));
        });
        return new AggregateResult(next.build(), state.build(), List.of());
    }

    private static float[] moment(NamedTensors state, String key, Tensor like) {
        if (state != null && state.contains(key) && state.get(key).hasShape(like.shape())) {
            return state.get(key).values();
        }
        return new float[like.size()];
    }
}
