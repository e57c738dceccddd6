package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Small hand-made states and updates for the strategy tests. */
final class TestTensors {

    private TestTensors() {
    }

    /** A one-tensor state named "w". */
    static NamedTensors w(float... values) {
        return NamedTensors.builder().put("w", new Tensor(new int[] {values.length}, values)).build();
    }

    static FitResult fit(String site, long samples, float... update) {
        NamedTensors t = w(update);
        return new FitResult(site, samples, () -> t);
    }

    static List<FitResult> fits(float[]... updates) {
        List<FitResult> results = new ArrayList<>();
        for (int i = 0; i < updates.length; i++) {
            results.add(fit("s" + i, 1, updates[i]));
        }
        return results;
    }
}
