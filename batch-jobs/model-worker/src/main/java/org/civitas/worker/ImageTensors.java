package org.civitas.worker;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Decodes images into the image tower's input: RGB resized to size x size, channels first,
 * values in [-1, 1]. Decoded images are cached by path, since a site trains on the same ones every round.
 */
final class ImageTensors {

    private final int size;
    private final Map<Path, float[]> cache = new HashMap<>();

    ImageTensors(int size) {
        this.size = size;
    }

    int size() {
        return size;
    }

    /** The image as 3 x size x size floats; a null path gives zeros (missing modality). */
    float[] load(Path path) {
        if (path == null) {
            return new float[3 * size * size];
        }
        return cache.computeIfAbsent(path, this::decode);
    }

    private float[] decode(Path path) {
        BufferedImage source;
        try {
            // The header's size is checked before anything is decoded: a small file can declare a huge image.
            source = org.civitas.federation.core.dataset.BoundedImages.read(path,
                    org.civitas.federation.core.dataset.BoundedImages.maxPixelsOfThisProcess());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image " + path, e);
        }
        if (source == null) {
            throw new IllegalArgumentException("not a readable image: " + path);
        }
        BufferedImage scaled = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scaled.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(source, 0, 0, size, size, null);
        g.dispose();
        float[] chw = new float[3 * size * size];
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = scaled.getRGB(x, y);
                int i = y * size + x;
                chw[i] = ((rgb >> 16) & 0xff) / 127.5f - 1f;
                chw[plane + i] = ((rgb >> 8) & 0xff) / 127.5f - 1f;
                chw[2 * plane + i] = (rgb & 0xff) / 127.5f - 1f;
            }
        }
        return chw;
    }
}
