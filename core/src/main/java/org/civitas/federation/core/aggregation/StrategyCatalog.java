package org.civitas.federation.core.aggregation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Every aggregation rule by name, with its parameters (type, default, range, meaning), so that a
 * federation plan can name one and a portal can offer them. Filters wrap whichever rule is chosen.
 */
public final class StrategyCatalog {

    /**
     * One parameter of a rule or filter.
     *
     * @param integer whether only whole numbers are allowed
     */
    public record Param(String name, Double defaultValue, Range range, String description) {

        /** Whether only whole numbers are allowed. */
        public boolean integer() {
            return range.integer();
        }
    }

    /**
     * A rule and what it needs.
     *
     * @param memory how its memory grows: {@code O(model)} (streaming) or {@code O(sites x model)}
     */
    public record Spec(String name, String title, String paper, String memory, List<Param> params) {
    }

    private record Entry(Spec spec, Function<Map<String, Double>, Strategy> factory) {
    }

    private static final Map<String, Entry> RULES = new LinkedHashMap<>();
    private static final List<Param> FILTERS = List.of(
            new Param("maxNorm", null, NormBoundFilter.MAX_NORM, "leave out updates whose L2 norm exceeds this"),
            new Param("minCosine", null, CosineFilter.MIN_COSINE, "leave out updates whose cosine similarity to the round's median update is below this"));

    static {
        rule("fedavg", "FedAvg", "McMahan et al., AISTATS 2017", "O(model)", List.of(), p -> new FedAvg());
        rule("fedprox", "FedProx", "Li et al., MLSys 2020", "O(model)",
                List.of(new Param("mu", 0.01, FedProx.MU, "proximal term weight applied in local training")),
                p -> new FedProx(p.get("mu")));
        rule("fedavgm", "FedAvgM", "Hsu, Qi, Brown, 2019", "O(model)",
                List.of(new Param("serverLearningRate", 1.0, FedAvgM.SERVER_LEARNING_RATE, "server step size"),
                        new Param("momentum", 0.9, FedAvgM.MOMENTUM, "server momentum")),
                p -> new FedAvgM(p.get("serverLearningRate"), p.get("momentum")));
        rule("fedadagrad", "FedAdagrad", "Reddi et al., ICLR 2021", "O(model)",
                List.of(new Param("eta", 0.1, FedOpt.ETA, "server learning rate"),
                        new Param("beta1", 0.0, FedOpt.BETA, "first-moment decay"),
                        new Param("tau", 1e-9, FedOpt.TAU, "adaptivity floor")),
                p -> FedOpt.adagrad(p.get("eta"), p.get("beta1"), p.get("tau")));
        rule("fedadam", "FedAdam", "Reddi et al., ICLR 2021", "O(model)",
                List.of(new Param("eta", 0.1, FedOpt.ETA, "server learning rate"),
                        new Param("beta1", 0.9, FedOpt.BETA, "first-moment decay"),
                        new Param("beta2", 0.99, FedOpt.BETA, "second-moment decay"),
                        new Param("tau", 1e-9, FedOpt.TAU, "adaptivity floor"),
                        new Param("biasCorrection", 1.0, FedOpt.BIAS_CORRECTION,
                                "1: Flower's bias-corrected step, η·√(1−β2^t)/(1−β1^t) with t = round + 1; 0: Reddi et al.'s uncorrected step")),
                p -> FedOpt.adam(p.get("eta"), p.get("beta1"), p.get("beta2"), p.get("tau"), p.get("biasCorrection") == 1));
        rule("fedyogi", "FedYogi", "Reddi et al., ICLR 2021", "O(model)",
                List.of(new Param("eta", 0.01, FedOpt.ETA, "server learning rate"),
                        new Param("beta1", 0.9, FedOpt.BETA, "first-moment decay"),
                        new Param("beta2", 0.99, FedOpt.BETA, "second-moment decay"),
                        new Param("tau", 1e-3, FedOpt.TAU, "adaptivity floor")),
                p -> FedOpt.yogi(p.get("eta"), p.get("beta1"), p.get("beta2"), p.get("tau")));
        rule("median", "Coordinate-wise median", "Yin et al., ICML 2018", "O(sites x model)", List.of(),
                p -> new CoordinateMedian());
        rule("trimmed-mean", "Coordinate-wise trimmed mean", "Yin et al., ICML 2018", "O(sites x model)",
                List.of(new Param("beta", 0.1, TrimmedMean.BETA, "fraction trimmed from each end")),
                p -> new TrimmedMean(p.get("beta")));
        rule("krum", "Krum", "Blanchard et al., NeurIPS 2017", "O(sites x model)",
                List.of(new Param("byzantine", 0.0, Krum.BYZANTINE, "Byzantine sites tolerated (needs n >= 2f + 3)")),
                p -> new Krum(p.get("byzantine").intValue(), 1));
        rule("multi-krum", "Multi-Krum", "Blanchard et al., NeurIPS 2017", "O(sites x model)",
                List.of(new Param("byzantine", 0.0, Krum.BYZANTINE, "Byzantine sites tolerated (needs n >= 2f + 3)"),
                        new Param("selected", 2.0, Krum.SELECTED, "best-scored updates averaged")),
                p -> new Krum(p.get("byzantine").intValue(), p.get("selected").intValue()));
        rule("bulyan", "Bulyan", "El Mhamdi, Guerraoui, Rouault, ICML 2018", "O(sites x model)",
                List.of(new Param("byzantine", 0.0, Bulyan.BYZANTINE, "Byzantine sites tolerated (needs n >= 4f + 3)")),
                p -> new Bulyan(p.get("byzantine").intValue()));
        rule("fedbuff", "FedBuff", "Nguyen et al., AISTATS 2022", "O(model)",
                List.of(new Param("bufferSize", 2.0, FedBuff.BUFFER_SIZE, "updates that close a round"),
                        new Param("serverLearningRate", 1.0, FedBuff.SERVER_LEARNING_RATE, "server step size")),
                p -> new FedBuff(p.get("bufferSize").intValue(), p.get("serverLearningRate")));
        rule("ffa-lora", "FFA-LoRA", "Sun et al., ICLR 2024", "O(model)", List.of(), p -> new FfaLora());
        rule("lora-stacking", "LoRA stacking (FLoRA)", "Wang et al., NeurIPS 2024", "O(model) + one dense product per adapted layer",
                List.of(), p -> new LoraStacking());
        rule("modality-aware", "Modality-aware averaging", "group-wise averaging over the sites that trained each group",
                "O(model)", List.of(), p -> new ModalityAwareAvg());
    }

