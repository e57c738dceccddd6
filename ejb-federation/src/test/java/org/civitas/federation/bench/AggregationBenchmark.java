package org.civitas.federation.bench;

import org.civitas.federation.core.aggregation.FitResult;
import org.civitas.federation.core.aggregation.RoundContext;
import org.civitas.federation.core.aggregation.Strategy;
import org.civitas.federation.core.aggregation.StrategyCatalog;
import org.civitas.federation.core.tensor.NamedTensors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One aggregation of N sites' updates of P float parameters, per rule. Input bytes per operation:
 * N x P x 4; divide by the time to get the rate at which a rule consumes updates.
 *
 * <p>The heap is touched when the fork starts (AlwaysPreTouch): otherwise the first seconds
 * measure the kernel handing out fresh pages to the large arrays, 10 to 20 times slower than the
 * steady state, and JMH's warmup can end before that does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g", "-XX:+AlwaysPreTouch"})
public class AggregationBenchmark {

    @Param({"fedavg", "trimmed-mean", "median", "krum"})
    public String rule;

    @Param({"3", "10", "50"})
    public int sites;

    @Param({"1000000", "10000000"})
    public int parameters;

    private Strategy strategy;
    private NamedTensors global;
    private List<FitResult> results;

    @Setup(Level.Trial)
    public void setUp() {
        strategy = StrategyCatalog.create(rule, "trimmed-mean".equals(rule) ? Map.of("beta", 0.2) : Map.of(), Map.of());
        global = BenchData.state(parameters, 1);
        results = BenchData.results(sites, parameters);
    }

    @Benchmark
    public NamedTensors aggregate() {
        return strategy.aggregateFit(RoundContext.first(), global, results).global();
    }
}
