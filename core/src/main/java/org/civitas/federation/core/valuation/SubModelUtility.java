package org.civitas.federation.core.valuation;

import org.civitas.federation.core.aggregation.WeightedSum;
import org.civitas.federation.core.tensor.NamedTensors;

import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The utility of a coalition in a federated round: the score (for example validation accuracy or
 * negative loss) of the sub-model the coalition's updates alone would have produced, FedAvg-weighted
 * by samples, from the round's global state. The empty coalition scores the global state itself.
 *
 * <p>A coalition whose sub-model is not finite (updates that are finite alone can add up past the
 * float range), or whose score is not finite, gets the given broken-model score instead: the
 * valuation goes on, and the coalition is worth no more than a model that knows nothing.
 */
public final class SubModelUtility implements CoalitionUtility {

    /** A site's update with its FedAvg weight. */
    public record SiteUpdate(NamedTensors update, long sampleCount) {
    }

    private final NamedTensors global;
    private final Map<String, SiteUpdate> updates;
    private final ToDoubleFunction<NamedTensors> score;
    private final double brokenScore;

    public SubModelUtility(NamedTensors global, Map<String, SiteUpdate> updates, ToDoubleFunction<NamedTensors> score,
                           double brokenScore) {
        if (!Double.isFinite(brokenScore)) {
            throw new IllegalArgumentException("the broken-model score must be finite, was " + brokenScore);
        }
        this.global = global;
        this.updates = Map.copyOf(updates);
        this.score = score;
        this.brokenScore = brokenScore;
    }

    @Override
    public double of(Set<String> coalition) {
        if (coalition.isEmpty()) {
            return scoreOf(global);
        }
        WeightedSum sum = new WeightedSum(global);
        for (String site : coalition) {
            SiteUpdate u = updates.get(site);
            if (u == null) {
                throw new IllegalArgumentException("no update from site '" + site + "' in this round");
            }
            sum.add(u.update(), u.sampleCount());
        }
        return scoreOf(sum.addMeanTo(global, 1f));
    }

    private double scoreOf(NamedTensors state) {
        boolean finite = state.asMap().values().stream().allMatch(t -> t.firstNonFiniteIndex() < 0);
        double value = finite ? score.applyAsDouble(state) : brokenScore;
        return Double.isFinite(value) ? value : brokenScore;
    }
}