    private StrategyCatalog() {
    }

    private static void rule(String name, String title, String paper, String memory, List<Param> params,
                             Function<Map<String, Double>, Strategy> factory) {
        RULES.put(name, new Entry(new Spec(name, title, paper, memory, params), factory));
    }

    public static List<Spec> rules() {
        return RULES.values().stream().map(Entry::spec).toList();
    }

    public static List<Param> filters() {
        return FILTERS;
    }

    /**
     * The named rule with its parameters (missing ones take their default), wrapped in the given
     * filters. Unknown names, unknown parameters and values out of range are refused with a message
     * naming them.
     */
    public static Strategy create(String name, Map<String, Double> params, Map<String, Double> filters) {
        Entry entry = RULES.get(name);
        if (entry == null) {
            throw new IllegalArgumentException("strategy '" + name + "' is not known (known: " + String.join(", ", RULES.keySet()) + ")");
        }
        Map<String, Double> values = resolve("strategy " + name, entry.spec().params(), params == null ? Map.of() : params);
        Strategy strategy = entry.factory().apply(values);
        Map<String, Double> f = resolve("filters", FILTERS, filters == null ? Map.of() : filters);
        if (f.get("minCosine") != null) {
            strategy = new CosineFilter(strategy, f.get("minCosine"));
        }
        if (f.get("maxNorm") != null) {
            strategy = new NormBoundFilter(strategy, f.get("maxNorm"));
        }
        return strategy;
    }

    private static Map<String, Double> resolve(String owner, List<Param> specs, Map<String, Double> given) {
        Set<String> known = new TreeSet<>();
        specs.forEach(s -> known.add(s.name()));
        Set<String> unknown = new TreeSet<>(given.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(owner + " has no parameter " + unknown + (known.isEmpty() ? "" : " (known: " + known + ")"));
        }
        Map<String, Double> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Param p : specs) {
            Double v = given.containsKey(p.name()) ? given.get(p.name()) : p.defaultValue();
            if (v != null && p.range().problem(p.name(), v) != null) {
                problems.add(p.range().problem(p.name(), v));
            }
            values.put(p.name(), v);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(owner + ": " + String.join("; ", problems));
        }
        return values;
    }
}
