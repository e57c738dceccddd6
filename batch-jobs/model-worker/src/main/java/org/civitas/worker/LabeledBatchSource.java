package org.civitas.worker;

import org.civitas.federation.core.dataset.Sample;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A dataset ready for the model: each sample's text embedding (from the frozen tower), its image
 * pixels and its label index. Built once per dataset and kept while the worker stays warm. A model
 * without a text (image) tower gets null {@code text} ({@code images}): nothing is made up for it.
 * With a frozen ONNX image encoder, {@code images} holds its features and {@code imageSize} is 0.
 */
record LabeledBatchSource(float[][] text, float[][] images, int[] labels, int imageSize, String[] scenarios) {

    /** Images per call of an ONNX image encoder: bounded, so a large dataset does not need one huge input tensor. */
    private static final int ENCODER_BATCH = 64;

    int size() {
        return labels.length;
    }

    /**
     * @param folder    the dataset folder its manifest's image paths are relative to
     * @param textTower the model's text tower, or null when it reads no text
     * @param images    the model's image loader, or null when it sees no images
     * @throws IllegalArgumentException when a sample's label is not one of the model's labels
     */
    static LabeledBatchSource of(List<Sample> samples, Path folder, List<String> labels, TextTower textTower, ImageTensors images) {
        return of(samples, folder, labels, textTower, images, null);
    }

    /** As above; with an encoder the images are encoded once, here, into the features the model reads. */
    static LabeledBatchSource of(List<Sample> samples, Path folder, List<String> labels, TextTower textTower, ImageTensors images,
                                 ImageEncoder encoder) {
        List<String> texts = new ArrayList<>();
        int[] y = new int[samples.size()];
        float[][] pixels = new float[samples.size()][];
        String[] scenarios = new String[samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            int label = labels.indexOf(s.label());
            if (label < 0) {
                throw new IllegalArgumentException("sample " + s.id() + " has label '" + s.label() + "', which the model does not know");
            }
            y[i] = label;
            scenarios[i] = s.scenario();
            texts.add(s.hasText() ? s.text() : null);
            if (images != null) {
                pixels[i] = images.load(s.hasImage() ? folder.resolve(s.image()) : null);
            }
        }
        float[][] text = textTower == null ? null : textTower.embed(texts);
        if (encoder != null) {
            float[][] features = new float[pixels.length][];
            for (int from = 0; from < pixels.length; from += ENCODER_BATCH) {
                int to = Math.min(pixels.length, from + ENCODER_BATCH);
                System.arraycopy(encoder.encode(java.util.Arrays.asList(pixels).subList(from, to)), 0, features, from, to - from);
            }
            return new LabeledBatchSource(text, features, y, 0, scenarios);
        }
        return new LabeledBatchSource(text, images == null ? null : pixels, y, images == null ? 0 : images.size(), scenarios);
    }
}
