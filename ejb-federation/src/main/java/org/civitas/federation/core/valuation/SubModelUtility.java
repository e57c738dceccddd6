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
 */
public final class SubModelUtility implements CoalitionUtility {

    /** A site's update with its FedAvg weight. */
    public record SiteUpdate(NamedTensors update, long sampleCount) {
    }

    private final NamedTensors global;
    private final Map<String, SiteUpdate> updates;
    private final ToDoubleFunction<NamedTensors> score;

    public SubModelUtility(NamedTensors global, Map<String, SiteUpdate> updates, ToDoubleFunction<NamedTensors> score) {
        this.global = global;
        this.updates = Map.copyOf(updates);
        this.score = score;
    }

    @Override
    public double of(Set<String> coalition) {
        if (coalition.isEmpty()) {
            return score.applyAsDouble(global);
        }
        WeightedSum sum = new WeightedSum(global);
        for (String site : coalition) {
            SiteUpdate u = updates.get(site);
            if (u == null) {
                throw new IllegalArgumentException("no update from site '" + site + "' in this round");
            }
            sum.add(u.update(), u.sampleCount());
        }
        return score.applyAsDouble(sum.addMeanTo(global, 1f));
    }
}
