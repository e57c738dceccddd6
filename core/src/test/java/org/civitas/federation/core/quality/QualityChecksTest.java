package org.civitas.federation.core.quality;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each check on crafted items: it flags the defect it is for and leaves sound items alone. */
class QualityChecksTest {

    @TempDir
    Path folder;

    private static BufferedImage scene(long seed) {
        Random r = new Random(seed);
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(new Color(170, 190, 160));
        g.fillRect(0, 0, 64, 64);
        for (int i = 0; i < 6; i++) {
            g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
            g.fillRect(r.nextInt(56), r.nextInt(56), 4 + r.nextInt(20), 4 + r.nextInt(20));
        }
        g.dispose();
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int rgb = image.getRGB(x, y);
                int n = r.nextInt(17) - 8;
                image.setRGB(x, y, (clamp(((rgb >> 16) & 255) + n) << 16) | (clamp(((rgb >> 8) & 255) + n) << 8) | clamp((rgb & 255) + n));
            }
        }
        return image;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static BufferedImage blurred(BufferedImage src) {
        BufferedImage out = src;
        for (int pass = 0; pass < 2; pass++) {
            BufferedImage next = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++) {
                    int[] sum = new int[3];
                    int n = 0;
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int xx = Math.max(0, Math.min(63, x + dx));
                            int yy = Math.max(0, Math.min(63, y + dy));
                            int rgb = out.getRGB(xx, yy);
                            sum[0] += (rgb >> 16) & 255;
                            sum[1] += (rgb >> 8) & 255;
                            sum[2] += rgb & 255;
                            n++;
                        }
                    }
                    next.setRGB(x, y, ((sum[0] / n) << 16) | ((sum[1] / n) << 8) | (sum[2] / n));
                }
            }
            out = next;
        }
        return out;
    }

    private static BufferedImage scaled(BufferedImage src, double factor) {
        BufferedImage out = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int rgb = src.getRGB(x, y);
                out.setRGB(x, y, (clamp((int) (((rgb >> 16) & 255) * factor)) << 16) | (clamp((int) (((rgb >> 8) & 255) * factor)) << 8)
                        | clamp((int) ((rgb & 255) * factor)));
            }
        }
        return out;
    }

    /** A copy cut by 1/16 on each side and stretched back, as a re-framed photo of the same scene. */
    private static BufferedImage cropped(BufferedImage src) {
        BufferedImage out = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, 64, 64, 4, 4, 60, 60, null);
        g.dispose();
        return out;
    }

    @Test
    void aBlurredImageIsLessSharpAndADarkOneDarkerButARescaledCopyLooksAlike() {
        BufferedImage original = scene(1);
        ImageMeasures sharp = ImageMeasures.of(original);
        assertThat(ImageMeasures.of(blurred(original)).sharpness()).isLessThan(sharp.sharpness() * 0.3);
        ImageMeasures dark = ImageMeasures.of(scaled(original, 0.22));
        assertThat(dark.meanLuminance()).isLessThan(sharp.meanLuminance() * 0.3);
        // Sharpness is relative to the image's own contrast: darkening alone does not look like blur.
        assertThat(dark.sharpness()).isGreaterThan(sharp.sharpness() * 0.5);
        assertThat(ImageMeasures.likeness(sharp, ImageMeasures.of(cropped(original)))).isGreaterThan(0.99);
        assertThat(ImageMeasures.likeness(sharp, ImageMeasures.of(scene(2)))).isLessThan(0.9);
    }

    @Test
    void personalDataIsFoundAndRedactedButIncidentWordsAreNot() {
        PiiScanner pii = PiiScanner.withDefaultNames();
        String text = "Gate 4 forced open. Contact: maria.lopez@example.org, +44 20 7946 0958, ID-1234-5678-9012, Maria Lopez.";
        assertThat(pii.find(text)).extracting(PiiScanner.Match::kind).containsExactly("email", "phone", "id_number", "name");
        assertThat(pii.redact(text)).isEqualTo("Gate 4 forced open. Contact: [email], [phone], [id_number], [name].");
        assertThat(pii.find("Substation 12, line 3: smoke seen at 06:40 on 2026-03-01, 400 m from the road.")).isEmpty();
    }

    @Test
    void aMalformedLineFailsWithItsNumberAndAWrongFieldIsASchemaError() throws IOException {
        ItemInspector inspector = new ItemInspector(folder, Set.of("flooding", "intrusion"), new PiiScanner(List.of()));
        assertThatThrownBy(() -> inspector.inspect(7, "{\"id\": \"a\", \"text\": "))
                .isInstanceOf(ItemInspector.MalformedLineException.class).hasMessageStartingWith("line 7: bad JSON");
        assertThat(inspector.inspect(3, "{\"id\": \"b\", \"text\": \"x\", \"label\": \"meteor\"}").schemaProblem())
                .isEqualTo("unknown label 'meteor'");
        assertThat(inspector.inspect(4, "{\"id\": \"c\", \"text\": \"x\", \"colour\": \"red\"}").schemaProblem()).isEqualTo("unknown field 'colour'");
        assertThat(inspector.inspect(5, "{\"id\": \"d\", \"image\": \"../../etc/passwd\"}").schemaProblem()).contains("leaves the dataset folder");
        assertThat(inspector.inspect(6, "{\"id\": \"e\", \"image\": \"images/none.png\"}").schemaProblem()).contains("no such file");
        Files.createDirectories(folder.resolve("images"));
        ImageIO.write(scene(3), "png", folder.resolve("images/ok.png").toFile());
        ItemFeatures ok = inspector.inspect(8, "{\"id\": \"f\", \"image\": \"images/ok.png\", \"text\": \"water in the car park\", \"label\": \"flooding\"}");
        assertThat(ok.schemaProblem()).isNull();
        assertThat(ok.image()).isNotNull();
        assertThat(ok.contentHash()).isEqualTo(inspector.inspect(9,
                "{\"id\": \"g\", \"image\": \"images/ok.png\", \"text\": \"water in the car park\", \"label\": \"intrusion\"}").contentHash());
    }

    // Crafted features: three classes whose texts point along their own axis and whose images have their own colours.
    private static final List<String> LABELS = List.of("flooding", "intrusion", "smoke_fire");

    private static float[] textOf(int cls, Random r) {
        float[] v = new float[8];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 0.08);
        }
        v[cls] += 1;
        return v;
    }

    private static ImageMeasures imageOf(int cls, Random r, double sharpness, double luminance) {
        float[] colours = new float[64];
        for (int i = 0; i < colours.length; i++) {
            colours[i] = (float) Math.abs(r.nextGaussian() * 0.03);
        }
        colours[cls * 7] += 0.8f;
        float[][] thumbs = new float[3][256];
        for (float[] t : thumbs) {
            for (int i = 0; i < t.length; i++) {
                t[i] = (float) (r.nextGaussian() / 16);
            }
        }
        return new ImageMeasures(sharpness, luminance, 0, 0, thumbs, colours);
    }

    private static ItemFeatures item(int line, String label, float[] text, ImageMeasures image, List<String> pii) {
        return new ItemFeatures(line, "item-" + line, label, null, image != null, text != null, "hash-" + line, image, pii, null, text);
    }

    @Test
    void eachDatasetCheckFlagsItsDefectAndNothingElse() {
        Random r = new Random(5);
        List<ItemFeatures> items = new ArrayList<>();
        int line = 1;
        for (int k = 0; k < 12; k++) {
            for (int c = 0; c < 3; c++) {
                items.add(item(line++, LABELS.get(c), textOf(c, r), imageOf(c, r, 1.0 + r.nextGaussian() * 0.05, 0.5 + r.nextGaussian() * 0.02), null));
            }
        }
        int noisy = line++;
        items.add(item(noisy, "intrusion", textOf(0, r), imageOf(0, r, 1.0, 0.5), null)); // looks and reads like flooding
        int mismatch = line++;
        items.add(item(mismatch, "smoke_fire", textOf(1, r), imageOf(2, r, 1.0, 0.5), null)); // a fire, described as an intrusion
        int blur = line++;
        items.add(item(blur, "flooding", textOf(0, r), imageOf(0, r, 0.05, 0.5), null));
        int dark = line++;
        items.add(item(dark, "flooding", textOf(0, r), imageOf(0, r, 1.0, 0.1), null));
        int personal = line++;
        items.add(item(personal, "flooding", textOf(0, r), imageOf(0, r, 1.0, 0.5), List.of("email")));
        int textOnly = line++;
        items.add(item(textOnly, "flooding", textOf(0, r), null, null));
        ItemFeatures original = items.get(4);
        int copy = line++;
        items.add(new ItemFeatures(copy, "copy", original.label(), null, true, true, original.contentHash(), original.image(), null, null,
                original.textEmbedding()));
        int near = line++;
        ImageMeasures o = items.get(5).image();
        float[][] shifted = new float[3][];
        for (int i = 0; i < 3; i++) {
            shifted[i] = o.thumbnails()[i].clone();
            shifted[i][0] += 0.01f;
        }
        items.add(new ItemFeatures(near, "near", items.get(5).label(), null, true, true, "other-hash",
                new ImageMeasures(o.sharpness(), o.meanLuminance(), 0, 0, shifted, o.colourHistogram()), null, null,
                items.get(5).textEmbedding().clone()));
        int broken = line;
        items.add(new ItemFeatures(broken, "broken", null, null, false, false, "line-" + broken, null, null, "unknown field 'x'", null));

        QualityAnalysis.Outcome outcome = QualityAnalysis.analyse(items, QualityThresholds.defaults());
        Map<Integer, List<Check>> byLine = new java.util.TreeMap<>();
        outcome.findings().forEach(f -> byLine.computeIfAbsent(f.line(), k -> new ArrayList<>()).add(f.check()));
        assertThat(byLine).containsEntry(noisy, List.of(Check.LABEL_NOISE))
                .containsEntry(mismatch, List.of(Check.CROSS_MODAL_MISMATCH))
                .containsEntry(blur, List.of(Check.BLURRED_IMAGE))
                .containsEntry(dark, List.of(Check.UNDEREXPOSED_IMAGE))
                .containsEntry(personal, List.of(Check.PII))
                .containsEntry(textOnly, List.of(Check.MISSING_MODALITY))
                .containsEntry(copy, List.of(Check.EXACT_DUPLICATE))
                .containsEntry(near, List.of(Check.NEAR_DUPLICATE))
                .containsEntry(broken, List.of(Check.SCHEMA_ERROR))
                .hasSize(9);
        assertThat(outcome.findings().stream().filter(f -> f.line() == copy).findFirst().orElseThrow().relatedId()).isEqualTo("item-5");
        assertThat(outcome.findings().stream().filter(f -> f.line() == near).findFirst().orElseThrow().relatedId()).isEqualTo("item-6");
        assertThat(outcome.excludedLines()).containsExactlyInAnyOrder(noisy, mismatch, blur, dark, textOnly, copy, near, broken);
        assertThat(outcome.redactedLines()).containsExactly(personal);
        QualityReport report = outcome.report();
        assertThat(report.items()).isEqualTo(items.size());
        assertThat(report.flaggedItems()).isEqualTo(8);
        assertThat(report.redactedItems()).isEqualTo(1);
        assertThat(report.curatedItems()).isEqualTo(items.size() - 8);
        assertThat(report.findings()).containsEntry("label_noise", 1).containsEntry("pii", 1).containsEntry("overexposed_image", 0);
        assertThat(report.scoreHistograms().get("blurred_image").stream().mapToInt(Integer::intValue).sum()).isEqualTo(1);
    }

    @Test
    void itemFeaturesSurviveTheirBinaryForm() {
        Random r = new Random(9);
        ItemFeatures f = item(12, "flooding", textOf(1, r), imageOf(0, r, 0.7, 0.4), List.of("email", "name"));
        ItemFeatures back = ItemFeaturesCodec.decode(ItemFeaturesCodec.encode(f));
        assertThat(back).usingRecursiveComparison().isEqualTo(f);
        ItemFeatures bare = new ItemFeatures(3, "x", null, null, false, false, "line-3", null, null, "unknown field 'y'", null);
        assertThat(ItemFeaturesCodec.decode(ItemFeaturesCodec.encode(bare))).usingRecursiveComparison().isEqualTo(bare);
    }

    @Test
    void thresholdsAreValidatedByName() {
        assertThat(QualityThresholds.defaultsWith(Map.of("blurRatio", 0.2)).blurRatio()).isEqualTo(0.2);
        assertThatThrownBy(() -> QualityThresholds.defaultsWith(Map.of("blur", 0.2))).hasMessage("unknown quality threshold 'blur'");
        assertThatThrownBy(() -> QualityThresholds.defaultsWith(Map.of("labelNoise", 1.5)))
                .hasMessage("quality threshold 'labelNoise' must be in [0, 1], was 1.5");
        assertThatThrownBy(() -> QualityThresholds.defaultsWith(Map.of("neighbours", 2.5)))
                .hasMessage("quality threshold 'neighbours' must be a whole number, was 2.5");
    }

    @Test
    void anItemLacksOnlyAModalityItsTaskReads() {
        List<ItemFeatures> items = new ArrayList<>();
        for (int line = 1; line <= 3; line++) {
            float[] text = new float[8];
            text[line] = 1;
            items.add(new ItemFeatures(line, "t" + line, "spam", null, false, true, "text-" + line, null, List.of(), null, text));
        }

        assertThat(QualityAnalysis.analyse(items, QualityThresholds.defaults(), java.util.Set.of("text")).findings())
                .noneMatch(f -> f.check() == Check.MISSING_MODALITY);
        assertThat(QualityAnalysis.analyse(items, QualityThresholds.defaults()).findings())
                .filteredOn(f -> f.check() == Check.MISSING_MODALITY).hasSize(3).allMatch(f -> f.reason().equals("no image"));
    }
}
