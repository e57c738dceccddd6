package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The multimodal model end to end: each site trains the fusion model with LoRA adapters on its own
 * images and reports in the model worker process (MiniLM on ONNX Runtime, DJL on libtorch), and
 * the coordinator aggregates only the trainable tensors.
 */
@ExtendWith(CivitasServer.class)
class MultimodalIT {

    private static final ModelManifest MANIFEST = ModelManifest.citySafetyDefault();

    @Test
    void theJsonLogCarriesTheFederationRoundAndSiteOfEachLine() throws Exception {
        java.nio.file.Path log = CivitasServer.workDir().resolve("log").resolve("civitas.json.log");
        java.time.Instant deadline = java.time.Instant.now().plus(Duration.ofMinutes(3));
        JsonNode training = null;
        JsonNode aggregation = null;
        while (training == null || aggregation == null) {
            assertThat(java.time.Instant.now()).as("JSON log lines of a site's training and a round's aggregation in " + log).isBefore(deadline);
            if (java.nio.file.Files.exists(log)) {
                for (String line : java.nio.file.Files.readAllLines(log)) {
                    JsonNode entry = Api.JSON.readTree(line);
                    String logger = entry.path("loggerName").asText();
                    if (logger.endsWith("LocalFineTuneService") && entry.path("message").asText().contains("worker training")) {
                        training = entry;
                    }
                    if (logger.endsWith("RoundAggregator") && entry.path("message").asText().contains("aggregated")) {
                        aggregation = entry;
                    }
                }
            }
            CivitasServer.sleep(1000);
        }
        JsonNode mdc = training.path("mdc");
        assertThat(mdc.path("site").asText()).as(training.toString()).isIn("energy", "community", "urban");
        assertThat(training.path("message").asText()).startsWith("Site " + mdc.path("site").asText() + " round " + mdc.path("round").asText() + ":");
        assertThat(mdc.path("federation").asLong()).isPositive();
        assertThat(aggregation.path("message").asText()).as(aggregation.toString())
                .startsWith("Federation " + aggregation.path("mdc").path("federation").asText() + " round " + aggregation.path("mdc").path("round").asText());
        assertThat(aggregation.path("app").asText()).isEqualTo("civitas");
    }

