package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A consortium brings its own tasks, models and data through REST alone: a 2-label text-only task
 * and a 10-label image-only task, a model manifest for each, datasets the sites make themselves,
 * and plans that pin all of it. Both federations train to clearly better than chance on the sites'
 * held-out splits, and bad plans are refused naming the field.
 */
@ExtendWith(CivitasServer.class)
class BringYourOwnTaskIT {

    private static final List<String> SITES = List.of("energy", "community", "urban");
    private static final List<String> HUES = java.util.stream.IntStream.range(0, 10).mapToObj(i -> "hue-" + i).toList();

    private static final String MINILM = "{\"kind\": \"onnx\", \"artifact\": \"classpath:all-minilm-l6-v2.onnx\","
            + " \"tokenizer\": \"classpath:all-minilm-l6-v2-tokenizer.json\","
            + " \"sha256\": \"759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e\", \"dim\": 384, \"maxTokens\": 64}";

    @Test
    void aTextOnlyAndAnImageOnlyTaskFederateOnTheSitesOwnData() throws Exception {
        // 1. Tasks and model manifests, registered by the consortium administrator
        assertCreated(Api.postJson("/tasks", "{\"name\": \"byo-mail\", \"description\": \"Spam or wanted mail\", \"labels\": [\"spam\","
                + " \"ham\"], \"modalities\": [\"text\"], \"primaryMetric\": \"macro-f1\"}"));
        assertCreated(Api.postJson("/tasks", "{\"name\": \"byo-hues\", \"description\": \"Which hue a marker has\", \"labels\": "
                + Api.JSON.writeValueAsString(HUES) + ", \"modalities\": [\"image\"], \"primaryMetric\": \"accuracy\"}"));
        String textModel = assertCreated(Api.postJson("/model-manifests", "{\"name\": \"mail-minilm\", \"text\": " + MINILM
                + ", \"fusion\": {\"hidden\": 32, \"seed\": 11}, \"adapter\": {\"rank\": 4, \"alpha\": 8,"
                + " \"targets\": [\"text_proj\", \"fusion\"]}}")).path("sha256").asText();
        String imageModel = assertCreated(Api.postJson("/model-manifests", "{\"name\": \"hues-cnn\", \"image\": {\"kind\": \"cnn\","
                + " \"size\": 16, \"channels\": [8, 16]}, \"fusion\": {\"hidden\": 32, \"seed\": 5}, \"adapter\": {\"rank\": 4,"
                + " \"alpha\": 8, \"targets\": [\"fusion\"]}}")).path("sha256").asText();
        assertThat(Api.get("/model-manifests/" + imageModel).json().path("modalities").get(0).asText()).isEqualTo("image");

        // A manifest naming an encoder by the wrong hash, or a tower the worker does not serve, is refused naming the field
        Api.Answer wrongHash = Api.postJson("/model-manifests", "{\"name\": \"bad\", \"text\": " + MINILM.replace("759c3c", "000000")
                + ", \"fusion\": {\"hidden\": 8, \"seed\": 1}, \"adapter\": {\"rank\": 2, \"alpha\": 4, \"targets\": [\"fusion\"]}}");
        assertThat(wrongHash.status()).as(wrongHash.text()).isEqualTo(422);
        assertThat(wrongHash.json().path("error").asText()).contains("text.sha256: 000000").contains("does not match the shipped encoder's");
        Api.Answer withLabels = Api.postJson("/model-manifests", "{\"name\": \"bad\", \"image\": {\"kind\": \"cnn\", \"size\": 16,"
                + " \"channels\": [4]}, \"fusion\": {\"hidden\": 8, \"seed\": 1}, \"adapter\": {\"rank\": 2, \"alpha\": 4,"
                + " \"targets\": [\"text_proj\"]}, \"labels\": [\"a\", \"b\"]}");
        assertThat(withLabels.status()).as(withLabels.text()).isEqualTo(422);
        assertThat(withLabels.json().path("error").asText()).contains("adapter.targets: 'text_proj' needs a text tower");

        // 2. Each site makes its own data and imports it for the task: a training and a held-out split
        Map<String, String> mail = new LinkedHashMap<>();
        Map<String, String> hues = new LinkedHashMap<>();
        for (int i = 0; i < SITES.size(); i++) {
            String site = SITES.get(i);
            Path mailFolder = Files.createDirectories(CivitasServer.dataDir().resolve("sites/" + site + "/datasets/byo-mail"));
            writeMail(mailFolder.resolve("train.jsonl"), 40, 10 + i);
            writeMail(mailFolder.resolve("heldout.jsonl"), 20, 20 + i);
            mail.put(site, imported(site, "byo-mail", "datasets/byo-mail/train.jsonl", "byo-mail"));
            Path hueFolder = Files.createDirectories(CivitasServer.dataDir().resolve("sites/" + site + "/datasets/byo-hues"));
            writeHues(hueFolder, "train", 8, 30 + i);
            writeHues(hueFolder, "heldout", 3, 40 + i);
            hues.put(site, imported(site, "byo-hues", "datasets/byo-hues/train.jsonl", "byo-hues"));
        }

        // 3. Plans that pin task, model and each site's dataset version; bad ones are refused naming the field
        String mailPlan = plan("byo-mail", textModel, "byo-mail", mail);
        String huesPlan = plan("byo-hues", imageModel, "byo-hues", hues);
        Api.Answer otherTasksData = Api.postJson("/plans/preview", plan("byo-hues", imageModel, "byo-mail", mail));
        assertThat(otherTasksData.status()).as(otherTasksData.text()).isEqualTo(400);
        assertThat(otherTasksData.json().path("error").asText())
                .contains("datasets.energy: dataset 'byo-mail' belongs to task 'byo-mail' v1, not 'byo-hues' v1");
        Map<String, String> stale = new LinkedHashMap<>(mail);
        stale.put("urban", "f".repeat(64));
        Api.Answer staleHash = Api.postJson("/plans/preview", plan("byo-mail", textModel, "byo-mail", stale));
        assertThat(staleHash.status()).as(staleHash.text()).isEqualTo(400);
        assertThat(staleHash.json().path("error").asText())
                .contains("datasets.urban: site 'urban' holds no dataset 'byo-mail' with content sha256 " + "f".repeat(64));
        Api.Answer mismatched = Api.postJson("/plans/preview", plan("byo-mail", imageModel, "byo-mail", mail));
        assertThat(mismatched.status()).as(mismatched.text()).isEqualTo(400);
        assertThat(mismatched.json().path("error").asText()).contains("modelManifest: 'hues-cnn' reads [image], task 'byo-mail' v1 has [text]");

        // A plan may gate on data quality: each pinned version needs a data-quality report within the plan's bound.
        // (Two sites here: the energy site's newest quality run stays the demo's, whose flagged images another test shows.)
        Map<String, String> twoSites = new LinkedHashMap<>(mail);
        twoSites.remove("energy");
        String gated = "{\"sites\": [\"community\", \"urban\"], \"quality\": {\"maxFlaggedShare\": 1.0}, "
                + plan("byo-mail", textModel, "byo-mail", twoSites).substring(1);
        Api.Answer noReport = Api.postJson("/plans/preview", gated);
        assertThat(noReport.status()).as(noReport.text()).isEqualTo(400);
        assertThat(noReport.json().path("error").asText())
                .contains("datasets.community: dataset 'byo-mail' version 1 has no data-quality report, and the plan requires one");
        for (String site : twoSites.keySet()) {
            Api.Answer started = Api.postJsonAs(site + "-steward", "/sites/" + site + "/quality-runs",
                    "{\"dataset\": \"byo-mail\", \"manifest\": \"datasets/byo-mail/train.jsonl\"}");
            assertThat(started.status()).as(started.text()).isEqualTo(202);
            long run = started.json().path("id").asLong();
            CivitasServer.await(Duration.ofMinutes(3), "the quality run of " + site + " ends", () ->
                    List.of("COMPLETED", "FAILED").contains(Api.get("/sites/" + site + "/quality-runs/" + run).json().path("status").asText()));
        }
        JsonNode gatedPreview = Api.postJson("/plans/preview", gated).json();
        assertThat(gatedPreview.path("canonicalJson").asText()).as(gatedPreview.toString()).contains("\"quality\":{\"maxFlaggedShare\":1}");
        // The mail repeats its few phrases, so the reports flag duplicates: a bound of zero refuses the versions, naming the share
        JsonNode communityReport = null;
        for (JsonNode r : Api.get("/datasets/quality").json()) {
            if ("community".equals(r.path("site").asText()) && "byo-mail".equals(r.path("dataset").asText()) && communityReport == null) {
                communityReport = r;
            }
        }
        assertThat(communityReport).as("community's byo-mail report").isNotNull();
        assertThat(communityReport.path("flaggedItems").asInt()).as(communityReport.toString()).isPositive();
        Api.Answer overBound = Api.postJson("/plans/preview", gated.replace("\"maxFlaggedShare\": 1.0", "\"maxFlaggedShare\": 0.0"));
        assertThat(overBound.status()).as(overBound.text()).isEqualTo(400);
        assertThat(overBound.json().path("error").asText()).contains("datasets.community: data-quality report "
                + communityReport.path("id").asLong() + " flags").contains("of the items of dataset 'byo-mail', more than the plan's"
                + " maxFlaggedShare 0.000");

        JsonNode preview = Api.postJson("/plans/preview", mailPlan).json();
        assertThat(preview.path("canonicalJson").asText()).contains("\"task\":{\"name\":\"byo-mail\",\"version\":1}")
                .contains("\"urban\":{\"name\":\"byo-mail\",\"sha256\":\"" + mail.get("urban") + "\"}");

        // A test split at the coordinator for the text task: its federation's model versions are evaluated on it
        Path testFolder = Files.createDirectories(CivitasServer.dataDir().resolve("coordinator/datasets/byo-mail-test"));
        writeMail(testFolder.resolve("test.jsonl"), 40, 99);
        Files.writeString(testFolder.resolve("bad.jsonl"), "{\"id\": \"x\", \"text\": \"hello\", \"label\": \"phishing\"}\n");
        Api.Answer badSplit = Api.postJson("/tasks/byo-mail/test-splits", "{\"name\": \"mail-test\", \"manifest\": \"datasets/byo-mail-test/bad.jsonl\"}");
        assertThat(badSplit.status()).as(badSplit.text()).isEqualTo(422);
        assertThat(badSplit.json().path("error").asText()).contains("line 1: unknown label 'phishing'").endsWith("nothing was registered");
        assertCreated(Api.postJson("/tasks/byo-mail/test-splits", "{\"name\": \"mail-test\", \"manifest\": \"datasets/byo-mail-test/test.jsonl\"}"));

        long mailId = assertCreated(Api.startFederation(mailPlan)).path("id").asLong();
        long huesId = assertCreated(Api.startFederation(huesPlan)).path("id").asLong();
        JsonNode mailDone = Api.awaitFinished(mailId, Duration.ofMinutes(8));
        JsonNode huesDone = Api.awaitFinished(huesId, Duration.ofMinutes(8));

        // 4. Both trained to well above chance, judged by the sites on held-out data they never train on
        assertThat(mailDone.path("status").asText()).as(mailDone.toString()).isEqualTo("COMPLETED");
        assertThat(huesDone.path("status").asText()).as(huesDone.toString()).isEqualTo("COMPLETED");
        JsonNode mailRounds = mailDone.path("rounds");
        JsonNode hueRounds = huesDone.path("rounds");
        assertThat(mailRounds.get(2).path("heldoutMacroF1").asDouble()).as(mailRounds.toString()).isGreaterThan(0.8);
        assertThat(hueRounds.get(2).path("heldoutMacroF1").asDouble()).as(hueRounds.toString()).isGreaterThan(0.5);
        assertThat(mailDone.path("task").path("datasets").path("energy").path("sha256").asText()).isEqualTo(mail.get("energy"));

        // The text task's versions are evaluated on its test split, per label, in the task's label order
        long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        JsonNode evaluation;
        while ((evaluation = Api.get("/federations/" + mailId).json().path("models").get(3).path("evaluation")).isMissingNode()
                || evaluation.isNull()) {
            assertThat(System.nanoTime()).as("evaluation of model version 3").isLessThan(end);
            CivitasServer.sleep(250);
        }
        assertThat(evaluation.path("split").asText()).isEqualTo("mail-test");
        assertThat(evaluation.path("macroF1").asDouble()).as(evaluation.toString()).isGreaterThan(0.8);
        assertThat(evaluation.path("confusion").path("labels").toString()).isEqualTo("[\"spam\",\"ham\"]");

        // The federations page shows what the plan pinned: the task version and each site's dataset version
        String page = Api.pageAs("auditor", "federations/index.xhtml").text();
        assertThat(page).contains("<strong>byo-mail v1</strong>").contains("energy: byo-mail (" + mail.get("energy").substring(0, 12) + "…)");

        // The trained models hold exactly the task's head and the modality's tensors
        NamedTensors text = SafeTensors.read(Api.get("/federations/" + mailId + "/models/3").body()).tensors();
        assertThat(text.names()).noneMatch(n -> n.startsWith("image.")).contains("text_proj.lora_a");
        assertThat(text.get("head.weight").shape()).containsExactly(2, 32);
        NamedTensors image = SafeTensors.read(Api.get("/federations/" + huesId + "/models/3").body()).tensors();
        assertThat(image.names()).noneMatch(n -> n.startsWith("text_proj")).contains("image.conv1.weight");
        assertThat(image.get("head.weight").shape()).containsExactly(10, 32);
        // the bound manifests (the registered ones sized by the tasks' labels) are what the plans name
        JsonNode bound = Api.get("/model-manifests/" + mailDone.path("modelManifestSha256").asText()).json();
        assertThat(bound.path("baseSha256").asText()).isEqualTo(textModel);
        assertThat(bound.path("task").asText()).isEqualTo("byo-mail");

        // Every round of a site trained on the pinned version: the manifest it imported, or the data-quality
        // job's curated copy of exactly that manifest, the same one in every round
        Map<String, String> trainedOn = new LinkedHashMap<>();
        for (JsonNode run : Api.get("/sites/runs?max=500").json()) {
            if (run.path("federationId").asLong() == mailId) {
                String manifest = run.path("trainingManifest").asText();
                assertThat(trainedOn.putIfAbsent(run.path("site").asText(), manifest)).as(run.toString()).isIn(null, manifest);
            }
        }
        assertThat(trainedOn).containsEntry("energy", "datasets/byo-mail/train.jsonl").containsOnlyKeys(SITES);
        assertThat(trainedOn.get("community")).as("curated by the quality run on the pinned manifest").isNotEqualTo("datasets/byo-mail/train.jsonl");
    }

