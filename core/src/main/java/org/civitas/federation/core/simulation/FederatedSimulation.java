package org.civitas.federation.core.simulation;

import org.civitas.federation.core.aggregation.AggregateResult;
import org.civitas.federation.core.aggregation.EvaluationResult;
import org.civitas.federation.core.aggregation.FitResult;
import org.civitas.federation.core.aggregation.RoundContext;
import org.civitas.federation.core.aggregation.Strategy;
import org.civitas.federation.core.model.TrainingResult;
import org.civitas.federation.core.tensor.NamedTensors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a strategy for some rounds over a gateway: every site trains from the global state, the
 * strategy checks and aggregates the updates, and its server state is carried to the next round.
 */
public final class FederatedSimulation {

    /** What one round produced. */
    public record RoundOutcome(int round, double trainLoss, double globalLoss, NamedTensors global,
                               List<AggregateResult.ExcludedUpdate> excluded) {
    }

    private FederatedSimulation() {
    }

    public static List<RoundOutcome> run(Strategy strategy, ParticipantGateway gateway, NamedTensors initial, int rounds) {
        NamedTensors global = initial;
        NamedTensors serverState = null;
        List<RoundOutcome> outcomes = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            Map<String, Double> extra = strategy.configureFit(round);
            List<FitResult> results = new ArrayList<>();
            List<EvaluationResult> trainLosses = new ArrayList<>();
            List<EvaluationResult> globalLosses = new ArrayList<>();
            for (String site : gateway.sites()) {
                TrainingResult r = gateway.fit(site, round, global, extra);
                strategy.validateUpdate(global, r.delta());
                results.add(new FitResult(site, r.sampleCount(), r::delta));
                trainLosses.add(new EvaluationResult(site, r.sampleCount(), r.trainLoss()));
                globalLosses.add(new EvaluationResult(site, r.sampleCount(), r.globalLoss()));
            }
            AggregateResult aggregate = strategy.aggregateFit(new RoundContext(round, serverState), global, results);
            outcomes.add(new RoundOutcome(round, strategy.aggregateEvaluate(round, trainLosses),
                    strategy.aggregateEvaluate(round, globalLosses), aggregate.global(), aggregate.excluded()));
            global = aggregate.global();
            serverState = aggregate.serverState();
        }
        return outcomes;
    }
}