    @Test
    void sitesTrainTheMultimodalModelInTheWorkerAndTheGlobalLossFalls() throws Exception {
        Api.Answer started = Api.startFederation(Api.citySafetyPlan("{\"name\": \"Multimodal check\", \"model\": \"multimodal-lora\","
                + " \"rounds\": 2}"));
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        long id = started.json().path("id").asLong();
        assertThat(started.json().path("planSha256").asText()).hasSize(64);

        JsonNode f = Api.awaitFinished(id, Duration.ofMinutes(5));

        assertThat(f.path("status").asText()).as(f.toString()).isEqualTo("COMPLETED");
        JsonNode rounds = f.path("rounds");
        assertThat(rounds.get(0).path("receipts").findValuesAsText("site")).containsExactlyInAnyOrder("energy", "community", "urban");
        // Round 1 starts from the untrained model (loss about ln 12 = 2.48, accuracy near chance); the sites'
        // data are non-IID, so the loss of the average moves little while its accuracy rises
        assertThat(rounds.get(0).path("globalLoss").asDouble()).isGreaterThan(2.2);
        assertThat(rounds.get(1).path("globalAccuracy").asDouble()).as(rounds.toString())
                .isGreaterThan(rounds.get(0).path("globalAccuracy").asDouble() + 0.1);
        // The sites judge each round's starting model on their held-out splits, which they never train on
        assertThat(rounds.get(1).path("heldoutMacroF1").asDouble()).as(rounds.toString())
                .isGreaterThan(rounds.get(0).path("heldoutMacroF1").asDouble());
        for (JsonNode receipt : rounds.get(1).path("receipts")) {
            assertThat(receipt.path("trainLoss").asDouble()).isLessThan(receipt.path("globalLoss").asDouble());
        }
        assertThat(rounds.get(0).path("contributions").size()).as("not valued in the server").isZero();
        // Each site trains both rounds on one version of its data, even when a data-quality run ends in between
        java.util.Map<String, String> manifestOf = new java.util.HashMap<>();
        for (JsonNode run : Api.get("/sites/runs?max=200").json()) {
            if (run.path("federationId").asLong() == id) {
                assertThat(run.path("manifestSha256").asText()).as(run.toString()).matches("[0-9a-f]{64}");
                String before = manifestOf.putIfAbsent(run.path("site").asText(), run.path("manifestSha256").asText());
                assertThat(before == null ? run.path("manifestSha256").asText() : before).as(run.toString())
                        .isEqualTo(run.path("manifestSha256").asText());
            }
        }
        assertThat(manifestOf).containsOnlyKeys("energy", "community", "urban");
        for (JsonNode receipt : rounds.get(1).path("receipts")) {
            String site = receipt.path("site").asText();
            JsonNode first = null;
            for (JsonNode r : rounds.get(0).path("receipts")) {
                first = site.equals(r.path("site").asText()) ? r : first;
            }
            assertThat(first).isNotNull();
            assertThat(receipt.path("sampleCount").asLong()).as(site + " trains on the same samples").isEqualTo(first.path("sampleCount").asLong());
        }

        NamedTensors model = SafeTensors.read(Api.get("/federations/" + id + "/models/2").body()).tensors();
        assertThat(model.names()).isEqualTo(MANIFEST.trainableShapes().keySet());
        assertThat(model.names()).noneMatch(n -> n.endsWith(".base"));
        assertThat(f.path("modelManifestSha256").asText()).isEqualTo(MANIFEST.sha256());

        // Every trained version is evaluated on the coordinator's clean test split, per scenario too
        long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        JsonNode v2;
        while ((v2 = Api.get("/federations/" + id).json().path("models").get(2).path("evaluation")).isMissingNode() || v2.isNull()) {
            assertThat(System.nanoTime()).as("evaluation of model version 2").isLessThan(end);
            CivitasServer.sleep(250);
        }
        assertThat(v2.path("split").asText()).isEqualTo("city-safety-test");
        assertThat(v2.path("macroF1").asDouble()).isBetween(0.0, 1.0);
        assertThat(v2.path("accuracy").asDouble()).isGreaterThan(1.0 / 12);
        assertThat(Api.JSON.readTree(v2.path("macroF1ByScenario").asText()).size()).isEqualTo(10);
        // Per label: the confusion matrix in the task's label order, and each label's precision, recall and F1 from it
        JsonNode confusion = v2.path("confusion");
        assertThat(confusion.path("labels").size()).isEqualTo(12);
        assertThat(confusion.path("labels").get(0).asText()).isEqualTo("smoke_fire");
        int total = 0;
        int diagonal = 0;
        for (int t = 0; t < 12; t++) {
            assertThat(confusion.path("counts").get(t).size()).isEqualTo(12);
            for (int p = 0; p < 12; p++) {
                int count = confusion.path("counts").get(t).get(p).asInt();
                total += count;
                diagonal += t == p ? count : 0;
            }
        }
        assertThat((double) diagonal / total).as("the matrix's diagonal is the accuracy").isCloseTo(v2.path("accuracy").asDouble(),
                org.assertj.core.api.Assertions.within(1e-9));
        assertThat(v2.path("perLabel")).hasSize(12);
        int support = 0;
        for (JsonNode label : v2.path("perLabel")) {
            assertThat(label.path("f1").asDouble()).isBetween(0.0, 1.0);
            support += label.path("support").asInt();
        }
        assertThat(support).isEqualTo(total);
        String registry = Api.getAbsolute(CivitasServer.BASE + "/registry/index.xhtml?federation=" + id).text();
        assertThat(registry).contains("Evaluation of version").contains("class=\"confusion\"");
    }

    @Test
    void plansTheMultimodalModelCannotServeAreRefusedWhenThePlanIsMade() {
        Api.Answer incentives = Api.startFederation(Api.citySafetyPlan("{\"model\": \"multimodal-lora\", \"incentives\": {\"rewardPerRound\": 5}}"));
        Api.Answer noTask = Api.startFederation("{\"model\": \"multimodal-lora\"}");

        assertThat(incentives.status()).isEqualTo(400);
        assertThat(incentives.json().path("error").asText()).contains("incentives need per-site contribution values");
        assertThat(noTask.status()).isEqualTo(400);
        assertThat(noTask.json().path("error").asText()).contains("task: multimodal-lora trains a registered task's model");
    }