    /**
     * A task that reads text and images, at sites whose data differ: one has only reports, one only
     * photos, one both. The plan takes the modality-aware rule by itself and refuses FedAvg; each site
     * sends only the towers its data trained, and the federation learns the task from either modality.
     */
    @Test
    void sitesWhoseDataDifferInModalitiesFederateThroughModalityAwareAggregation() throws Exception {
        assertCreated(Api.postJson("/tasks", "{\"name\": \"byo-signals\", \"description\": \"Stop or go, from a report or a photo\","
                + " \"labels\": [\"stop\", \"go\"], \"modalities\": [\"image\", \"text\"], \"primaryMetric\": \"macro-f1\"}"));
        String model = assertCreated(Api.postJson("/model-manifests", "{\"name\": \"signals-two-towers\", \"text\": " + MINILM
                + ", \"image\": {\"kind\": \"cnn\", \"size\": 16, \"channels\": [8, 16]}, \"fusion\": {\"hidden\": 32, \"seed\": 3},"
                + " \"adapter\": {\"rank\": 4, \"alpha\": 8, \"targets\": [\"text_proj\", \"fusion\"]}}")).path("sha256").asText();
        Map<String, Boolean[]> carries = new LinkedHashMap<>();
        carries.put("energy", new Boolean[] {true, false});
        carries.put("urban", new Boolean[] {false, true});
        carries.put("community", new Boolean[] {true, true});
        Map<String, String> signals = new LinkedHashMap<>();
        int seed = 70;
        for (Map.Entry<String, Boolean[]> site : carries.entrySet()) {
            Path folder = Files.createDirectories(CivitasServer.dataDir().resolve("sites/" + site.getKey() + "/datasets/byo-signals"));
            writeSignals(folder, "train", 24, seed++, site.getValue()[0], site.getValue()[1]);
            writeSignals(folder, "heldout", 10, seed++, site.getValue()[0], site.getValue()[1]);
            signals.put(site.getKey(), imported(site.getKey(), "byo-signals", "datasets/byo-signals/train.jsonl", "byo-signals"));
        }
        String plan = plan("byo-signals", model, "byo-signals", signals);

        Api.Answer fedAvg = Api.postJson("/plans/preview", plan.replace("\"rounds\": 3", "\"strategy\": \"fedavg\", \"rounds\": 3"));
        assertThat(fedAvg.status()).as(fedAvg.text()).isEqualTo(400);
        assertThat(fedAvg.json().path("error").asText()).contains("strategy: the pinned datasets differ in modalities (site energy has"
                + " no image, site urban has no text); such sites federate with 'modality-aware'");
        long id = assertCreated(Api.startFederation(plan)).path("id").asLong();
        JsonNode done = Api.awaitFinished(id, Duration.ofMinutes(8));

        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        assertThat(done.path("strategy").asText()).as(done.toString()).isEqualTo("modality-aware");
        JsonNode rounds = done.path("rounds");
        // each site judges the round's starting model on its own held-out modality: reports alone, photos alone, or both
        assertThat(rounds.get(2).path("heldoutMacroF1").asDouble()).as(rounds.toString()).isGreaterThan(0.8);
        NamedTensors start = SafeTensors.read(Api.get("/federations/" + id + "/models/0").body()).tensors();
        NamedTensors trained = SafeTensors.read(Api.get("/federations/" + id + "/models/3").body()).tensors();
        assertThat(trained.get("image.conv1.weight")).as("the photo sites trained the image tower").isNotEqualTo(start.get("image.conv1.weight"));
        assertThat(trained.get("text_proj.lora_b")).as("the report sites trained the text tower").isNotEqualTo(start.get("text_proj.lora_b"));
    }

