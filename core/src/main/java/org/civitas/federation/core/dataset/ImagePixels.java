package org.civitas.federation.core.dataset;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * An image as the image tower reads it: scaled to size x size with Java2D's bilinear interpolation,
 * as 8-bit RGB, then channels first with values in [-1, 1]. One place, so that a site that checks
 * and scales an image and the worker that reads it compute the same pixels.
 */
public final class ImagePixels {

    private ImagePixels() {
    }

    /** The image scaled to size x size, RGB bytes row by row ({@code 3 * size * size}). */
    public static byte[] rgb(BufferedImage source, int size) {
        BufferedImage scaled = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scaled.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(source, 0, 0, size, size, null);
        g.dispose();
        byte[] rgb = new byte[3 * size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int pixel = scaled.getRGB(x, y);
                int i = 3 * (y * size + x);
                rgb[i] = (byte) (pixel >> 16);
                rgb[i + 1] = (byte) (pixel >> 8);
                rgb[i + 2] = (byte) pixel;
            }
        }
        return rgb;
    }

    /**
     * RGB bytes of a size x size image as the tower's input: 3 x size x size floats, channels first.
     *
     * @throws IllegalArgumentException when there are not {@code 3 * size * size} bytes
     */
    public static float[] chw(byte[] rgb, int size) {
        int plane = size * size;
        if (rgb.length != 3 * plane) {
            throw new IllegalArgumentException("pixels: " + rgb.length + " bytes, not the " + 3 * plane + " of a " + size + " x " + size
                    + " RGB image");
        }
        float[] chw = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            chw[i] = (rgb[3 * i] & 0xff) / 127.5f - 1f;
            chw[plane + i] = (rgb[3 * i + 1] & 0xff) / 127.5f - 1f;
            chw[2 * plane + i] = (rgb[3 * i + 2] & 0xff) / 127.5f - 1f;
        }
        return chw;
    }
}
