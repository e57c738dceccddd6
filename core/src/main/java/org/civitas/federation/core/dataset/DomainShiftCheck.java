package org.civitas.federation.core.dataset;

import org.civitas.federation.core.model.LabeledFeatures;
import org.civitas.federation.core.model.SoftmaxRegression;
import org.civitas.federation.core.model.TrainingConfig;
import org.civitas.federation.core.tensor.NamedTensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The founding premise, measured on the generated data: a model trained on the public-style data
 * does worse on each enterprise's held-out data than a model trained on that enterprise's own
 * data. Both are softmax regressions over {@link SimpleFeatures}; the score is macro-F1 over the
 * classes present in the held-out split.
 *
 * <p>Run: {@code java ... DomainShiftCheck --data DIR} on the generator's output.
 */
public final class DomainShiftCheck {

    /** Macro-F1 on one domain's held-out split, for the public model and for the domain's own model. */
    public record Result(String domain, double publicModelF1, double ownModelF1) {
    }

    private DomainShiftCheck() {
    }

    public static List<Result> run(Path data) throws IOException {
        LabeledFeatures pub = load(data.resolve("public"), "train.jsonl");
        NamedTensors publicModel = train(pub);
        List<Result> results = new java.util.ArrayList<>();
        for (String domain : List.of(Taxonomy.ENERGY, Taxonomy.COMMUNITY, Taxonomy.URBAN)) {
            LabeledFeatures own = load(data.resolve(domain), "train.jsonl");
            LabeledFeatures heldout = load(data.resolve(domain), "heldout.jsonl");
            results.add(new Result(domain, macroF1(publicModel, heldout), macroF1(train(own), heldout)));
        }
        return results;
    }

    private static LabeledFeatures load(Path folder, String manifest) throws IOException {
        ManifestImporter.Report report = ManifestImporter.check(folder.resolve(manifest), Set.copyOf(Taxonomy.LABELS), true);
        return SimpleFeatures.load(folder, report.samples());
    }

    private static NamedTensors train(LabeledFeatures data) {
        SoftmaxRegression model = new SoftmaxRegression(SimpleFeatures.DIMENSION, Taxonomy.LABELS.size());
        NamedTensors initial = model.initialState();
        return initial.plusScaled(model.train(initial, data, new TrainingConfig(60, 0.5, 16, 1)).delta(), 1f);
    }

    /** Macro-F1 over the classes that occur in the evaluation data. */
    public static double macroF1(NamedTensors state, LabeledFeatures data) {
        int classes = data.classCount();
        int[] tp = new int[classes];
        int[] fp = new int[classes];
        int[] fn = new int[classes];
        float[] w = state.get(SoftmaxRegression.WEIGHT).values();
        float[] b = state.get(SoftmaxRegression.BIAS).values();
        int d = data.featureCount();
        for (int i = 0; i < data.size(); i++) {
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                double z = b[c];
                for (int j = 0; j < d; j++) {
                    z += w[c * d + j] * data.features()[i][j];
                }
                if (z > bestScore) {
                    bestScore = z;
                    best = c;
                }
            }
            int truth = data.labels()[i];
            if (best == truth) {
                tp[truth]++;
            } else {
                fp[best]++;
                fn[truth]++;
            }
        }
        double sum = 0;
        int present = 0;
        for (int c = 0; c < classes; c++) {
            if (tp[c] + fn[c] == 0) {
                continue;
            }
            present++;
            double denominator = 2.0 * tp[c] + fp[c] + fn[c];
            sum += denominator == 0 ? 0 : 2.0 * tp[c] / denominator;
        }
        return present == 0 ? 0 : sum / present;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2 || !"--data".equals(args[0])) {
            throw new IllegalArgumentException("usage: --data DIR (the generator's output)");
        }
        Map<String, Result> byDomain = new LinkedHashMap<>();
        run(Path.of(args[1])).forEach(r -> byDomain.put(r.domain(), r));
        System.out.println("domain      public-model macro-F1   own-data macro-F1");
        byDomain.values().forEach(r -> System.out.printf(Locale.ROOT, "%-10s  %20.3f  %18.3f%n",
                r.domain(), r.publicModelF1(), r.ownModelF1()));
    }
}
