package org.civitas.federation.bench;

import org.civitas.federation.core.data.SyntheticFeatureData;
import org.civitas.federation.core.model.LabeledFeatures;
import org.civitas.federation.core.model.SoftmaxRegression;
import org.civitas.federation.core.model.TrainingConfig;
import org.civitas.federation.core.model.TrainingResult;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.valuation.CoalitionUtility;
import org.civitas.federation.core.valuation.ExactShapley;
import org.civitas.federation.core.valuation.GtgShapley;
import org.civitas.federation.core.valuation.SubModelUtility;
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

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The valuation cost of one round at the coordinator, as the round-valuation job pays it: the
 * demo's softmax model (16 features, 5 classes), its 600-sample validation split, and N sites'
 * real local updates; exact Shapley (2^N sub-models) against GTG-Shapley (at most 50 N
 * permutations, truncated). Each invocation starts with an empty utility cache, as a round does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class ValuationBenchmark {

    @Param({"exact", "gtg"})
    public String method;

    @Param({"3", "5", "10"})
    public int sites;

    private SoftmaxRegression model;
    private NamedTensors global;
    private LabeledFeatures validation;
    private Map<String, SubModelUtility.SiteUpdate> updates;

    @Setup(Level.Trial)
    public void setUp() {
        model = new SoftmaxRegression(16, 5);
        global = model.initialState();
        validation = SyntheticFeatureData.generate(16, new double[] {1, 1, 1, 1, 1}, 600, 77);
        updates = new LinkedHashMap<>();
        for (int i = 0; i < sites; i++) {
            double[] mix = new double[5];
            for (int c = 0; c < 5; c++) {
                mix[c] = c == i % 5 ? 5 : 1;
            }
            LabeledFeatures data = SyntheticFeatureData.generate(16, mix, 200 + 40 * i, i + 1);
            TrainingResult r = model.train(global, data, new TrainingConfig(2, 0.1, 32, i));
            updates.put("site-" + i, new SubModelUtility.SiteUpdate(r.delta(), r.sampleCount()));
        }
    }

    @Benchmark
    public Map<String, Double> valueOneRound() {
        CoalitionUtility utility = new SubModelUtility(global, updates, state -> -model.meanLoss(state, validation), -10).memoized();
        List<String> names = List.copyOf(updates.keySet());
        return "exact".equals(method)
                ? ExactShapley.values(names, utility)
                : new GtgShapley(1e-4, 1e-6, 50 * sites, 0.01, 7).values(names, utility).values();
    }
}