    @Test
    void loraStackingFederatesTheAdaptersWithEachSiteAtItsOwnRank() throws Exception {
        Api.Answer started = Api.startFederation(Api.citySafetyPlan("{\"name\": \"Stacking check\", \"model\": \"multimodal-lora\","
                + " \"strategy\": \"lora-stacking\", \"rounds\": 1, \"localEpochs\": 2}"));
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        long id = started.json().path("id").asLong();

        JsonNode f = Api.awaitFinished(id, Duration.ofMinutes(5));

        assertThat(f.path("status").asText()).as(f.toString()).isEqualTo("COMPLETED");
        assertThat(f.path("rounds").get(0).path("receipts").findValuesAsText("site")).containsExactlyInAnyOrder("energy", "community", "urban");
        // The demo's sites train at ranks 4, 2 and 3 (the manifest's is 4): each sends its own rank's factors.
        java.util.Map<String, Integer> ranks = java.util.Map.of("energy", 4, "community", 2, "urban", 3);
        ranks.forEach((site, rank) -> {
            java.nio.file.Path sent = CivitasServer.dataDir().resolve("sites").resolve(site).resolve("outbox")
                    .resolve("federation-" + id + "-round-1.safetensors");
            NamedTensors update;
            try {
                update = SafeTensors.read(java.nio.file.Files.readAllBytes(sent)).tensors();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            assertThat(update.get("fusion.lora_a").shape()).as(site).containsExactly(rank, MANIFEST.fusionInputDim());
            assertThat(update.get("text_proj.lora_b").shape()).as(site).containsExactly(MANIFEST.fusion().hidden(), rank);
            assertThat(update.get("head.weight").shape()).as(site).containsExactly(MANIFEST.labels().size(), MANIFEST.fusion().hidden());
        });
        // The stacked product is re-projected to the global rank, and it moved: the model version is the manifest's shapes.
        NamedTensors v1 = SafeTensors.read(Api.get("/federations/" + id + "/models/1").body()).tensors();
        NamedTensors v0 = SafeTensors.read(Api.get("/federations/" + id + "/models/0").body()).tensors();
        MANIFEST.trainableShapes().forEach((name, shape) -> assertThat(v1.get(name).shape()).as(name).containsExactly(shape));
        assertThat(org.civitas.federation.core.aggregation.LoraStacking.product(v1,
                new org.civitas.federation.core.aggregation.LoraTensors.Pair("fusion", "fusion.lora_a", "fusion.lora_b")))
                .isNotEqualTo(org.civitas.federation.core.aggregation.LoraStacking.product(v0,
                        new org.civitas.federation.core.aggregation.LoraTensors.Pair("fusion", "fusion.lora_a", "fusion.lora_b")));
    }

    @Test
    void aWorkerKilledMidRoundIsRestartedAndTheRoundStillCompletes() throws Exception {
        Api.Answer started = Api.startFederation(Api.citySafetyPlan("{\"name\": \"Worker crash check\", \"model\": \"multimodal-lora\","
                + " \"rounds\": 1, \"localEpochs\": 40, \"roundTimeoutSeconds\": 600}"));
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        long id = started.json().path("id").asLong();

        // Wait until a site has trained a few of its 40 epochs in the worker, then kill the worker process outright
        long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!trainingInWorker(id)) {
            assertThat(System.nanoTime()).as("a site training federation " + id + " in the worker").isLessThan(end);
            CivitasServer.sleep(100);
        }
        List<ProcessHandle> workers = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains("org.civitas.worker.WorkerMain")).toList();
        assertThat(workers).as("the server's model worker process").isNotEmpty();
        workers.forEach(ProcessHandle::destroyForcibly);

        JsonNode f = Api.awaitFinished(id, Duration.ofMinutes(5));

        assertThat(f.path("status").asText()).as(f.toString()).isEqualTo("COMPLETED");
        assertThat(f.path("rounds").get(0).path("receipts").findValuesAsText("site")).containsExactlyInAnyOrder("energy", "community", "urban");
        int attempts = 0;
        for (JsonNode run : Api.get("/sites/runs?max=200").json()) {
            if (run.path("federationId").asLong() == id) {
                assertThat(run.path("status").asText()).isEqualTo("UPLOADED");
                attempts = Math.max(attempts, run.path("attempts").asInt());
            }
        }
        assertThat(attempts).as("the run whose worker was killed was restarted").isGreaterThanOrEqualTo(2);
        // The restarted run resumed from the killed one's last epoch checkpoint
        assertThat(java.nio.file.Files.readString(CivitasServer.dataDir().resolve("worker").resolve("worker.log")))
                .contains("Resuming from checkpoint");
    }

    /** True once a site's run of the federation reports more than 3 of its 40 epochs done (so checkpoints exist). */
    private static boolean trainingInWorker(long federation) {
        java.util.regex.Pattern progress = java.util.regex.Pattern.compile("training in the model worker: step (\\d+) of (\\d+).*");
        for (JsonNode run : Api.get("/sites/runs?max=200").json()) {
            java.util.regex.Matcher m = progress.matcher(run.path("message").asText());
            if (run.path("federationId").asLong() == federation && m.matches()
                    && Integer.parseInt(m.group(1)) > 3 * Integer.parseInt(m.group(2)) / 40) {
                return true;
            }
        }
        return false;
    }
}
