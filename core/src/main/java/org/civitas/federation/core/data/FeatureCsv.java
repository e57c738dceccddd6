package org.civitas.federation.core.data;

import org.civitas.federation.core.model.LabeledFeatures;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Feature data on disk: a header {@code label,f0,f1,...} then one sample a line. Reading checks
 * every line and names the first bad one.
 */
public final class FeatureCsv {

    private FeatureCsv() {
    }

    public static void write(LabeledFeatures data, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write("label");
            for (int j = 0; j < data.featureCount(); j++) {
                w.write(",f" + j);
            }
            w.newLine();
            for (int i = 0; i < data.size(); i++) {
                w.write(Integer.toString(data.labels()[i]));
                for (float v : data.features()[i]) {
                    w.write(',');
                    w.write(Float.toString(v));
                }
                w.newLine();
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static LabeledFeatures read(Path file, int classCount) throws IOException {
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null || !header.startsWith("label,")) {
                throw new IOException(file + ": line 1 must be the header 'label,f0,...'");
            }
            int featureCount = header.split(",").length - 1;
            String line;
            int lineNo = 1;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",");
                if (cells.length != featureCount + 1) {
                    throw new IOException(file + ": line " + lineNo + " has " + (cells.length - 1) + " features, expected " + featureCount);
                }
                try {
                    int label = Integer.parseInt(cells[0].trim());
                    if (label < 0 || label >= classCount) {
                        throw new IOException(file + ": line " + lineNo + " has label " + label + " outside [0, " + classCount + ")");
                    }
                    float[] x = new float[featureCount];
                    for (int j = 0; j < featureCount; j++) {
                        x[j] = Float.parseFloat(cells[j + 1].trim());
                        if (!Float.isFinite(x[j])) {
                            throw new IOException(file + ": line " + lineNo + " has a non-finite feature f" + j);
                        }
                    }
                    labels.add(label);
                    rows.add(x);
                } catch (NumberFormatException e) {
                    throw new IOException(file + ": line " + lineNo + " is not numeric: " + e.getMessage());
                }
            }
        }
        if (rows.isEmpty()) {
            throw new IOException(file + " holds no sample");
        }
        return new LabeledFeatures(rows.toArray(new float[0][]), labels.stream().mapToInt(Integer::intValue).toArray(), classCount);
    }
}
