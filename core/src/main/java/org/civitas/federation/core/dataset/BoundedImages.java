package org.civitas.federation.core.dataset;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Decodes images only after reading their size from the header: a PNG of a few kilobytes can
 * declare 8000 x 8000 pixels, and decoding it takes hundreds of megabytes (an image bomb). Every
 * place that decodes a site's images (import, quality, training) goes through here.
 */
public final class BoundedImages {

    /** 40 megapixels: larger than the photographs sites send, far below what exhausts a server's heap. */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
    /** The setting (a system property of the worker, a config key of the server) that changes the limit. */
    public static final String MAX_PIXELS_PROPERTY = "civitas.images.max-pixels";

    private BoundedImages() {
    }

    /** An image whose header declares more pixels than allowed; nothing of it was decoded. */
    public static final class TooLargeException extends IOException {
        public TooLargeException(int width, int height, long maxPixels) {
            super("the image is " + width + " x " + height + " pixels (" + (long) width * height + "), over the limit of "
                    + maxPixels + " pixels (" + MAX_PIXELS_PROPERTY + ")");
        }
    }

    /** The limit this process runs with: the system property when set, else the default. */
    public static long maxPixelsOfThisProcess() {
        return Long.getLong(MAX_PIXELS_PROPERTY, DEFAULT_MAX_PIXELS);
    }

    /**
     * The decoded image, or null when no reader knows its format.
     *
     * @throws TooLargeException when its header declares more than {@code maxPixels} pixels
     */
    public static BufferedImage read(byte[] bytes, long maxPixels) throws IOException {
        return read((Object) new ByteArrayInputStream(bytes), maxPixels);
    }

    /** As {@link #read(byte[], long)}, from a file. */
    public static BufferedImage read(Path file, long maxPixels) throws IOException {
        return read((Object) file.toFile(), maxPixels);
    }

    private static BufferedImage read(Object source, long maxPixels) throws IOException {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("the pixel limit must be at least 1, was " + maxPixels);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(source)) {
            if (in == null) {
                throw new IOException("cannot open " + source);
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if ((long) width * height > maxPixels) {
                    throw new TooLargeException(width, height, maxPixels);
                }
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        }
    }
}
