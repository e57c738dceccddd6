package org.civitas.federation.core.dataset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FolderManifestTest {

    @TempDir
    Path folder;

    private void image(String path) throws IOException {
        Files.createDirectories(folder.resolve(path).getParent());
        Files.write(folder.resolve(path), CitySafetyGenerator.png(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB)));
    }

    private void text(String path, String content) throws IOException {
        Files.createDirectories(folder.resolve(path).getParent());
        Files.writeString(folder.resolve(path), content);
    }

    @Test
    void oneSubFolderPerLabelMakesAManifestTheImporterAccepts() throws IOException {
        image("urgent/0001.jpg");
        text("urgent/0001.txt", "  water coming through the ceiling \n");
        text("urgent/0002.txt", "gas smell in the stairwell");
        image("routine/0003.png");
        image("routine/older/0004.png");
        text("no action/0005.txt", "resident asks about bin day");
        text("stray.txt", "not in a label folder");
        text("routine/notes.pdf", "%PDF");
        text("routine/empty.txt", "   ");

        FolderManifest.Result r = FolderManifest.write(folder, "manifest.jsonl");

        assertThat(r.samples()).isEqualTo(5);
        assertThat(r.perLabel()).containsExactly(Map.entry("no action", 1), Map.entry("routine", 2), Map.entry("urgent", 2));
        // In the folder's order, like the samples
        assertThat(r.skipped()).containsExactly("routine/notes.pdf: neither an image nor a .txt text", "routine/empty.txt: an empty text",
                "stray.txt: not inside a label folder");
        List<Sample> samples = Files.readAllLines(r.manifest()).stream().map(ManifestFormat::read).toList();
        assertThat(samples.get(0)).isEqualTo(new Sample("no action/0005", null, "resident asks about bin day", "no action", null, null));
        assertThat(samples).contains(new Sample("urgent/0001", "urgent/0001.jpg", "water coming through the ceiling", "urgent", null, null),
                new Sample("routine/older/0004", "routine/older/0004.png", null, "routine", null, null));

        // What the site's import then checks against the task's labels: every line is good
        ManifestImporter.Report report = ManifestImporter.check(r.manifest(), Set.of("urgent", "routine", "no action"), false);
        assertThat(report.errors()).isEmpty();
        assertThat(report.summary().images()).isEqualTo(3);
        assertThat(report.summary().texts()).isEqualTo(3);

        // Written again from the same folder, the manifest is the same, byte for byte
        String first = Files.readString(r.manifest());
        FolderManifest.write(folder, "manifest.jsonl");
        assertThat(Files.readString(r.manifest())).isEqualTo(first);
    }

    @Test
    void theManifestStaysInsideTheFolder() {
        assertThatThrownBy(() -> FolderManifest.write(folder, "../outside.jsonl")).isInstanceOf(IOException.class)
                .hasMessageContaining("must be a file name inside the folder");
        assertThatThrownBy(() -> FolderManifest.write(folder.resolve("missing"), "m.jsonl")).isInstanceOf(IOException.class)
                .hasMessageContaining("does not exist");
    }
}
