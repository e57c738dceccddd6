package org.civitas.worker;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.civitas.federation.core.dataset.ManifestImporter;
import org.civitas.federation.core.dataset.Sample;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.model.manifest.MultimodalWeights;
import org.civitas.federation.core.tensor.NamedTensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Models of one modality train on data of that modality alone: a text-only model never sees an
 * image (not even a blank one), an image-only model never embeds a text.
 */
class OneModalityTrainingTest {

    private static final String MINILM = """
            "text": {"kind": "onnx", "artifact": "classpath:all-minilm-l6-v2.onnx", "tokenizer": "classpath:all-minilm-l6-v2-tokenizer.json",
                     "sha256": "759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e", "dim": 384, "maxTokens": 64}""";

    private static NDManager manager;

    @TempDir
    static Path folder;

    @BeforeAll
    static void engine() {
        manager = Engine.getEngine("PyTorch").newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void aTextOnlyModelLearnsATwoLabelTaskFromWordingAlone() throws IOException {
        ModelManifest manifest = ModelManifest.parse("{\"name\": \"reports\", " + MINILM + """
                , "fusion": {"hidden": 32, "seed": 11}, "adapter": {"rank": 4, "alpha": 8, "targets": ["text_proj", "fusion"]}}
                """).withLabels(List.of("spam", "ham"));
        Path train = textManifest("text-train.jsonl", 80, 1);
        Path heldout = textManifest("text-heldout.jsonl", 40, 2);

        try (TextTower text = new TextTower(manifest.text(), "cpu", 2); MultimodalModel model = new MultimodalModel(manifest, manager)) {
            LabeledBatchSource trainData = source(manifest, train, text, null);
            LabeledBatchSource heldoutData = source(manifest, heldout, text, null);
            assertThat(trainData.images()).as("no placeholder images").isNull();

            double before = LocalTraining.evaluate(model, heldoutData, 32).accuracy();
            LocalTraining.Outcome outcome = LocalTraining.train(model, MultimodalWeights.initialState(manifest), trainData,
                    new LocalTraining.Hyper(8, 0.01, 16, 3, 0), (a, b, c) -> { });
            double after = LocalTraining.evaluate(model, heldoutData, 32).accuracy();

            assertThat(outcome.delta().names()).containsExactlyElementsOf(manifest.trainableShapes().keySet())
                    .noneMatch(n -> n.startsWith("image."));
            assertThat(after).as("held-out accuracy before %s, after %s", before, after).isGreaterThan(0.85);
        }
    }

    @Test
    void anImageOnlyModelLearnsTenHuesWithoutAnyText() throws IOException {
        List<String> labels = java.util.stream.IntStream.range(0, 10).mapToObj(i -> "hue-" + i).toList();
        ModelManifest manifest = ModelManifest.parse("""
                {"name": "colours", "image": {"kind": "cnn", "size": 16, "channels": [8, 16]},
                 "fusion": {"hidden": 32, "seed": 5}, "adapter": {"rank": 4, "alpha": 8, "targets": ["fusion"]}}
                """).withLabels(labels);
        Path train = imageManifest("images-train", labels, 16, 1);
        Path heldout = imageManifest("images-heldout", labels, 6, 2);

        try (MultimodalModel model = new MultimodalModel(manifest, manager)) {
            ImageTensors images = new ImageTensors(manifest.image().size());
            LabeledBatchSource trainData = source(manifest, train, null, images);
            LabeledBatchSource heldoutData = source(manifest, heldout, null, images);
            assertThat(trainData.text()).as("no placeholder texts").isNull();

            LocalTraining.train(model, MultimodalWeights.initialState(manifest), trainData, new LocalTraining.Hyper(15, 0.02, 16, 3, 0),
                    (a, b, c) -> { });
            double after = LocalTraining.evaluate(model, heldoutData, 32).accuracy();

            assertThat(after).as("held-out accuracy of 10 labels (chance 0.1)").isGreaterThan(0.6);
        }
    }

    private static LabeledBatchSource source(ModelManifest manifest, Path file, TextTower text, ImageTensors images) throws IOException {
        List<Sample> samples = ManifestImporter.check(file, new HashSet<>(manifest.labels()), false).samples();
        return LabeledBatchSource.of(samples, file.getParent(), manifest.labels(), text, images);
    }

    private static final String[] SPAM = {"Win a free cruise now, click the link", "Cheap pills, limited offer, buy today",
            "You have won a lottery prize, send your bank details", "Exclusive deal: earn money from home fast",
            "Claim your gift card before midnight", "Hot singles in your area want to meet"};
    private static final String[] HAM = {"The meeting moved to Thursday at ten", "Please review the attached maintenance report",
            "Lunch with the team tomorrow?", "The boiler inspection is scheduled for next week",
            "Can you send me the minutes of yesterday's call", "The delivery arrived at the north entrance"};

    /** Sentences made from a few templates with varied endings, half of each label. */
    private static Path textManifest(String name, int count, long seed) throws IOException {
        Random random = new Random(seed);
        String[] tails = {"", " please", " today", " for everyone", " as discussed", " thanks"};
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            boolean spam = i % 2 == 0;
            String[] pool = spam ? SPAM : HAM;
            String text = pool[random.nextInt(pool.length)] + tails[random.nextInt(tails.length)];
            lines.add("{\"id\": \"" + name + "-" + i + "\", \"text\": \"" + text.replace("'", "’") + "\", \"label\": \""
                    + (spam ? "spam" : "ham") + "\"}");
        }
        Path file = folder.resolve(name);
        Files.write(file, lines);
        return file;
    }

    /** A filled square of the label's hue on grey, at a random place and size. */
    private static Path imageManifest(String name, List<String> labels, int perLabel, long seed) throws IOException {
        Random random = new Random(seed);
        Path dir = Files.createDirectories(folder.resolve(name));
        List<String> lines = new ArrayList<>();
        for (int l = 0; l < labels.size(); l++) {
            for (int i = 0; i < perLabel; i++) {
                BufferedImage image = new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = image.createGraphics();
                g.setColor(Color.GRAY);
                g.fillRect(0, 0, 24, 24);
                g.setColor(Color.getHSBColor(l / (float) labels.size(), 0.9f, 0.9f));
                int size = 8 + random.nextInt(10);
                g.fillRect(random.nextInt(24 - size), random.nextInt(24 - size), size, size);
                g.dispose();
                String file = labels.get(l) + "-" + i + ".png";
                ImageIO.write(image, "png", dir.resolve(file).toFile());
                lines.add("{\"id\": \"" + name + "-" + l + "-" + i + "\", \"image\": \"" + file + "\", \"label\": \"" + labels.get(l) + "\"}");
            }
        }
        Path manifest = dir.resolve("manifest.jsonl");
        Files.write(manifest, lines);
        return manifest;
    }
}