    /**
     * An operator's own frozen ONNX image encoder: uploaded to the coordinator with the SHA-256 it must
     * have, checked by running it when a manifest names it, and served to the sites by that hash.
     */
    @Test
    void anOperatorsOnnxImageEncoderIsUploadedCheckedAndTrainedWith() throws Exception {
        byte[] encoder = Files.readAllBytes(Path.of("..", "batch-jobs", "model-worker", "src", "test", "resources", "onnx", "conv8.onnx"));
        String sha = sha256(encoder);
        String wrong = sha256("something else".getBytes());
        Api.Answer mismatched = Api.postBytes("/model-artifacts?sha256=" + wrong, encoder);
        assertThat(mismatched.status()).as(mismatched.text()).isEqualTo(422);
        assertThat(mismatched.json().path("error").asText()).isEqualTo("sha256: the uploaded bytes hash to " + sha + ", not the declared "
                + wrong + "; nothing was kept");
        assertThat(assertCreated(Api.postBytes("/model-artifacts?sha256=" + sha, encoder)).path("sizeBytes").asLong())
                .isEqualTo(encoder.length);

        String manifest = "{\"name\": \"markers-onnx\", \"image\": {\"kind\": \"onnx\", \"size\": 16, \"artifact\": \"sha256:" + sha
                + "\", \"sha256\": \"" + sha + "\", \"dim\": %d, \"mean\": [0.5, 0.5, 0.5], \"std\": [0.25, 0.25, 0.25],"
                + " \"layout\": \"NCHW\"}, \"fusion\": {\"hidden\": 32, \"seed\": 5}, \"adapter\": {\"rank\": 4, \"alpha\": 8,"
                + " \"targets\": [\"fusion\"]}}";
        Api.Answer wrongDim = Api.postJson("/model-manifests", manifest.formatted(16));
        assertThat(wrongDim.status()).as(wrongDim.text()).isEqualTo(422);
        assertThat(wrongDim.json().path("error").asText()).contains("image.dim: the encoder's output has 8 features, the manifest says 16");
        Api.Answer notUploaded = Api.postJson("/model-manifests", manifest.formatted(8).replace(sha, wrong));
        assertThat(notUploaded.status()).as(notUploaded.text()).isEqualTo(422);
        assertThat(notUploaded.json().path("error").asText()).contains("image.artifact: no artifact with sha256 " + wrong + " was uploaded");
        String model = assertCreated(Api.postJson("/model-manifests", manifest.formatted(8))).path("sha256").asText();

        assertCreated(Api.postJson("/tasks", "{\"name\": \"byo-markers\", \"description\": \"Which hue a marker has\", \"labels\": "
                + Api.JSON.writeValueAsString(HUES) + ", \"modalities\": [\"image\"], \"primaryMetric\": \"accuracy\"}"));
        Map<String, String> markers = new LinkedHashMap<>();
        for (int i = 0; i < SITES.size(); i++) {
            String site = SITES.get(i);
            Path folder = Files.createDirectories(CivitasServer.dataDir().resolve("sites/" + site + "/datasets/byo-markers"));
            writeHues(folder, "train", 8, 50 + i);
            writeHues(folder, "heldout", 3, 60 + i);
            markers.put(site, imported(site, "byo-markers", "datasets/byo-markers/train.jsonl", "byo-markers"));
        }
        long id = assertCreated(Api.startFederation(plan("byo-markers", model, "byo-markers", markers)
                .replace("\"localEpochs\": 5, \"learningRate\": 0.02", "\"localEpochs\": 10, \"learningRate\": 0.05"))).path("id").asLong();
        JsonNode done = Api.awaitFinished(id, Duration.ofMinutes(8));

        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        JsonNode rounds = done.path("rounds");
        // the sites judge each round's starting model on their held-out markers: 10 hues, chance is 0.1
        assertThat(rounds.get(2).path("heldoutMacroF1").asDouble()).as(rounds.toString()).isGreaterThan(0.3);
        NamedTensors trained = SafeTensors.read(Api.get("/federations/" + id + "/models/3").body()).tensors();
        assertThat(trained.names()).as("the frozen encoder is not federated").noneMatch(n -> n.startsWith("image."))
                .contains("fusion.lora_a");
        assertThat(trained.get("fusion.lora_a").shape()).containsExactly(4, 8);
    }

