package org.civitas.federation.core.worker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the worker answers to a request, one record per kind of request. */
public sealed interface WorkerResult {

    /** The result's fields on its line, besides {@code id} and {@code event}. */
    Map<String, Object> fields();

    /** The answer to {@code ping} and {@code shutdown}. */
    record Done() implements WorkerResult {
        @Override
        public Map<String, Object> fields() {
            return Map.of();
        }
    }

    /** Metrics of a model on a split: {@code samples}, {@code loss}, {@code accuracy}, {@code macroF1}. */
    record Evaluation(int samples, double loss, double accuracy, double macroF1) {
        Map<String, Object> fields() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("samples", samples);
            out.put("accuracy", WorkerLines.finiteOrText(accuracy));
            out.put("macroF1", WorkerLines.finiteOrText(macroF1));
            out.put("loss", WorkerLines.finiteOrText(loss));
            return out;
        }

        static Evaluation from(WorkerFields f) {
            return new Evaluation(f.integer("samples"), f.number("loss"), f.number("accuracy"), f.number("macroF1"));
        }
    }

    /** A training run's figures: the start state's loss and accuracy, the trained state's, the steps and seconds. */
    record TrainingMetrics(double trainLoss, double globalLoss, double globalAccuracy, double loss, double accuracy, double macroF1,
                           int steps, double seconds) {
        Map<String, Object> fields() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("trainLoss", WorkerLines.finiteOrText(trainLoss));
            out.put("globalLoss", WorkerLines.finiteOrText(globalLoss));
            out.put("globalAccuracy", WorkerLines.finiteOrText(globalAccuracy));
            out.put("loss", WorkerLines.finiteOrText(loss));
            out.put("accuracy", WorkerLines.finiteOrText(accuracy));
            out.put("macroF1", WorkerLines.finiteOrText(macroF1));
            out.put("steps", steps);
            out.put("seconds", seconds);
            return out;
        }

        static TrainingMetrics from(WorkerFields f) {
            return new TrainingMetrics(f.number("trainLoss"), f.number("globalLoss"), f.number("globalAccuracy"), f.number("loss"),
                    f.number("accuracy"), f.number("macroF1"), f.integer("steps"), f.number("seconds"));
        }
    }

    /**
     * The answer to {@code train}: the update's file and sha256, the samples trained on, the
     * figures, with a held-out split the received state's metrics on it (else null), and how many of
     * the samples carried each modality the model reads ({@code text}, {@code image}): a tower that
     * saw none of its modality was not trained, and its part of the update is zero.
     */
    record Trained(String out, String sha256, int samples, TrainingMetrics metrics, Evaluation heldout,
                   Map<String, Integer> modalitySamples) implements WorkerResult {
        public Trained {
            modalitySamples = modalitySamples == null ? Map.of() : Map.copyOf(modalitySamples);
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("out", this.out);
            out.put("sha256", sha256);
            out.put("samples", samples);
            out.put("metrics", metrics.fields());
            if (heldout != null) {
                out.put("heldout", heldout.fields());
            }
            out.put("modalitySamples", new java.util.TreeMap<>(modalitySamples));
            return out;
        }

        static Trained from(WorkerFields f) {
            f.only(Set.of("out", "sha256", "samples", "metrics", "heldout", "modalitySamples"));
            WorkerFields heldout = f.optionalObject("heldout");
            WorkerFields modalities = f.optionalObject("modalitySamples");
            Map<String, Integer> counts = new LinkedHashMap<>();
            if (modalities != null) {
                modalities.numbers().keySet().forEach(m -> counts.put(m, modalities.integer(m)));
            }
            return new Trained(f.string("out"), f.string("sha256"), f.integer("samples"), TrainingMetrics.from(f.object("metrics")),
                    heldout == null ? null : Evaluation.from(heldout), counts);
        }
    }

    /**
     * The answer to {@code evaluate}: metrics on the dataset, the macro-F1 of each scenario in it, and
     * the confusion matrix (rows true labels, columns predicted ones, in the manifest's label order).
     */
    record Evaluated(int samples, double loss, double accuracy, double macroF1, Map<String, Double> macroF1ByScenario,
                     List<List<Integer>> confusion) implements WorkerResult {
        @Override
        public Map<String, Object> fields() {
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put("loss", WorkerLines.finiteOrText(loss));
            metrics.put("accuracy", WorkerLines.finiteOrText(accuracy));
            metrics.put("macroF1", WorkerLines.finiteOrText(macroF1));
            Map<String, Object> byScenario = new LinkedHashMap<>();
            macroF1ByScenario.forEach((k, v) -> byScenario.put(k, WorkerLines.finiteOrText(v)));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("samples", samples);
            out.put("metrics", metrics);
            out.put("macroF1ByScenario", byScenario);
            out.put("confusion", confusion);
            return out;
        }

        static Evaluated from(WorkerFields f) {
            f.only(Set.of("samples", "metrics", "macroF1ByScenario", "confusion"));
            WorkerFields m = f.object("metrics");
            WorkerFields byScenario = f.optionalObject("macroF1ByScenario");
            List<List<Integer>> confusion = new ArrayList<>();
            for (Object row : f.list("confusion")) {
                if (!(row instanceof List<?> counts)) {
                    throw new IllegalArgumentException("'confusion' must be a list of lists of counts");
                }
                confusion.add(counts.stream().map(c -> (int) WorkerFields.number(c)).toList());
            }
            return new Evaluated(f.integer("samples"), m.number("loss"), m.number("accuracy"), m.number("macroF1"),
                    byScenario == null ? Map.of() : byScenario.numbers(), List.copyOf(confusion));
        }
    }

    /** The answer to {@code predict}: one row of label probabilities per input, in the manifest's label order. */
    record Predicted(List<float[]> probabilities) implements WorkerResult {
        @Override
        public Map<String, Object> fields() {
            return Map.of("probabilities", Embedded.rows(probabilities));
        }

        static Predicted from(WorkerFields f) {
            f.only(Set.of("probabilities"));
            return new Predicted(Embedded.vectors(f.list("probabilities"), "probabilities"));
        }
    }

    /** The answer to {@code embed}: one vector per text, in order. */
    record Embedded(List<float[]> vectors) implements WorkerResult {
        @Override
        public Map<String, Object> fields() {
            return Map.of("vectors", rows(vectors));
        }

        static Embedded from(WorkerFields f) {
            f.only(Set.of("vectors"));
            return new Embedded(vectors(f.list("vectors"), "vectors"));
        }

        static List<Object> rows(List<float[]> vectors) {
            List<Object> rows = new ArrayList<>(vectors.size());
            for (float[] v : vectors) {
                List<Object> row = new ArrayList<>(v.length);
                for (float x : v) {
                    row.add((double) x);
                }
                rows.add(row);
            }
            return rows;
        }

        static List<float[]> vectors(List<?> rows, String field) {
            List<float[]> out = new ArrayList<>();
            for (Object row : rows) {
                if (!(row instanceof List<?> values)) {
                    throw new IllegalArgumentException("'" + field + "' must be a list of lists of numbers");
                }
                float[] v = new float[values.size()];
                for (int k = 0; k < v.length; k++) {
                    v[k] = (float) WorkerFields.number(values.get(k));
                }
                out.add(v);
            }
            return out;
        }
    }
}
