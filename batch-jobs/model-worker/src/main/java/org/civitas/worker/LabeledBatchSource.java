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
 * {@code hasText} and {@code hasImage} say which samples carry each modality (null when the model
 * lacks that tower): a missing one is a zero vector in its array, and the model masks its features.
 * A model that adapts its text encoder reads each sample's tokens instead ({@code tokenIds},
 * {@code tokenTypes}, unpadded; {@code text} is null), since the encoder's output changes as it trains.
 */
record LabeledBatchSource(float[][] text, float[][] images, int[] labels, int imageSize, String[] scenarios, boolean[] hasText,
                          boolean[] hasImage, long[][] tokenIds, long[][] tokenTypes) {

    /** Images per call of an ONNX image encoder: bounded, so a large dataset does not need one huge input tensor. */
    private static final int ENCODER_BATCH = 64;

    /** A dataset whose every sample carries each modality the model reads. */
    LabeledBatchSource(float[][] text, float[][] images, int[] labels, int imageSize, String[] scenarios) {
        this(text, images, labels, imageSize, scenarios, text == null ? null : present(labels.length),
                images == null ? null : present(labels.length));
    }

    /** A dataset whose text the model reads as cached embeddings (a frozen tower). */
    LabeledBatchSource(float[][] text, float[][] images, int[] labels, int imageSize, String[] scenarios, boolean[] hasText,
                       boolean[] hasImage) {
        this(text, images, labels, imageSize, scenarios, hasText, hasImage, null, null);
    }

    int size() {
        return labels.length;
    }

    /**
     * How many samples carry each modality the model reads. A modality no sample carries leaves its
     * tower untrained: the model masks a missing modality's features, so that tower's gradient is zero.
     */
    java.util.Map<String, Integer> modalitySamples() {
        java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
        if (hasText != null) {
            counts.put("text", count(hasText));
        }
        if (hasImage != null) {
            counts.put("image", count(hasImage));
        }
        return counts;
    }

    private static boolean[] present(int n) {
        boolean[] all = new boolean[n];
        java.util.Arrays.fill(all, true);
        return all;
    }

    private static int count(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) {
            n += f ? 1 : 0;
        }
        return n;
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
        List<Path> imagePaths = new ArrayList<>();
        int[] y = new int[samples.size()];
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
            imagePaths.add(s.hasImage() ? folder.resolve(s.image()) : null);
        }
        return build(texts, imagePaths, y, scenarios, textTower, images, encoder, true);
    }

    /**
     * Inputs to predict, without labels (their {@code labels} are 0 and unused): a text, an image
     * file, or both, per input; null where an input lacks one. Their embeddings are not cached (the
     * caller passes images of its own, uncached, too): a prediction's inputs come once.
     */
    static LabeledBatchSource unlabeled(List<String> texts, List<Path> imagePaths, TextTower textTower, ImageTensors images,
                                        ImageEncoder encoder) {
        return build(texts, imagePaths, new int[texts.size()], new String[texts.size()], textTower, images, encoder, false);
    }

    /**
     * Inputs to predict whose images come as the tower's input already ({@code decoded}, each null
     * where the input has none), with no file to read.
     */
    static LabeledBatchSource unlabeledDecoded(List<String> texts, List<float[]> decoded, TextTower textTower, ImageTensors images,
                                               ImageEncoder encoder) {
        int n = texts.size();
        float[][] pixels = new float[n][];
        boolean[] hasImage = new boolean[n];
        for (int i = 0; i < n; i++) {
            hasImage[i] = decoded.get(i) != null;
            if (images != null) {
                pixels[i] = hasImage[i] ? decoded.get(i) : images.load(null);
            }
        }
        return build(texts, pixels, hasImage, new int[n], new String[n], textTower, images, encoder, false);
    }

    private static LabeledBatchSource build(List<String> texts, List<Path> imagePaths, int[] y, String[] scenarios, TextTower textTower,
                                            ImageTensors images, ImageEncoder encoder, boolean remember) {
        int n = texts.size();
        float[][] pixels = new float[n][];
        boolean[] hasImage = new boolean[n];
        for (int i = 0; i < n; i++) {
            hasImage[i] = imagePaths.get(i) != null;
            if (images != null) {
                pixels[i] = images.load(imagePaths.get(i));
            }
        }
        return build(texts, pixels, hasImage, y, scenarios, textTower, images, encoder, remember);
    }

    private static LabeledBatchSource build(List<String> texts, float[][] pixels, boolean[] hasImage, int[] y, String[] scenarios,
                                            TextTower textTower, ImageTensors images, ImageEncoder encoder, boolean remember) {
        int n = texts.size();
        boolean[] hasText = new boolean[n];
        for (int i = 0; i < n; i++) {
            hasText[i] = texts.get(i) != null && !texts.get(i).isBlank();
        }
        long[][] tokenIds = null;
        long[][] tokenTypes = null;
        float[][] text = null;
        if (textTower != null && textTower.adapted()) {
            // Tokens, cut to each sample's length (the batches pad them again to their own longest).
            TextTower.Tokens tokens = textTower.tokens(texts.stream().map(t -> t == null ? "" : t).toList());
            tokenIds = new long[n][];
            tokenTypes = new long[n][];
            for (int i = 0; i < n; i++) {
                int length = 0;
                for (long m : tokens.mask()[i]) {
                    length += (int) m;
                }
                tokenIds[i] = java.util.Arrays.copyOf(tokens.ids()[i], length);
                tokenTypes[i] = java.util.Arrays.copyOf(tokens.types()[i], length);
            }
        } else if (textTower != null) {
            text = textTower.embed(texts, remember);
        }
        if (encoder != null) {
            float[][] features = new float[n][];
            for (int from = 0; from < n; from += ENCODER_BATCH) {
                int to = Math.min(n, from + ENCODER_BATCH);
                System.arraycopy(encoder.encode(java.util.Arrays.asList(pixels).subList(from, to)), 0, features, from, to - from);
            }
            return new LabeledBatchSource(text, features, y, 0, scenarios, textTower == null ? null : hasText, hasImage, tokenIds,
                    tokenTypes);
        }
        return new LabeledBatchSource(text, images == null ? null : pixels, y, images == null ? 0 : images.size(), scenarios,
                textTower == null ? null : hasText, images == null ? null : hasImage, tokenIds, tokenTypes);
    }
}
