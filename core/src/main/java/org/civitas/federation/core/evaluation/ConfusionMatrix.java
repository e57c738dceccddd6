package org.civitas.federation.core.evaluation;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts of (true label, predicted label) over a labelled split, and what follows from them: each
 * label's precision, recall and F1 with its support, accuracy, and the macro-F1 over the labels
 * that occur (as truth or as prediction). Rows are true labels, columns predicted ones, both in the
 * task's label order.
 *
 * @param labels the labels, in the order of the model's head
 * @param counts {@code counts.get(t).get(p)}: samples of true label t predicted as p
 */
public record ConfusionMatrix(List<String> labels, List<List<Integer>> counts) {

    /** One label's figures; precision or recall is 0 where its denominator is. */
    public record LabelMetrics(String label, double precision, double recall, double f1, int support) {
    }

    public ConfusionMatrix {
        labels = List.copyOf(labels);
        if (labels.size() < 2 || counts == null || counts.size() != labels.size()) {
            throw new IllegalArgumentException("a confusion matrix has one row per label (" + labels.size() + "), was "
                    + (counts == null ? "none" : counts.size()));
        }
        List<List<Integer>> rows = new ArrayList<>();
        for (List<Integer> row : counts) {
            if (row == null || row.size() != labels.size() || row.stream().anyMatch(c -> c == null || c < 0)) {
                throw new IllegalArgumentException("each row of the confusion matrix has " + labels.size() + " counts of 0 or more");
            }
            rows.add(List.copyOf(row));
        }
        counts = List.copyOf(rows);
    }

    /** The matrix of predictions against the truth, both as label indices. */
    public static ConfusionMatrix of(List<String> labels, int[] actual, int[] predicted) {
        if (actual.length != predicted.length) {
            throw new IllegalArgumentException(actual.length + " true labels but " + predicted.length + " predictions");
        }
        int n = labels.size();
        int[][] c = new int[n][n];
        for (int i = 0; i < actual.length; i++) {
            c[actual[i]][predicted[i]]++;
        }
        List<List<Integer>> rows = new ArrayList<>();
        for (int[] row : c) {
            rows.add(java.util.Arrays.stream(row).boxed().toList());
        }
        return new ConfusionMatrix(labels, rows);
    }

    public int samples() {
        return counts.stream().flatMap(List::stream).mapToInt(Integer::intValue).sum();
    }

    public double accuracy() {
        int correct = 0;
        for (int i = 0; i < labels.size(); i++) {
            correct += counts.get(i).get(i);
        }
        return samples() == 0 ? 0 : (double) correct / samples();
    }

    public List<LabelMetrics> perLabel() {
        List<LabelMetrics> out = new ArrayList<>();
        for (int c = 0; c < labels.size(); c++) {
            int tp = counts.get(c).get(c);
            int support = counts.get(c).stream().mapToInt(Integer::intValue).sum();
            int predicted = 0;
            for (List<Integer> row : counts) {
                predicted += row.get(c);
            }
            double precision = predicted == 0 ? 0 : (double) tp / predicted;
            double recall = support == 0 ? 0 : (double) tp / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            out.add(new LabelMetrics(labels.get(c), precision, recall, f1, support));
        }
        return out;
    }

    /** The mean F1 of the labels that occur in the split or in the predictions; a label absent from both is left out. */
    public double macroF1() {
        double sum = 0;
        int present = 0;
        List<LabelMetrics> metrics = perLabel();
        for (int c = 0; c < labels.size(); c++) {
            int column = 0;
            for (List<Integer> row : counts) {
                column += row.get(c);
            }
            if (metrics.get(c).support() + column == 0) {
                continue;
            }
            sum += metrics.get(c).f1();
            present++;
        }
        return present == 0 ? 0 : sum / present;
    }
}
