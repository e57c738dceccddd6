package org.civitas.federation.core.quality;

import org.civitas.federation.core.dataset.ManifestFormat;
import org.civitas.federation.core.dataset.Sample;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * The per-item pass of the quality job over one manifest line: everything that needs only the
 * item itself. A line that is not a JSON object cannot be checked at all and fails the job
 * ({@link MalformedLineException}); a sound JSON object with a wrong field, an unknown label or an
 * image that cannot be read is a schema error on that item.
 */
public final class ItemInspector {

    /** A manifest line that is not a JSON object: the whole manifest is malformed. */
    public static final class MalformedLineException extends IllegalArgumentException {
        private final int line;

        public MalformedLineException(int line, String problem) {
            super("line " + line + ": " + problem);
            this.line = line;
        }

        public int line() {
            return line;
        }
    }

    private final Path folder;
    private final Set<String> labels;
    private final PiiScanner pii;
    private final long maxPixels;

    /**
     * @param folder the manifest's folder, against which image paths resolve
     * @param labels the task's labels; an item with another label is a schema error
     */
    public ItemInspector(Path folder, Set<String> labels, PiiScanner pii) {
        this(folder, labels, pii, org.civitas.federation.core.dataset.BoundedImages.maxPixelsOfThisProcess());
    }

    /** As above; an image whose header declares more than {@code maxPixels} pixels is a schema error, never decoded. */
    public ItemInspector(Path folder, Set<String> labels, PiiScanner pii, long maxPixels) {
        this.folder = folder.toAbsolutePath().normalize();
        this.labels = Set.copyOf(labels);
        this.pii = pii;
        this.maxPixels = maxPixels;
    }

    public ItemFeatures inspect(int lineNumber, String line) {
        Sample sample;
        try {
            sample = ManifestFormat.read(line);
        } catch (IllegalArgumentException e) {
            String problem = e.getMessage();
            if (problem.startsWith("bad JSON") || problem.startsWith("not a JSON object") || problem.startsWith("trailing content")) {
                throw new MalformedLineException(lineNumber, problem);
            }
            return schemaError(lineNumber, idOf(line), problem);
        }
        if (sample.label() != null && !labels.contains(sample.label())) {
            return schemaError(lineNumber, sample.id(), "unknown label '" + sample.label() + "'");
        }
        if (!sample.hasImage() && !sample.hasText()) {
            return schemaError(lineNumber, sample.id(), "neither an image nor a text");
        }
        byte[] imageBytes = null;
        ImageMeasures measures = null;
        if (sample.hasImage()) {
            Path image = folder.resolve(sample.image()).normalize();
            if (!image.startsWith(folder)) {
                return schemaError(lineNumber, sample.id(), "image path '" + sample.image() + "' leaves the dataset folder");
            }
            try {
                if (!image.toRealPath().startsWith(folder.toRealPath())) {
                    return schemaError(lineNumber, sample.id(), "image path '" + sample.image() + "' leads out of the dataset folder");
                }
                imageBytes = Files.readAllBytes(image);
                BufferedImage decoded = org.civitas.federation.core.dataset.BoundedImages.read(imageBytes, maxPixels);
                if (decoded == null) {
                    return schemaError(lineNumber, sample.id(), "image '" + sample.image() + "' is not a PNG or JPEG");
                }
                measures = ImageMeasures.of(decoded);
            } catch (org.civitas.federation.core.dataset.BoundedImages.TooLargeException e) {
                return schemaError(lineNumber, sample.id(), "image '" + sample.image() + "' is refused: " + e.getMessage());
            } catch (IOException e) {
                return schemaError(lineNumber, sample.id(), "image '" + sample.image() + "' cannot be read"
                        + (Files.exists(image, LinkOption.NOFOLLOW_LINKS) ? ": " + e.getMessage() : ": no such file"));
            }
        }
        String text = sample.hasText() ? sample.text() : null;
        return new ItemFeatures(lineNumber, sample.id(), sample.label(), sample.scenario(), measures != null, text != null,
                contentHash(imageBytes, text), measures, pii.find(text).stream().map(PiiScanner.Match::kind).toList(), null, null);
    }

    private static ItemFeatures schemaError(int line, String id, String problem) {
        return new ItemFeatures(line, id == null ? "line-" + line : id, null, null, false, false, "line-" + line, null, null, problem, null);
    }

    /** The id of a line whose fields are wrong, when it has a readable one. */
    private static String idOf(String line) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"id\"\\s*:\\s*\"([^\"]{1,200})\"").matcher(line);
        return m.find() ? m.group(1) : null;
    }

    /** SHA-256 of the image bytes and the text, so that identical items hash alike whatever their ids. */
    static String contentHash(byte[] image, String text) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(image == null ? new byte[0] : image);
            sha.update((byte) 0);
            sha.update(text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