    /**
     * An operator's own frozen text encoder and its tokenizer.json, each uploaded with the SHA-256 it
     * must have and named by it; a manifest whose width disagrees with the encoder's is refused at
     * registration, and the sites fetch both by hash and train the spam-or-ham task with them.
     */
    @Test
    void anOperatorsOnnxTextEncoderAndTokenizerAreUploadedCheckedAndTrainedWith() throws Exception {
        byte[] encoder = Files.readAllBytes(Path.of("..", "batch-jobs", "model-worker", "src", "test", "resources", "onnx",
                "hashed-words32.onnx"));
        byte[] tokenizer;
        try (var in = getClass().getClassLoader().getResourceAsStream("all-minilm-l6-v2-tokenizer.json")) {
            tokenizer = in.readAllBytes();
        }
        String encoderSha = sha256(encoder);
        String tokenizerSha = sha256(tokenizer);
        String manifest = "{\"name\": \"mail-operator-encoder\", \"text\": {\"kind\": \"onnx\", \"artifact\": \"sha256:" + encoderSha
                + "\", \"tokenizer\": \"sha256:" + tokenizerSha + "\", \"sha256\": \"" + encoderSha + "\", \"dim\": %d, \"maxTokens\": 64},"
                + " \"fusion\": {\"hidden\": 32, \"seed\": 13}, \"adapter\": {\"rank\": 4, \"alpha\": 8, \"targets\": [\"text_proj\", \"fusion\"]}}";
        Api.Answer notUploaded = Api.postJson("/model-manifests", manifest.formatted(32));
        assertThat(notUploaded.status()).as(notUploaded.text()).isEqualTo(422);
        assertThat(notUploaded.json().path("error").asText()).contains("text.artifact: no artifact with sha256 " + encoderSha)
                .contains("text.tokenizer: no artifact with sha256 " + tokenizerSha);
        assertCreated(Api.postBytes("/model-artifacts?sha256=" + encoderSha, encoder));
        assertCreated(Api.postBytes("/model-artifacts?sha256=" + tokenizerSha, tokenizer));
        Api.Answer wrongDim = Api.postJson("/model-manifests", manifest.formatted(384));
        assertThat(wrongDim.status()).as(wrongDim.text()).isEqualTo(422);
        assertThat(wrongDim.json().path("error").asText()).contains("text.dim: the encoder's output has 32 features, the manifest says 384");
        String model = assertCreated(Api.postJson("/model-manifests", manifest.formatted(32))).path("sha256").asText();

        assertCreated(Api.postJson("/tasks", "{\"name\": \"byo-mail-own-encoder\", \"description\": \"Spam or wanted mail\","
                + " \"labels\": [\"spam\", \"ham\"], \"modalities\": [\"text\"], \"primaryMetric\": \"macro-f1\"}"));
        Map<String, String> mail = new LinkedHashMap<>();
        for (int i = 0; i < SITES.size(); i++) {
            String site = SITES.get(i);
            Path folder = Files.createDirectories(CivitasServer.dataDir().resolve("sites/" + site + "/datasets/byo-mail-own"));
            writeMail(folder.resolve("train.jsonl"), 40, 80 + i);
            writeMail(folder.resolve("heldout.jsonl"), 20, 90 + i);
            mail.put(site, imported(site, "byo-mail-own", "datasets/byo-mail-own/train.jsonl", "byo-mail-own-encoder"));
        }
        long id = assertCreated(Api.startFederation(plan("byo-mail-own-encoder", model, "byo-mail-own", mail))).path("id").asLong();
        JsonNode done = Api.awaitFinished(id, Duration.ofMinutes(8));

        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        JsonNode rounds = done.path("rounds");
        assertThat(rounds.get(2).path("heldoutMacroF1").asDouble()).as(rounds.toString()).isGreaterThan(0.8);
        NamedTensors trained = SafeTensors.read(Api.get("/federations/" + id + "/models/3").body()).tensors();
        assertThat(trained.get("text_proj.lora_a").shape()).as("the adapter reads the operator's 32-wide encoder").containsExactly(4, 32);
    }

