package org.civitas.federation.core.dataset;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Turns a plain folder of one's own data into a manifest the importer reads: one sub-folder per
 * label, holding images ({@code .png}, {@code .jpg}, {@code .jpeg}, {@code .gif}, {@code .bmp})
 * and texts ({@code .txt}, UTF-8). An image and a text with the same name in the same folder are
 * one sample with both; any other file is one sample of its own. The manifest is written inside
 * the folder, so its image paths stay inside it, and lists the samples in a stable order.
 *
 * <pre>
 * my-data/
 *   urgent/   0001.jpg  0001.txt  0002.txt
 *   routine/  0003.jpg
 * </pre>
 */
public final class FolderManifest {

    private static final Set<String> IMAGES = Set.of("png", "jpg", "jpeg", "gif", "bmp");
    private static final String TEXT = "txt";

    /** What was written: the samples per label, and the files left out with why. */
    public record Result(Path manifest, int samples, Map<String, Integer> perLabel, List<String> skipped) {
    }

    private FolderManifest() {
    }

    /** Writes {@code manifestName} inside {@code folder} from its label sub-folders. */
    public static Result write(Path folder, String manifestName) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IOException("folder " + folder + " does not exist");
        }
        Path manifest = folder.resolve(manifestName).normalize();
        if (!manifest.getParent().equals(folder.normalize())) {
            throw new IOException("the manifest '" + manifestName + "' must be a file name inside the folder");
        }
        List<String> skipped = new ArrayList<>();
        Map<String, Integer> perLabel = new TreeMap<>();
        List<Sample> samples = new ArrayList<>();
        for (Path entry : sorted(folder)) {
            String name = entry.getFileName().toString();
            if (name.startsWith(".") || entry.equals(manifest)) {
                continue;
            }
            if (!Files.isDirectory(entry)) {
                skipped.add(name + ": not inside a label folder");
                continue;
            }
            int before = samples.size();
            samplesOf(folder, entry, name, samples, skipped);
            if (samples.size() > before) {
                perLabel.put(name, samples.size() - before);
            }
        }
        try (BufferedWriter out = Files.newBufferedWriter(manifest, StandardCharsets.UTF_8)) {
            for (Sample s : samples) {
                out.write(ManifestFormat.write(s));
                out.newLine();
            }
        }
        return new Result(manifest, samples.size(), perLabel, skipped);
    }

    /** The samples of one label folder, its sub-folders included: files that share a name make one sample. */
    private static void samplesOf(Path root, Path labelFolder, String label, List<Sample> samples, List<String> skipped) throws IOException {
        Map<String, Path[]> byStem = new TreeMap<>();
        try (Stream<Path> files = Files.walk(labelFolder)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String relative = root.relativize(file).toString().replace('\\', '/');
                String name = file.getFileName().toString();
                int dot = name.lastIndexOf('.');
                String extension = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
                if (name.startsWith(".")) {
                    continue;
                }
                String stem = relative.substring(0, relative.length() - (dot < 0 ? 0 : name.length() - dot));
                Path[] pair = byStem.computeIfAbsent(stem, s -> new Path[2]);
                if (IMAGES.contains(extension) && pair[0] == null) {
                    pair[0] = file;
                } else if (TEXT.equals(extension) && pair[1] == null) {
                    pair[1] = file;
                } else {
                    skipped.add(relative + (IMAGES.contains(extension) || TEXT.equals(extension)
                            ? ": another file of the same name is already this sample's" : ": neither an image nor a .txt text"));
                }
            }
        }
        for (Map.Entry<String, Path[]> e : byStem.entrySet()) {
            Path image = e.getValue()[0];
            String text = null;
            if (e.getValue()[1] != null) {
                text = Files.readString(e.getValue()[1], StandardCharsets.UTF_8).strip();
                if (text.isEmpty()) {
                    text = null;
                }
            }
            if (image == null && text == null) {
                if (e.getValue()[1] != null) {
                    skipped.add(root.relativize(e.getValue()[1]).toString().replace('\\', '/') + ": an empty text");
                }
                continue;
            }
            String imagePath = image == null ? null : root.relativize(image).toString().replace('\\', '/');
            samples.add(new Sample(e.getKey(), imagePath, text, label, null, null));
        }
    }

    private static List<Path> sorted(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.sorted().toList();
        }
    }

    /** {@code FolderManifest <folder> [manifest name, default manifest.jsonl]}: prints what it wrote and left out. */
    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: FolderManifest <folder with one sub-folder per label> [manifest file name, default manifest.jsonl]");
            System.exit(2);
        }
        Result r = write(Path.of(args[0]).toAbsolutePath().normalize(), args.length == 2 ? args[1] : "manifest.jsonl");
        System.out.println("wrote " + r.manifest() + ": " + r.samples() + " samples, per label " + r.perLabel());
        r.skipped().forEach(s -> System.out.println("left out " + s));
    }
}
