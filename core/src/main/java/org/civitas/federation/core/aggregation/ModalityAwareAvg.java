package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;
import org.civitas.federation.core.tensor.TensorChecks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Modality-aware averaging: parameters are grouped by the first segment of their name (for
 * example {@code image_tower.*}, {@code text_adapter.*}, {@code head.*}); a site sends only the
 * groups it trained, and each group is averaged (sample-weighted) over just the sites that sent
 * it. A site without images thus leaves the image tower to the sites that have them instead of
 * diluting it with zeros; a group nobody trained stays as it was.
 *
 * <p>In the spirit of modality-aware federated aggregation as in Yu, Qin, Zhang, Zeng, Xu, et al.:
 * "Multimodal Federated Learning via Contrastive Representation Ensemble", ICLR 2023, and the
 * group-wise averaging of partially shared models (Liang et al., "Think Locally, Act Globally", 2020).
 *
 * <p>No parameters. Streams updates: O(model) memory.
 */
public final class ModalityAwareAvg implements Strategy {

    /** The rule's name in plans and the catalogue. */
    public static final String NAME = "modality-aware";

    @Override
    public String name() {
        return NAME;
    }

    public static String groupOf(String tensorName) {
        int dot = tensorName.indexOf('.');
        return dot < 0 ? tensorName : tensorName.substring(0, dot);
    }

    @Override
    public void validateUpdate(NamedTensors global, NamedTensors update) {
        if (update.size() == 0) {
            throw new TensorChecks.InvalidUpdateException("the update holds no tensor");
        }
        Set<String> unexpected = new TreeSet<>(update.names());
        unexpected.removeAll(global.names());
        if (!unexpected.isEmpty()) {
            throw new TensorChecks.InvalidUpdateException("tensor names do not match the model state: unexpected " + unexpected);
        }
        for (String group : groups(update)) {
            Set<String> missing = new TreeSet<>();
            for (String name : global.names()) {
                if (groupOf(name).equals(group) && !update.contains(name)) {
                    missing.add(name);
                }
            }
            if (!missing.isEmpty()) {
                throw new TensorChecks.InvalidUpdateException("group '" + group + "' is incomplete: missing " + missing);
            }
        }
        update.forEach((name, t) -> {
            if (!t.hasShape(global.get(name).shape())) {
                throw new TensorChecks.InvalidUpdateException("tensor '" + name + "' has shape " + java.util.Arrays.toString(t.shape())
                        + ", expected " + java.util.Arrays.toString(global.get(name).shape()));
            }
        });
        TensorChecks.requireFinite(update);
    }

    @Override
    public AggregateResult aggregateFit(RoundContext context, NamedTensors global, Iterable<FitResult> results) {
        Map<String, float[]> sums = new HashMap<>();
        Map<String, Double> groupWeights = new HashMap<>();
        int count = 0;
        for (FitResult r : results) {
            NamedTensors update = r.update().get();
            validateUpdate(global, update);
            float w = r.sampleCount();
            update.forEach((name, t) -> {
                float[] acc = sums.computeIfAbsent(name, n -> new float[t.size()]);
                float[] u = t.values();
                for (int i = 0; i < acc.length; i++) {
                    acc[i] += w * u[i];
                }
            });
            for (String group : groups(update)) {
                groupWeights.merge(group, (double) r.sampleCount(), Double::sum);
            }
            count++;
        }
        Updates.requireAny(context.roundNumber(), count);
        NamedTensors.Builder next = NamedTensors.builder();
        List<String> untouched = new ArrayList<>();
        global.forEach((name, t) -> {
            Double weight = groupWeights.get(groupOf(name));
            if (weight == null) {
                next.put(name, t.copy());
                untouched.add(name);
                return;
            }
            float[] acc = sums.get(name);
            float[] g = t.values();
            float[] out = new float[g.length];
            for (int i = 0; i < g.length; i++) {
                out[i] = g[i] + (float) (acc[i] / weight);
            }
            next.put(name, new Tensor(t.shape(), out));
        });
        return AggregateResult.of(next.build());
    }

    private static Set<String> groups(NamedTensors tensors) {
        Set<String> groups = new LinkedHashSet<>();
        tensors.names().forEach(n -> groups.add(groupOf(n)));
        return groups;
    }
}
