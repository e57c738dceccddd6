package org.civitas.federation.core.dataset;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.Random;

/**
 * Procedural incident images drawn with Java2D: a domain scene (its palette, viewpoint and camera
 * noise) with the motif of the incident class on it. The same domain, class, size and random state
 * always give the same pixels. Drawn on a 64-unit canvas and scaled to the requested size.
 */
public final class IncidentImages {

    private IncidentImages() {
    }

    public static BufferedImage render(String domain, String label, int size, Random random) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.scale(size / 64.0, size / 64.0);
        double horizon = scene(g, domain, random);
        motif(g, label, horizon, random);
        g.dispose();
        if ("power_outage".equals(label)) {
            scaleBrightness(image, 0.35);
        } else if ("lighting_failure".equals(label)) {
            scaleBrightness(image, 0.65);
        }
        addNoise(image, noiseOf(domain), random);
        return image;
    }

    static double noiseOf(String domain) {
        return switch (domain) {
            case Taxonomy.ENERGY -> 7;
            case Taxonomy.COMMUNITY -> 4;
            case Taxonomy.URBAN -> 11;
            default -> 0;
        };
    }

    /** Draws the domain's background; returns the horizon height (0..64). */
    private static double scene(Graphics2D g, String domain, Random r) {
        switch (domain) {
            case Taxonomy.ENERGY -> {
                double horizon = 22 + r.nextInt(6);
                g.setColor(jitter(new Color(0xC8D2C4), r));
                g.fillRect(0, 0, 64, (int) horizon);
                g.setColor(jitter(new Color(0x4F5B3A), r));
                g.fillRect(0, (int) horizon, 64, 64);
                g.setColor(new Color(0x8A8F96));
                g.setStroke(new BasicStroke(3));
                double pipeY = horizon + 6 + r.nextInt(10);
                g.drawLine(0, (int) pipeY, 64, (int) pipeY - r.nextInt(4));
                g.setStroke(new BasicStroke(1));
                int px = 6 + r.nextInt(50);
                g.setColor(new Color(0x5A5F66));
                g.drawLine(px, (int) horizon, px + 4, 4);
                g.drawLine(px + 8, (int) horizon, px + 4, 4);
                g.drawLine(px + 1, 14, px + 7, 14);
                return horizon;
            }
            case Taxonomy.COMMUNITY -> {
                double horizon = 32 + r.nextInt(6);
                g.setColor(jitter(new Color(0xE6D7BF), r));
                g.fillRect(0, 0, 64, 64);
                g.setColor(jitter(new Color(0x8C6A4F), r));
                Path2D floor = new Path2D.Double();
                floor.moveTo(0, 64);
                floor.lineTo(24, horizon);
                floor.lineTo(40, horizon);
                floor.lineTo(64, 64);
                floor.closePath();
                g.fill(floor);
                g.setColor(new Color(0xB9A58C));
                g.drawLine(0, 0, 24, (int) horizon - 14);
                g.drawLine(64, 0, 40, (int) horizon - 14);
                g.drawRect(24, (int) horizon - 14, 16, 14);
                return horizon;
            }
            case Taxonomy.URBAN -> {
                double horizon = 18 + r.nextInt(6);
                g.setColor(jitter(new Color(0x9FB4C8), r));
                g.fillRect(0, 0, 64, (int) horizon);
                g.setColor(jitter(new Color(0x6E6E6E), r));
                g.fillRect(0, (int) horizon, 64, 64);
                g.setColor(new Color(0x3F3F3F));
                Path2D road = new Path2D.Double();
                road.moveTo(8, 64);
                road.lineTo(28, horizon);
                road.lineTo(36, horizon);
                road.lineTo(56, 64);
                road.closePath();
                g.fill(road);
                g.setColor(new Color(0xE8E8E8));
                for (int y = (int) horizon + 4; y < 64; y += 8) {
                    g.fillRect(31, y, 2, 4);
                }
                return horizon;
            }
            default -> {
                g.setColor(new Color(0xB4B4B4));
                g.fillRect(0, 0, 64, 64);
                return 40;
            }
        }
    }

    private static void motif(Graphics2D g, String label, double horizon, Random r) {
        double x = 12 + r.nextInt(36);
        double y = Math.max(horizon, 20) + r.nextInt(Math.max(1, (int) (56 - Math.max(horizon, 20))));
        switch (label) {
            case "smoke_fire" -> {
                g.setColor(new Color(120, 120, 120, 170));
                for (int i = 0; i < 4; i++) {
                    g.fill(new Ellipse2D.Double(x - 6 + r.nextInt(8), y - 22 - i * 5, 10 + r.nextInt(5), 8));
                }
                Path2D flame = new Path2D.Double();
                flame.moveTo(x - 7, y);
                flame.lineTo(x - 3, y - 10 - r.nextInt(5));
                flame.lineTo(x, y - 5);
                flame.lineTo(x + 3, y - 13 - r.nextInt(4));
                flame.lineTo(x + 7, y);
                flame.closePath();
                g.setColor(new Color(0xF2711C));
                g.fill(flame);
                g.setColor(new Color(0xFFD23F));
                g.fill(new Ellipse2D.Double(x - 3, y - 6, 6, 6));
            }
            case "flooding" -> {
                double level = 38 + r.nextInt(10);
                g.setColor(new Color(40, 90, 170, 200));
                g.fillRect(0, (int) level, 64, 64);
                g.setColor(new Color(150, 190, 235));
                for (int i = 0; i < 4; i++) {
                    int wy = (int) level + 3 + i * 6;
                    g.drawArc(r.nextInt(20), wy, 14, 4, 0, 180);
                    g.drawArc(30 + r.nextInt(20), wy, 14, 4, 0, 180);
                }
            }
            case "gas_leak" -> {
                g.setColor(new Color(0x6B6B6B));
                g.fillRect((int) x - 10, (int) y - 2, 20, 4);
                g.setColor(new Color(190, 210, 60, 110));
                for (int i = 0; i < 5; i++) {
                    g.fill(new Ellipse2D.Double(x - 4 + r.nextInt(10), y - 14 - r.nextInt(10), 12, 9));
                }
            }
            case "power_outage" -> {
                g.setColor(new Color(0x202020));
                for (int i = 0; i < 3; i++) {
                    g.fillRect(8 + i * 18, 8 + r.nextInt(4), 8, 8);
                }
            }
            case "equipment_damage" -> {
                g.setColor(new Color(0x7D8590));
                g.fillRect((int) x - 9, (int) y - 14, 18, 14);
                g.setColor(Color.BLACK);
                g.setStroke(new BasicStroke(1.2f));
                Path2D crack = new Path2D.Double();
                crack.moveTo(x - 8, y - 12);
                for (int i = 0; i < 5; i++) {
                    crack.lineTo(x - 8 + (i + 1) * 3.5, y - 12 + r.nextInt(11));
                }
                g.draw(crack);
                g.setColor(new Color(0xFFE066));
                for (int i = 0; i < 4; i++) {
                    g.fillRect((int) x + r.nextInt(12) - 6, (int) y - 18 - r.nextInt(6), 1, 1);
                }
            }
            case "intrusion" -> {
                g.setColor(new Color(0x555555));
                for (int fx = 0; fx < 64; fx += 5) {
                    g.drawLine(fx, (int) y - 18, fx, (int) y);
                }
                g.setColor(new Color(0x151515));
                g.fill(new Ellipse2D.Double(x - 3, y - 22, 6, 6));
                g.fillRect((int) x - 3, (int) y - 16, 6, 12);
                g.fillRect((int) x - 3, (int) y - 4, 2, 6);
                g.fillRect((int) x + 1, (int) y - 4, 2, 6);
            }
            case "vandalism" -> {
                Color[] spray = {new Color(0xE6007E), new Color(0x00C853), new Color(0x00B8D4), new Color(0xFFD600)};
                g.setStroke(new BasicStroke(2f));
                for (int i = 0; i < 4; i++) {
                    g.setColor(spray[r.nextInt(spray.length)]);
                    Path2D stroke = new Path2D.Double();
                    stroke.moveTo(4 + r.nextInt(50), 6 + r.nextInt(30));
                    for (int k = 0; k < 3; k++) {
                        stroke.lineTo(4 + r.nextInt(56), 6 + r.nextInt(34));
                    }
                    g.draw(stroke);
                }
            }
            case "fall_injury" -> {
                g.setColor(new Color(0x1F2A44));
                g.fill(new Ellipse2D.Double(x - 11, y - 4, 20, 6));
                g.fill(new Ellipse2D.Double(x + 8, y - 5, 6, 6));
                g.setColor(new Color(150, 20, 20, 180));
                g.fill(new Ellipse2D.Double(x + 9, y + 1, 5, 3));
            }
            case "obstruction" -> {
                g.setColor(new Color(0x9C6B30));
                for (int i = 0; i < 3; i++) {
                    g.fillRect((int) x - 12 + i * 8, (int) y - 8 - r.nextInt(6), 8, 8);
                }
                g.setColor(new Color(0x6A4A20));
                g.drawRect((int) x - 12, (int) y - 8, 24, 8);
            }
            case "road_damage" -> {
                g.setColor(new Color(0x141414));
                g.fill(new Ellipse2D.Double(x - 8, y - 3, 14 + r.nextInt(6), 6));
                g.setStroke(new BasicStroke(1f));
                for (int i = 0; i < 3; i++) {
                    g.drawLine((int) x, (int) y, (int) x - 10 + r.nextInt(20), (int) y - 6 + r.nextInt(12));
                }
            }
            case "drain_blockage" -> {
                g.setColor(new Color(0x303030));
                g.fillRect((int) x - 7, (int) y - 5, 14, 10);
                g.setColor(new Color(0x8A8A8A));
                for (int i = 0; i < 4; i++) {
                    g.drawLine((int) x - 6 + i * 4, (int) y - 5, (int) x - 6 + i * 4, (int) y + 5);
                }
                g.setColor(new Color(0x5B7F2A));
                for (int i = 0; i < 5; i++) {
                    g.fill(new Ellipse2D.Double(x - 8 + r.nextInt(14), y - 6 + r.nextInt(10), 4, 3));
                }
                g.setColor(new Color(60, 90, 150, 150));
                g.fill(new Ellipse2D.Double(x - 16, y + 3, 32, 6));
            }
            case "lighting_failure" -> {
                g.setColor(new Color(0x2E2E2E));
                g.fillRect((int) x, (int) Math.max(4, horizon - 16), 2, 40);
                g.fillRect((int) x - 5, (int) Math.max(4, horizon - 16), 8, 3);
                g.setColor(new Color(0x3A3A2A));
                g.fill(new Ellipse2D.Double(x - 6, Math.max(4, horizon - 14), 5, 4));
            }
            default -> throw new IllegalArgumentException("no motif for label '" + label + "'");
        }
    }

    private static Color jitter(Color c, Random r) {
        int d = r.nextInt(17) - 8;
        return new Color(clamp(c.getRed() + d), clamp(c.getGreen() + d), clamp(c.getBlue() + d));
    }

    static void scaleBrightness(BufferedImage image, double factor) {
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                image.setRGB(x, y, rgb(((rgb >> 16) & 255) * factor, ((rgb >> 8) & 255) * factor, (rgb & 255) * factor));
            }
        }
    }

    static void addNoise(BufferedImage image, double sigma, Random r) {
        if (sigma <= 0) {
            return;
        }
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                double n = r.nextGaussian() * sigma;
                image.setRGB(x, y, rgb(((rgb >> 16) & 255) + n, ((rgb >> 8) & 255) + n, (rgb & 255) + n));
            }
        }
    }

    /** A 3x3 box blur, applied twice: the "blurred image" defect. */
    static BufferedImage blur(BufferedImage src) {
        BufferedImage out = src;
        for (int pass = 0; pass < 2; pass++) {
            BufferedImage next = new BufferedImage(out.getWidth(), out.getHeight(), BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < out.getHeight(); y++) {
                for (int x = 0; x < out.getWidth(); x++) {
                    double rs = 0;
                    double gs = 0;
                    double bs = 0;
                    int n = 0;
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int xx = Math.min(out.getWidth() - 1, Math.max(0, x + dx));
                            int yy = Math.min(out.getHeight() - 1, Math.max(0, y + dy));
                            int rgb = out.getRGB(xx, yy);
                            rs += (rgb >> 16) & 255;
                            gs += (rgb >> 8) & 255;
                            bs += rgb & 255;
                            n++;
                        }
                    }
                    next.setRGB(x, y, rgb(rs / n, gs / n, bs / n));
                }
            }
            out = next;
        }
        return out;
    }

    /** A crop of the central 7/8 scaled back up, plus light noise: the "near duplicate" defect. */
    static BufferedImage nearCopy(BufferedImage src, Random r) {
        int w = src.getWidth();
        int h = src.getHeight();
        int cx = w / 16;
        int cy = h / 16;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, w, h, cx, cy, w - cx, h - cy, null);
        g.dispose();
        addNoise(out, 3, r);
        return out;
    }

    private static int rgb(double r, double g, double b) {
        return (clamp((int) Math.round(r)) << 16) | (clamp((int) Math.round(g)) << 8) | clamp((int) Math.round(b));
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