    /**
     * The text tower adapted inside (LoRA on the attention of every MiniLM layer): registered after its
     * depth is checked against the file, federated, and the adapters the sites trained are in the model.
     */
    @Test
    void aTaskFederatesLoraInsideThePretrainedTextEncoder() throws Exception {
        String manifest = "{\"name\": \"mail-in-tower\", \"text\": " + MINILM.replace("}", ", \"mode\": \"adapters\", \"layers\": %d,"
                + " \"heads\": 12}") + ", \"fusion\": {\"hidden\": 32, \"seed\": 17}, \"adapter\": {\"rank\": 4, \"alpha\": 8,"
                + " \"targets\": [\"query\", \"value\", \"fusion\"]}}";
        Api.Answer wrongDepth = Api.postJson("/model-manifests", manifest.formatted(4));
        assertThat(wrongDepth.status()).as(wrongDepth.text()).isEqualTo(422);
        assertThat(wrongDepth.json().path("error").asText()).contains("text.layers: the encoder has 6 layers, the manifest says 4");
        String model = assertCreated(Api.postJson("/model-manifests", manifest.formatted(6))).path("sha256").asText();

        assertCreated(Api.postJson("/tasks", "{\"name\": \"byo-mail-in-tower\", \"description\": \"Spam or wanted mail\","
                + " \"labels\": [\"spam\", \"ham\"], \"modalities\": [\"text\"], \"primaryMetric\": \"macro-f1\"}"));
        Map<String, String> mail = new LinkedHashMap<>();
        for (int i = 0; i < SITES.size(); i++) {
            String site = SITES.get(i);
            Path folder = Files.createDirectories(CivitasServer.dataDir().resolve("sites/" + site + "/datasets/byo-mail-in-tower"));
            writeMail(folder.resolve("train.jsonl"), 24, 110 + i);
            writeMail(folder.resolve("heldout.jsonl"), 20, 120 + i);
            mail.put(site, imported(site, "byo-mail-in-tower", "datasets/byo-mail-in-tower/train.jsonl", "byo-mail-in-tower"));
        }
        // FFA-LoRA: every site keeps the A factors at their shared start, so averaging the B factors is exact
        long id = assertCreated(Api.startFederation(plan("byo-mail-in-tower", model, "byo-mail-in-tower", mail)
                .replace("\"localEpochs\": 5", "\"strategy\": \"ffa-lora\", \"localEpochs\": 3"))).path("id").asLong();
        JsonNode done = Api.awaitFinished(id, Duration.ofMinutes(8));

        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        assertThat(done.path("rounds").get(2).path("heldoutMacroF1").asDouble()).as(done.path("rounds").toString()).isGreaterThan(0.8);
        NamedTensors trained = SafeTensors.read(Api.get("/federations/" + id + "/models/3").body()).tensors();
        float[] b = trained.get("text.encoder.layer.5.attention.self.value.lora_B.weight").values();
        float largest = 0;
        for (float v : b) {
            largest = Math.max(largest, Math.abs(v));
        }
        assertThat(largest).as("the last layer's value adapter, zero at round 0, was trained").isPositive();
        NamedTensors start = SafeTensors.read(Api.get("/federations/" + id + "/models/0").body()).tensors();
        assertThat(trained.get("text.encoder.layer.5.attention.self.value.lora_A.weight"))
                .as("FFA-LoRA left A where it started").isEqualTo(start.get("text.encoder.layer.5.attention.self.value.lora_A.weight"));
        assertThat(trained.get("fusion.lora_a")).isEqualTo(start.get("fusion.lora_a"));
        assertThat(trained.names()).noneMatch(n -> n.startsWith("text.encoder.") && !n.contains(".lora_"));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static JsonNode assertCreated(Api.Answer answer) {
        assertThat(answer.status()).as(answer.text()).isEqualTo(201);
        return answer.json();
    }

    /** Imports a manifest at a site as its data steward; answers the registered content hash. */
    private static String imported(String site, String name, String manifest, String task) {
        Api.Answer imported = Api.postJsonAs(site + "-steward", "/sites/" + site + "/datasets",
                "{\"name\": \"" + name + "\", \"manifest\": \"" + manifest + "\", \"task\": \"" + task + "\"}");
        assertThat(imported.status()).as(imported.text()).isEqualTo(201);
        return imported.json().path("registered").path("contentSha256").asText();
    }

    private static String plan(String task, String manifest, String dataset, Map<String, String> hashes) {
        StringBuilder datasets = new StringBuilder();
        hashes.forEach((site, hash) -> datasets.append(datasets.length() == 0 ? "" : ", ").append('"').append(site)
                .append("\": {\"name\": \"").append(dataset).append("\", \"sha256\": \"").append(hash).append("\"}"));
        return "{\"name\": \"BYO " + task + "\", \"task\": \"" + task + "\", \"modelManifest\": \"" + manifest + "\", \"datasets\": {"
                + datasets + "}, \"rounds\": 3, \"localEpochs\": 5, \"learningRate\": 0.02, \"batchSize\": 16}";
    }

    private static final String[] SPAM = {"Win a free cruise now, click the link", "Cheap pills, limited offer, buy today",
            "You have won a lottery prize, send your bank details", "Exclusive deal: earn money from home fast",
            "Claim your gift card before midnight", "Hot singles in your area want to meet"};
    private static final String[] HAM = {"The meeting moved to Thursday at ten", "Please review the attached maintenance report",
            "Lunch with the team tomorrow?", "The boiler inspection is scheduled for next week",
            "Can you send me the minutes of the call", "The delivery arrived at the north entrance"};

    private static void writeMail(Path file, int count, long seed) throws Exception {
        Random random = new Random(seed);
        String[] tails = {"", " please", " today", " for everyone", " as discussed", " thanks"};
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            boolean spam = random.nextBoolean();
            String[] pool = spam ? SPAM : HAM;
            lines.add("{\"id\": \"m" + seed + "-" + i + "\", \"text\": \"" + pool[random.nextInt(pool.length)]
                    + tails[random.nextInt(tails.length)] + "\", \"label\": \"" + (spam ? "spam" : "ham") + "\"}");
        }
        Files.write(file, lines);
    }

