package org.civitas.federation.core.evaluation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a batch of predictions adds up to: how often each label was predicted, and, over the lines
 * that carry one of the model's labels, the confusion matrix. A line with a label the model does not
 * know is counted apart: it can be neither right nor wrong.
 */
public final class ScoringTally {

    private final List<String> labels;
    private final Map<String, Integer> index = new LinkedHashMap<>();
    private final int[] predicted;
    private final int[][] confusion;
    private int lines;
    private int labelled;
    private int unknownLabels;

    public ScoringTally(List<String> labels) {
        this.labels = List.copyOf(labels);
        for (int i = 0; i < this.labels.size(); i++) {
            index.put(this.labels.get(i), i);
        }
        predicted = new int[this.labels.size()];
        confusion = new int[this.labels.size()][this.labels.size()];
    }

    /**
     * @param predictedLabel the model's most probable label, one of its labels
     * @param trueLabel      the line's label, or null when it has none
     */
    public void add(String predictedLabel, String trueLabel) {
        Integer p = index.get(predictedLabel);
        if (p == null) {
            throw new IllegalArgumentException("'" + predictedLabel + "' is not one of the model's labels");
        }
        lines++;
        predicted[p]++;
        if (trueLabel == null) {
            return;
        }
        Integer t = index.get(trueLabel);
        if (t == null) {
            unknownLabels++;
            return;
        }
        labelled++;
        confusion[t][p]++;
    }

    public int lines() {
        return lines;
    }

    /** Lines whose label is one of the model's. */
    public int labelled() {
        return labelled;
    }

    /** Lines whose label the model does not know. */
    public int unknownLabels() {
        return unknownLabels;
    }

    /** Each label with how often it was predicted, in the model's label order. */
    public Map<String, Integer> predictedCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            counts.put(labels.get(i), predicted[i]);
        }
        return counts;
    }

    /** The predictions against the labels of the lines that carry the model's labels; empty when none do. */
    public Optional<ConfusionMatrix> confusion() {
        if (labelled == 0) {
            return Optional.empty();
        }
        List<List<Integer>> rows = java.util.Arrays.stream(confusion).map(r -> java.util.Arrays.stream(r).boxed().toList()).toList();
        return Optional.of(new ConfusionMatrix(labels, rows));
    }
}
