package org.civitas.federation.bench;

import org.civitas.federation.core.aggregation.FitResult;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Random updates held in memory, so the benchmarks measure aggregation, not I/O. */
final class BenchData {

    private BenchData() {
    }

    static NamedTensors state(int parameters, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[parameters];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextDouble() - 0.5);
        }
        return NamedTensors.builder().put("w", new Tensor(new int[] {parameters}, v)).build();
    }

    static List<FitResult> results(int sites, int parameters) {
        List<FitResult> results = new ArrayList<>();
        for (int k = 0; k < sites; k++) {
            NamedTensors u = state(parameters, 1000 + k);
            results.add(new FitResult("site-" + k, 100 + k, () -> u));
        }
        return results;
    }
}
