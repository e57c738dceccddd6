package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;

/**
 * FedAvgM: FedAvg with server momentum. With d the sample-weighted mean update,
 * v ← β·v + d and w ← w + η·v.
 *
 * <p>Hsu, Qi, Brown: "Measuring the Effects of Non-Identical Data Distribution for Federated
 * Visual Classification", 2019.
 *
 * <p>Parameters: {@code serverLearningRate} η in (0, 100] (default 1), {@code momentum} β in [0, 1)
 * (default 0.9). Server state: the velocity v, one tensor per parameter, named {@code momentum/<name>}.
 * Streams updates.
 */
public final class FedAvgM implements Strategy {

    static final String PREFIX = "momentum/";

    public static final Range SERVER_LEARNING_RATE = Range.positiveUpTo(100);
    /** Below 1: at 1 the velocity never decays and the server steps grow without bound. */
    public static final Range MOMENTUM = Range.closedOpen(0, 1);

    private final double serverLearningRate;
    private final double momentum;

    public FedAvgM(double serverLearningRate, double momentum) {
        this.serverLearningRate = SERVER_LEARNING_RATE.check("FedAvgM", "serverLearningRate", serverLearningRate);
        this.momentum = MOMENTUM.check("FedAvgM", "momentum", momentum);
    }

    @Override
    public boolean isMeanBased() {
        return true;
    }

    @Override
    public String name() {
        return "fedavgm";
    }

    @Override
    public AggregateResult aggregateFit(RoundContext context, NamedTensors global, Iterable<FitResult> results) {
        NamedTensors mean = Updates.streamingWeightedMean(context.roundNumber(), global, results);
        NamedTensors.Builder velocity = NamedTensors.builder();
        NamedTensors.Builder next = NamedTensors.builder();
        global.forEach((name, w) -> {
            float[] d = mean.get(name).values();
            float[] v = previous(context.serverState(), name, w);
            float[] wv = w.values();
            float[] nv = new float[d.length];
            float[] nw = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                nv[i] = (float) (momentum * v[i] + d[i]);
                nw[i] = (float) (wv[i] + serverLearningRate * nv[i]);
            }
            velocity.put(PREFIX + name, new Tensor(w.shape(), nv));
            next.put(name, new Tensor(w.shape(), nw));
        });
        return new AggregateResult(next.build(), velocity.build(), java.util.List.of());
    }

    private static float[] previous(NamedTensors state, String name, Tensor like) {
        if (state != null && state.contains(PREFIX + name) && state.get(PREFIX + name).hasShape(like.shape())) {
            return state.get(PREFIX + name).values();
        }
        return new float[like.size()];
    }
}
