package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A pre-fusion filter: wraps a strategy and leaves out every update whose cosine similarity to a
 * robust centre of the round (the coordinate-wise median of all updates) is below a threshold,
 * so that updates pointing away from the consensus (poisoned, or trained on the wrong task) do not
 * reach the aggregation rule. In the spirit of FedDRL's filtering of malicious models before fusion.
 *
 * <p>Nguyen, Nguyen, Le, Nguyen, Nguyen, Kim: "FedDRL: Deep Reinforcement Learning-based Adaptive
 * Aggregation for Non-IID Data in Federated Learning", ICPP 2022.
 *
 * <p>Parameter {@code minCosine} in [-1, 1]. Memory: all updates at once, O(sites x model).
 */
public final class CosineFilter extends StrategyWrapper {

    /** Cosine similarities run from -1 to 1; 1 keeps only updates pointing exactly with the centre. */
    public static final Range MIN_COSINE = Range.closed(-1, 1);

    private final double minCosine;

    public CosineFilter(Strategy inner, double minCosine) {
        super(inner);
        this.minCosine = MIN_COSINE.check("CosineFilter", "minCosine", minCosine);
    }

    @Override
    public AggregateResult aggregateFit(RoundContext context, NamedTensors global, Iterable<FitResult> results) {
        List<Updates.Loaded> all = Updates.loadAll(global, results);
        if (all.isEmpty()) {
            return inner.aggregateFit(context, global, List.of());
        }
        NamedTensors centre = Updates.perCoordinate(global, all, CoordinateMedian::median);
        double centreNorm = Updates.norm(centre);
        List<FitResult> kept = new ArrayList<>();
        List<AggregateResult.ExcludedUpdate> excluded = new ArrayList<>();
        for (Updates.Loaded u : all) {
            double norm = Updates.norm(u.tensors());
            if (centreNorm == 0 || norm == 0) {
                kept.add(u.result().loaded(u.tensors()));
                continue;
            }
            double cosine = Updates.dot(u.tensors(), centre) / (norm * centreNorm);
            if (cosine < minCosine) {
                excluded.add(new AggregateResult.ExcludedUpdate(u.site(), String.format(Locale.ROOT,
                        "cosine similarity %.4f to the round's median update is below %.4f", cosine, minCosine)));
            } else {
                kept.add(u.result().loaded(u.tensors()));
            }
        }
        return inner.aggregateFit(context, global, kept).withExcluded(excluded);
    }
}
