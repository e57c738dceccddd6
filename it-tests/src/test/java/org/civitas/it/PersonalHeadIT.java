package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Personal heads (FedRep's personal step): a site's data steward trains the head of a released
 * version on the site's own data in the personal-head job, sees it against the global version on
 * the site's held-out data, and the site answers predictions with it on request.
 */
@ExtendWith(CivitasServer.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PersonalHeadIT {

    private static final String REPORT = "Water is pouring through the ceiling of the basement corridor.";

    private static Api.Answer predict(String version, Long head) {
        return Api.postJsonAs("energy-operator", "/sites/energy/predictions", "{\"version\": \"" + version + "\""
                + (head == null ? "" : ", \"personalHead\": " + head) + ", \"inputs\": [{\"text\": \"" + REPORT + "\"}]}");
    }

    @Test
    void aSiteTrainsItsOwnHeadOnAReleasedVersionComparesItOnItsHeldOutDataAndAnswersWithIt() throws Exception {
        Api.Answer started = Api.startFederation(Api.citySafetyPlan("{\"name\": \"Personal head check\", \"rounds\": 1}"));
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        long f = started.json().path("id").asLong();
        assertThat(Api.awaitFinished(f, Duration.ofMinutes(5)).path("status").asText()).isEqualTo("COMPLETED");
        CivitasServer.await(Duration.ofMinutes(2), "model version 1 is evaluated", () ->
                Api.get("/federations/" + f).json().path("models").get(1).path("evaluation").isObject());
        String unreleased = Api.get("/federations/" + f).json().path("models").get(0).path("sha256").asText();
        JsonNode release = Api.postJson("/releases", "{\"federation\": " + f + ", \"version\": 1, \"note\": \"for the sites\"}").json();
        assertThat(Api.postJsonAs("consortium-compliance", "/releases/" + release.path("id").asLong() + "/decision",
                "{\"approve\": true, \"comment\": \"fine\"}").status()).isEqualTo(200);
        String version = release.path("modelSha256").asText();
        String body = "{\"version\": \"" + version + "\", \"dataset\": \"datasets/city-safety/train.jsonl\","
                + " \"heldout\": \"datasets/city-safety/heldout.jsonl\", \"epochs\": 8}";

        // Bad requests first: each names what is wrong, and none trains anything.
        Map<String, String> refusals = new LinkedHashMap<>();
        refusals.put(body.replace(version, unreleased), "404 is not a released model version");
        refusals.put(body.replace("\"epochs\": 8", "\"epochs\": 0"), "400 epochs: must be in [1, 100], was 0");
        refusals.put(body.replace("heldout.jsonl", "missing.jsonl"), "400 manifest 'datasets/city-safety/missing.jsonl' does not exist");
        refusals.put("{\"version\": \"" + version + "\"}", "400 dataset: give the training manifest's path");
        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            Api.Answer refused = Api.postJsonAs("energy-steward", "/sites/energy/personal-heads", refusal.getKey());
            assertThat(refused.status()).as(refused.text()).isEqualTo(Integer.parseInt(refusal.getValue().substring(0, 3)));
            assertThat(refused.json().path("error").asText()).contains(refusal.getValue().substring(4));
        }
        assertThat(Api.postJsonAs("energy-operator", "/sites/energy/personal-heads", body).status()).as("a data steward's task").isEqualTo(403);
        assertThat(Api.postJsonAs("community-steward", "/sites/energy/personal-heads", body).status()).isEqualTo(403);
        java.time.ZonedDateTime later = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusHours(12);
        assertThat(Api.putJsonAs("energy-operator", "/sites/energy/windows", "[{\"cron\": \"0 0 " + later.getHour()
                + " * * ?\", \"lengthSeconds\": 60, \"timeZone\": \"UTC\"}]").status()).isEqualTo(200);
        try {
            Api.Answer closed = Api.postJsonAs("energy-steward", "/sites/energy/personal-heads", body);
            assertThat(closed.status()).as(closed.text()).isEqualTo(409);
            assertThat(closed.json().path("error").asText()).startsWith("site energy trains inside its windows only");
        } finally {
            Api.putJsonAs("energy-operator", "/sites/energy/windows", "[]");
        }
        assertThat(Api.getAs("energy-steward", "/sites/energy/personal-heads").json()).as("nothing started").isEmpty();

        Api.Answer requested = Api.postJsonAs("energy-steward", "/sites/energy/personal-heads", body);
        assertThat(requested.status()).as(requested.text()).isEqualTo(202);
        long id = requested.json().path("id").asLong();
        JsonNode[] head = new JsonNode[1];
        CivitasServer.await(Duration.ofMinutes(4), "personal head " + id + " is trained", () -> {
            head[0] = Api.getAs("energy-steward", "/sites/energy/personal-heads/" + id).json();
            return !"STARTED".equals(head[0].path("status").asText());
        });
        JsonNode trained = head[0];
        assertThat(trained.path("status").asText()).as(trained.toString()).isEqualTo("COMPLETED");
        assertThat(trained.path("stepsDone").asInt()).isEqualTo(trained.path("stepsTotal").asInt()).isPositive();
        assertThat(trained.path("trainSamples").asInt()).isPositive();
        assertThat(trained.path("heldoutSamples").asInt()).isPositive();
        // One round leaves the global head far from the site's data; its own head, trained on it, does better on held-out data.
        assertThat(trained.path("personalMacroF1").asDouble()).isGreaterThan(trained.path("globalMacroF1").asDouble());
        assertThat(Files.exists(CivitasServer.dataDir().resolve("sites/energy/personal/head-" + id + ".safetensors"))).isTrue();

        Api.Answer global = predict(version, null);
        Api.Answer personal = predict(version, id);
        assertThat(personal.status()).as(personal.text()).isEqualTo(200);
        assertThat(personal.json().path("personalHead").asLong()).isEqualTo(id);
        assertThat(global.json().hasNonNull("personalHead")).as("the global version answered").isFalse();
        assertThat(personal.json().path("predictions").get(0).path("probabilities"))
                .as("the personal head answers otherwise").isNotEqualTo(global.json().path("predictions").get(0).path("probabilities"));
        Api.Answer unknown = predict(version, 9999L);
        assertThat(unknown.status()).as(unknown.text()).isEqualTo(404);
        assertThat(Api.postJsonAs("community-steward", "/sites/community/predictions", "{\"version\": \"" + version
                + "\", \"personalHead\": " + id + ", \"inputs\": [{\"text\": \"smoke\"}]}").status())
                .as("energy's head is energy's own").isEqualTo(404);

        List<String> actions = new ArrayList<>();
        for (JsonNode e : Api.get("/audit?prefix=model.personal-head&limit=100").json()) {
            if (e.path("subject").asText().equals("site energy personal head " + id)) {
                actions.add(e.path("action").asText());
            }
        }
        assertThat(actions).containsExactlyInAnyOrder("model.personal-head.requested", "model.personal-head.trained");
    }
}
