package org.civitas.federation.site;

import org.civitas.federation.core.dataset.ManifestFormat;
import org.civitas.federation.core.dataset.Sample;
import org.civitas.federation.core.quality.PiiScanner;
import org.civitas.federation.core.quality.QualityAnalysis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes what training reads after a data-quality run: the manifest without the excluded lines
 * and with personal data redacted, beside the original so that image paths still resolve.
 */
final class CuratedManifestWriter {

    private final PiiScanner pii;

    CuratedManifestWriter(PiiScanner pii) {
        this.pii = pii;
    }

    /**
     * Writes the curated manifest of run {@code runId} atomically and answers its path relative to
     * the site's folder {@code home}.
     */
    String write(Path manifest, long runId, QualityAnalysis.Outcome outcome, Path home) {
        String name = manifest.getFileName().toString();
        String stem = name.endsWith(".jsonl") ? name.substring(0, name.length() - 6) : name;
        Path curated = manifest.resolveSibling(stem + ".curated-" + runId + ".jsonl");
        Set<Integer> excluded = outcome.excludedLines();
        Set<Integer> redacted = new HashSet<>(outcome.redactedLines());
        try {
            List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                int number = i + 1;
                String line = lines.get(i);
                if (line.isBlank() || excluded.contains(number)) {
                    continue;
                }
                if (redacted.contains(number)) {
                    Sample s = ManifestFormat.read(line);
                    line = ManifestFormat.write(new Sample(s.id(), s.image(), pii.redact(s.text()), s.label(), s.scenario(), s.meta()));
                }
                out.add(line);
            }
            Path tmp = curated.resolveSibling(curated.getFileName() + ".tmp");
            Files.write(tmp, out, StandardCharsets.UTF_8);
            Files.move(tmp, curated, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the curated manifest " + curated, e);
        }
        // The manifest was resolved to its real path, so the curated file is related to the site's real folder.
        try {
            return home.toRealPath().relativize(curated.toRealPath()).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve the curated manifest " + curated, e);
        }
    }
}
