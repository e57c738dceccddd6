package org.civitas.federation.core.dataset;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a dataset manifest line by line and summarises it. Every problem is reported with its
 * line number: bad JSON, a duplicate id, no modality, an unknown label, an image path that leaves
 * the dataset folder, a missing or unreadable image. A manifest with errors is refused whole,
 * unless the caller asks to skip bad lines; then the skipped lines are listed. The summary holds
 * aggregates only (counts, histograms, a content hash): what may leave the site.
 */
public final class ManifestImporter {

    /** One bad line. */
    public record LineError(int line, String id, String error) {
    }

    /** What may leave the site about a dataset. */
    public record Summary(int samples, int images, int texts, int labeled, Map<String, Integer> labelHistogram,
                          Map<String, Integer> scenarios, long imageBytes, String contentSha256) {
    }

    /**
     * The outcome of a check.
     *
     * @param accepted whether the dataset may be registered (no error, or errors skipped with good lines left)
     */
    public record Report(boolean accepted, Summary summary, List<LineError> errors, List<Sample> samples) {
    }

    private ManifestImporter() {
    }

    /** The modalities a sample may carry. */
    public static final Set<String> ALL_MODALITIES = Set.of("image", "text");

    public static Report check(Path manifest, Set<String> labels, boolean skipBadLines) throws IOException {
        return check(manifest, labels, skipBadLines, BoundedImages.maxPixelsOfThisProcess());
    }

    /** As {@link #check(Path, Set, boolean)}, refusing images whose header declares more than {@code maxPixels} pixels. */
    public static Report check(Path manifest, Set<String> labels, boolean skipBadLines, long maxPixels) throws IOException {
        return check(manifest, labels, ALL_MODALITIES, skipBadLines, maxPixels);
    }

    /**
     * As {@link #check(Path, Set, boolean, long)} for a task that reads only {@code modalities}
     * ({@code image}, {@code text}): a sample that carries another is a bad line, since the task's
     * model would never see it.
     */
    public static Report check(Path manifest, Set<String> labels, Set<String> modalities, boolean skipBadLines, long maxPixels)
            throws IOException {
        if (!Files.isRegularFile(manifest)) {
            throw new IOException("manifest " + manifest.getFileName() + " does not exist");
        }
        Path folder = manifest.toAbsolutePath().getParent().normalize();
        Path realFolder = folder.toRealPath();
        List<LineError> errors = new ArrayList<>();
        List<Sample> good = new ArrayList<>();
        Map<String, Integer> firstLineOfId = new HashMap<>();
        Map<String, Integer> labelHistogram = new TreeMap<>();
        Map<String, Integer> scenarios = new TreeMap<>();
        int images = 0;
        int texts = 0;
        int labeled = 0;
        long imageBytes = 0;
        MessageDigest content = sha256();
        try (BufferedReader reader = Files.newBufferedReader(manifest, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                Sample s;
                try {
                    s = ManifestFormat.read(line);
                } catch (IllegalArgumentException e) {
                    errors.add(new LineError(lineNo, null, e.getMessage()));
                    continue;
                }
                String problem = problemOf(s, labels, modalities, folder, realFolder, firstLineOfId);
                if (problem != null) {
                    errors.add(new LineError(lineNo, s.id(), problem));
                    continue;
                }
                firstLineOfId.put(s.id(), lineNo);
                byte[] image = s.hasImage() ? Files.readAllBytes(folder.resolve(s.image())) : null;
                String imageProblem = image == null ? null : imageProblem(image, maxPixels);
                if (imageProblem != null) {
                    errors.add(new LineError(lineNo, s.id(), "image " + s.image() + " " + imageProblem));
                    firstLineOfId.remove(s.id());
                    continue;
                }
                good.add(s);
                content.update(ManifestFormat.write(s).getBytes(StandardCharsets.UTF_8));
                if (image != null) {
                    images++;
                    imageBytes += image.length;
                    content.update(image);
                }
                if (s.hasText()) {
                    texts++;
                }
                if (s.label() != null) {
                    labeled++;
                    labelHistogram.merge(s.label(), 1, Integer::sum);
                }
                if (s.scenario() != null) {
                    scenarios.merge(s.scenario(), 1, Integer::sum);
                }
            }
        }
        boolean accepted = !good.isEmpty() && (errors.isEmpty() || skipBadLines);
        Summary summary = new Summary(good.size(), images, texts, labeled, labelHistogram, scenarios, imageBytes,
                HexFormat.of().formatHex(content.digest()));
        return new Report(accepted, summary, errors, good);
    }

    private static String problemOf(Sample s, Set<String> labels, Set<String> modalities, Path folder, Path realFolder,
                                    Map<String, Integer> seen) {
        Integer first = seen.get(s.id());
        if (first != null) {
            return "duplicate id '" + s.id() + "' (first on line " + first + ")";
        }
        if (!s.hasImage() && !s.hasText()) {
            return "sample '" + s.id() + "' has neither image nor text";
        }
        if (s.label() != null && !labels.contains(s.label())) {
            return "unknown label '" + s.label() + "'";
        }
        if (s.hasImage() && !modalities.contains("image")) {
            return "sample '" + s.id() + "' has an image, but the task reads " + String.join(" and ", new java.util.TreeSet<>(modalities))
                    + " only";
        }
        if (s.hasText() && !modalities.contains("text")) {
            return "sample '" + s.id() + "' has a text, but the task reads " + String.join(" and ", new java.util.TreeSet<>(modalities))
                    + " only";
        }
        if (s.hasImage()) {
            Path image;
            try {
                image = Path.of(s.image());
            } catch (RuntimeException e) {
                return "image path '" + s.image() + "' is not a valid path";
            }
            if (image.isAbsolute() || !folder.resolve(image).normalize().startsWith(folder)) {
                return "image path '" + s.image() + "' leaves the dataset folder";
            }
            Path file = folder.resolve(image).normalize();
            if (!Files.isRegularFile(file)) {
                return "image " + s.image() + " does not exist";
            }
            try {
                if (!file.toRealPath().startsWith(realFolder)) {
                    return "image path '" + s.image() + "' leaves the dataset folder through a link";
                }
            } catch (IOException e) {
                return "image " + s.image() + " cannot be read: " + e.getMessage();
            }
        }
        return null;
    }

    /** Why the bytes are no usable image (unreadable, or too many pixels by their header), or null. */
    private static String imageProblem(byte[] bytes, long maxPixels) {
        try {
            return BoundedImages.read(bytes, maxPixels) != null ? null : "is not a readable image";
        } catch (BoundedImages.TooLargeException e) {
            return "is refused: " + e.getMessage();
        } catch (IOException | RuntimeException e) {
            return "is not a readable image";
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
