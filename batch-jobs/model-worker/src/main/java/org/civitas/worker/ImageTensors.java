package org.civitas.worker;

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
        return org.civitas.federation.core.dataset.ImagePixels.chw(org.civitas.federation.core.dataset.ImagePixels.rgb(source, size), size);
    }
}