    private static final String[][] SIGNAL_REPORTS = {
            {"Halt, the road ahead is closed", "Danger, do not enter the site", "Stop all work at once", "Blocked: wait for clearance"},
            {"The way is clear, carry on", "All safe, proceed as planned", "Cleared to continue the work", "Open road, go ahead"}};

    /**
     * Stop-or-go samples: a report, a photo of a red or green square, or both, as the site's data carry;
     * a manifest {@code split}.jsonl beside the images.
     */
    private static void writeSignals(Path folder, String split, int count, long seed, boolean text, boolean photo) throws Exception {
        Random random = new Random(seed);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int label = i % 2;
            StringBuilder line = new StringBuilder("{\"id\": \"" + split + seed + "-" + i + "\"");
            if (text) {
                line.append(", \"text\": \"").append(SIGNAL_REPORTS[label][random.nextInt(4)]).append('"');
            }
            if (photo) {
                BufferedImage image = new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = image.createGraphics();
                g.setColor(Color.GRAY);
                g.fillRect(0, 0, 24, 24);
                g.setColor(label == 0 ? new Color(200 + random.nextInt(56), 30, 30) : new Color(30, 160 + random.nextInt(96), 40));
                int size = 8 + random.nextInt(10);
                g.fillRect(random.nextInt(24 - size), random.nextInt(24 - size), size, size);
                g.dispose();
                String name = split + "-" + i + ".png";
                ImageIO.write(image, "png", folder.resolve(name).toFile());
                line.append(", \"image\": \"").append(name).append('"');
            }
            lines.add(line.append(", \"label\": \"").append(label == 0 ? "stop" : "go").append("\"}").toString());
        }
        Files.write(folder.resolve(split + ".jsonl"), lines);
    }

    /** A square of the label's hue on grey, at a random place and size; a site's manifest {@code split}.jsonl beside the images. */
    private static void writeHues(Path folder, String split, int perLabel, long seed) throws Exception {
        Random random = new Random(seed);
        List<String> lines = new ArrayList<>();
        for (int l = 0; l < HUES.size(); l++) {
            for (int i = 0; i < perLabel; i++) {
                BufferedImage image = new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = image.createGraphics();
                g.setColor(Color.GRAY);
                g.fillRect(0, 0, 24, 24);
                g.setColor(Color.getHSBColor(l / (float) HUES.size(), 0.9f, 0.9f));
                int size = 8 + random.nextInt(10);
                g.fillRect(random.nextInt(24 - size), random.nextInt(24 - size), size, size);
                g.dispose();
                String name = split + "-" + l + "-" + i + ".png";
                ImageIO.write(image, "png", folder.resolve(name).toFile());
                lines.add("{\"id\": \"" + split + seed + "-" + l + "-" + i + "\", \"image\": \"" + name + "\", \"label\": \"" + HUES.get(l) + "\"}");
            }
        }
        Files.write(folder.resolve(split + ".jsonl"), lines);
    }
}
