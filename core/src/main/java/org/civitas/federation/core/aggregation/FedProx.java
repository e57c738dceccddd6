package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;

import java.util.Map;

/**
 * FedProx: sites add the proximal term (mu/2)·||w − w_global||² to their local loss, which keeps
 * heterogeneous sites from drifting apart; the server aggregates as FedAvg.
 *
 * <p>Li, Sahu, Zaheer, Sanjabi, Talwalkar, Smith: "Federated Optimization in Heterogeneous
 * Networks", MLSys 2020.
 *
 * <p>Parameter {@code mu} in [0, 1000], sent to every site as {@value #PROXIMAL_MU}. Streams updates.
 */
public final class FedProx implements Strategy {

    /** The round-task key under which sites receive mu. */
    public static final String PROXIMAL_MU = "proximalMu";

    public static final Range MU = Range.closed(0, 1000);

    private final double mu;
    private final FedAvg fedAvg = new FedAvg();

    public FedProx(double mu) {
        this.mu = MU.check("FedProx", "mu", mu);
    }

    @Override
    public boolean isMeanBased() {
        return true;
    }

    @Override
    public String name() {
        return "fedprox";
    }

    @Override
    public Map<String, Double> configureFit(int roundNumber) {
        return Map.of(PROXIMAL_MU, mu);
    }

    @Override
    public AggregateResult aggregateFit(RoundContext context, NamedTensors global, Iterable<FitResult> results) {
        return fedAvg.aggregateFit(context, global, results);
    }
}
