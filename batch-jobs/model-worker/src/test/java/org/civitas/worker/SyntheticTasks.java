package org.civitas.worker;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Two small tasks of one modality each, made on the spot: maintenance tickets (text, urgent or
 * routine) and markers of ten hues (images). A site's split is skewed the way enterprises' data is:
 * each site words its tickets mostly in its own phrases and sees mostly three or four of the hues, so
 * a site alone generalises poorly where the federation does not. A balanced split ({@code site} -1)
 * draws from everything and is the common test set.
 */
final class SyntheticTasks {

    static final List<String> TICKET_LABELS = List.of("urgent", "routine");
    static final List<String> HUES = IntStream.range(0, 10).mapToObj(i -> "hue-" + i).toList();

    private static final String[][] TICKETS = {
            {"Water is pouring through the ceiling", "Smell of gas in the stairwell", "Lift stuck with a resident inside",
                    "Sparks from the meter cupboard", "Front door lock broken, the building is open", "No heating at all in winter",
                    "Burst pipe flooding the basement", "Smoke coming out of the bin room", "Live cable hanging in the corridor",
                    "Fire alarm sounding and will not stop", "Balcony railing has come loose", "Sewage backing up into the shower"},
            {"Please repaint the railing", "Schedule the yearly boiler service", "A light bulb in the corridor is out",
                    "Replace the worn doormat", "Trim the hedge beside the car park", "Add a name plate to the letterbox",
                    "The bike shed door squeaks", "Clean the windows of the entrance hall", "Renew the parking permit stickers",
                    "Fix a loose tile in the lobby", "Order new recycling bins", "Update the notice board"}};
    private static final String[] TAILS = {"", " please", " at block B", " since this morning", " on the third floor", " thanks"};

    /** Three ways to name each hue, in the order of {@link #HUES}. */
    private static final String[][] HUE_WORDS = {{"red", "scarlet", "crimson"}, {"orange", "amber", "tangerine"},
            {"yellow", "lemon", "golden"}, {"green", "grass green", "emerald"}, {"mint", "jade", "sea green"},
            {"cyan", "turquoise", "aqua"}, {"sky blue", "azure", "light blue"}, {"blue", "navy", "indigo"},
            {"purple", "violet", "lilac"}, {"pink", "magenta", "rose"}};
    private static final String[] HUE_REPORTS = {"A %s marker on the wall", "The sign is painted %s", "Found a %s tag near the gate",
            "Marker colour: %s", "Someone left a %s square on the door"};

    private SyntheticTasks() {
    }

    /**
     * {@code count} markers of the ten hues, each with a report naming its colour, a photo of it, or
     * both, as {@code text} and {@code image} say: a two-modality task for sites whose data differ. A
     * site ({@code 0..2}) draws 90 % of its labels from its own four neighbouring hues.
     */
    static Path hueReports(Path folder, String name, int count, int site, long seed, boolean text, boolean image) throws IOException {
        Random random = new Random(seed);
        Files.createDirectories(folder);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int label = site >= 0 && random.nextDouble() < 0.9 ? (3 * site + random.nextInt(4)) % HUES.size()
                    : site >= 0 ? random.nextInt(HUES.size()) : i % HUES.size();
            StringBuilder line = new StringBuilder("{\"id\": \"" + name + "-" + i + "\"");
            if (text) {
                String word = HUE_WORDS[label][random.nextInt(3)];
                line.append(", \"text\": \"").append(HUE_REPORTS[random.nextInt(HUE_REPORTS.length)].formatted(word)).append('"');
            }
            if (image) {
                String file = name + "-" + i + ".png";
                ImageIO.write(marker(label, random), "png", folder.resolve(file).toFile());
                line.append(", \"image\": \"").append(file).append('"');
            }
            lines.add(line.append(", \"label\": \"").append(HUES.get(label)).append("\"}").toString());
        }
        Path manifest = folder.resolve(name + ".jsonl");
        Files.write(manifest, lines);
        return manifest;
    }

    /** A square of the label's hue, of varied saturation, brightness, size and place, on grey. */
    private static BufferedImage marker(int label, Random random) {
        BufferedImage image = new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.GRAY);
        g.fillRect(0, 0, 24, 24);
        g.setColor(Color.getHSBColor(label / (float) HUES.size(), 0.6f + 0.4f * random.nextFloat(), 0.6f + 0.4f * random.nextFloat()));
        int size = 8 + random.nextInt(10);
        g.fillRect(random.nextInt(24 - size), random.nextInt(24 - size), size, size);
        g.dispose();
        return image;
    }

    /**
     * {@code count} tickets, half of each label, as a text-only manifest; a site ({@code 0..2}) words
     * 80 % of them with its own four phrases per label, and 10 % of its labels are wrong.
     */
    static Path tickets(Path folder, String name, int count, int site, long seed) throws IOException {
        Random random = new Random(seed);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int label = i % 2;
            int phrase = site >= 0 && random.nextDouble() < 0.8 ? 4 * site + random.nextInt(4) : random.nextInt(12);
            int recorded = site >= 0 && random.nextDouble() < 0.1 ? 1 - label : label;
            lines.add("{\"id\": \"" + name + "-" + i + "\", \"text\": \"" + TICKETS[label][phrase] + TAILS[random.nextInt(TAILS.length)]
                    + "\", \"label\": \"" + TICKET_LABELS.get(recorded) + "\"}");
        }
        Files.createDirectories(folder);
        Path manifest = folder.resolve(name + ".jsonl");
        Files.write(manifest, lines);
        return manifest;
    }

    /**
     * {@code count} marker images as an image-only manifest with its PNGs beside it: a square of the
     * label's hue, of varied saturation, brightness, size and place, on grey. A site ({@code 0..2})
     * draws 90 % of its labels from its own four neighbouring hues.
     */
    static Path hues(Path folder, String name, int count, int site, long seed) throws IOException {
        return hueReports(folder, name, count, site, seed, false, true);
    }
}
