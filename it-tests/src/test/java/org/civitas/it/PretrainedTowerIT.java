package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.model.manifest.MultimodalWeights;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An image tower pretrained at the coordinator on the demo's public data, as a batch job with
 * progress, becomes version 0 of a federation whose manifest names it as its base and adapts it
 * with LoRA: the sites fetch the base by its hash and train only the adapters of the frozen layers.
 */
@ExtendWith(CivitasServer.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PretrainedTowerIT {

    private static final String MINILM = """
            {"kind": "onnx", "artifact": "classpath:all-minilm-l6-v2.onnx", "tokenizer": "classpath:all-minilm-l6-v2-tokenizer.json",
             "sha256": "759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e", "dim": 384, "maxTokens": 128}""";

    /** A manifest of the demo's two towers whose image tower starts from {@code base}, its convolutions adapted by LoRA. */
    private static String adaptedManifest(String base) {
        return """
                {"name": "city-safety-pretrained", "text": %s,
                 "image": {"kind": "cnn", "size": 32, "preset": "small", "base": "%s"},
                 "fusion": {"hidden": 64, "seed": 20261127},
                 "adapter": {"rank": 4, "alpha": 8, "targets": ["text_proj", "fusion", "image.conv1", "image.conv2"]}}"""
                .formatted(MINILM, base);
    }

    @Test
    void theDemosPublicDataIsRegisteredForPretrainingAndABadRegistrationIsRefusedNamingWhy() {
        JsonNode datasets = Api.get("/public-datasets").json();
        JsonNode demo = null;
        for (JsonNode d : datasets) {
            if ("city-safety-public".equals(d.path("name").asText())) {
                demo = d;
            }
        }
        assertThat(demo).as(datasets.toString()).isNotNull();
        assertThat(demo.path("samples").asInt()).isGreaterThan(100);
        assertThat(demo.path("labels").size()).isGreaterThan(2);
        assertThat(demo.path("contentSha256").asText()).hasSize(64);

        Api.Answer escaping = Api.postJson("/public-datasets", "{\"name\": \"escape\", \"manifest\": \"../../../etc/hosts\"}");
        assertThat(escaping.status()).as(escaping.text()).isEqualTo(400);
        assertThat(escaping.text()).contains("leaves the coordinator's folder");
        Api.Answer twice = Api.postJson("/public-datasets", "{\"name\": \"city-safety-public\", \"manifest\": \""
                + demo.path("manifest").asText() + "\"}");
        assertThat(twice.status()).as(twice.text()).isEqualTo(409);
        Api.Answer steward = Api.postJsonAs("energy-steward", "/public-datasets", "{\"name\": \"mine\", \"manifest\": \"x.jsonl\"}");
        assertThat(steward.status()).as(steward.text()).isEqualTo(403);
        Api.Answer badTower = Api.postJson("/tower-pretrainings", "{\"name\": \"bad\", \"dataset\": \"city-safety-public\","
                + " \"image\": {\"kind\": \"cnn\", \"size\": 32, \"blocks\": [{\"channels\": 8, \"kernel\": 4}]}}");
        assertThat(badTower.status()).as(badTower.text()).isEqualTo(400);
        assertThat(badTower.text()).contains("image.blocks[0].kernel must be odd");
    }

    @Test
    void aTowerPretrainedOnPublicDataIsVersionZeroOfAFederationThatAdaptsItWithLora() throws Exception {
        Api.Answer started = Api.postJson("/tower-pretrainings", """
                {"name": "small on public photos", "image": {"kind": "cnn", "size": 32, "preset": "small"},
                 "dataset": "city-safety-public", "epochs": 4, "batchSize": 32, "learningRate": 0.002, "seed": 4}""");
        assertThat(started.status()).as(started.text()).isEqualTo(202);
        long id = started.json().path("id").asLong();
        assertThat(started.json().path("jobExecutionId").isNumber()).isTrue();
        CivitasServer.await(Duration.ofMinutes(5), "pretraining run " + id + " ends", () ->
                Api.get("/tower-pretrainings/" + id).json().path("status").asText().matches("COMPLETED|FAILED"));
        JsonNode run = Api.get("/tower-pretrainings/" + id).json();

        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
        assertThat(run.path("steps").asInt()).isGreaterThan(0).isEqualTo(run.path("stepsDone").asInt());
        assertThat(run.path("loss").size()).as("the loss curve").isGreaterThan(2);
        assertThat(run.path("loss").get(run.path("loss").size() - 1).asDouble()).as("the loss fell")
                .isLessThan(run.path("loss").get(0).asDouble());
        int labels = Api.get("/public-datasets").json().findValues("labels").get(0).size();
        assertThat(run.path("heldoutSamples").asInt()).isGreaterThan(0);
        assertThat(run.path("heldoutAccuracy").asDouble()).as("held-out accuracy on the tenth of the public data it did not see,"
                + " against 1/" + labels + " by chance").isGreaterThan(3.0 / labels);
        assertThat(run.path("image").asText()).as("the tower's lineage, spelt out").contains("\"blocks\"").contains("\"channels\":32");
        String base = run.path("base").asText();
        assertThat(base).startsWith("sha256:");

        Api.Answer unknownBase = Api.postJson("/model-manifests", adaptedManifest("sha256:" + "0".repeat(64)));
        assertThat(unknownBase.status()).as(unknownBase.text()).isEqualTo(422);
        assertThat(unknownBase.text()).contains("image.base: no artifact with sha256 " + "0".repeat(64));
        Api.Answer registered = Api.postJson("/model-manifests", adaptedManifest(base));
        assertThat(registered.status()).as(registered.text()).isEqualTo(201);
        JsonNode lineage = registered.json().path("imageBase");
        assertThat(lineage.path("pretraining").asLong()).isEqualTo(id);
        assertThat(lineage.path("dataset").asText()).isEqualTo("city-safety-public");

        ObjectNode plan = (ObjectNode) Api.JSON.readTree(Api.citySafetyPlan("{\"name\": \"Pretrained tower\", \"rounds\": 1,"
                + " \"sites\": [\"energy\", \"urban\"]}"));
        plan.put("modelManifest", registered.json().path("sha256").asText());
        Api.Answer federation = Api.startFederation(Api.JSON.writeValueAsString(plan));
        assertThat(federation.status()).as(federation.text()).isEqualTo(201);
        long f = federation.json().path("id").asLong();
        NamedTensors v0 = SafeTensors.read(Api.get("/federations/" + f + "/models/0").body()).tensors();

        assertThat(v0.names()).doesNotContain("image.conv1.weight", "image.conv2.bias").contains("image.conv1.lora_A.weight",
                "image.dense1.weight");
        assertThat(v0.get("image.conv1.lora_B.weight").values()).as("B starts at zero: version 0 is the pretrained tower").containsOnly(0f);
        ModelManifest fromScratch = ModelManifest.parse("""
                {"name": "s", "image": {"kind": "cnn", "size": 32, "preset": "small"}, "fusion": {"hidden": 64, "seed": 20261127},
                 "adapter": {"rank": 4, "alpha": 8, "targets": ["fusion"]}, "labels": ["a", "b"]}""");
        assertThat(v0.get("image.dense1.weight").values()).as("the dense layer starts pretrained, not from the seed")
                .isNotEqualTo(MultimodalWeights.initialState(fromScratch).get("image.dense1.weight").values());

        assertThat(Api.awaitFinished(f, Duration.ofMinutes(5)).path("status").asText()).isEqualTo("COMPLETED");
        NamedTensors v1 = SafeTensors.read(Api.get("/federations/" + f + "/models/1").body()).tensors();
        assertThat(v1.get("image.conv1.lora_B.weight").values()).as("the sites trained LoRA on the frozen pretrained convolution")
                .isNotEqualTo(v0.get("image.conv1.lora_B.weight").values());
    }
}
