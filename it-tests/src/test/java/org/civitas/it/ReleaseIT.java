package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Model releases, four eyes: the administrator proposes an evaluated version with its evaluation
 * attached, a consortium compliance officer who did not propose it approves it, a released version
 * is withdrawn with a reason; every step is audited and every bad step refused with nothing changed.
 */
@ExtendWith(CivitasServer.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReleaseIT {

    private long federation;

    private long evaluatedFederation() {
        if (federation == 0) {
            Api.Answer started = Api.startFederation(Api.citySafetyPlan("{\"name\": \"Release check\", \"rounds\": 1}"));
            assertThat(started.status()).as(started.text()).isEqualTo(201);
            federation = started.json().path("id").asLong();
            assertThat(Api.awaitFinished(federation, Duration.ofMinutes(5)).path("status").asText()).isEqualTo("COMPLETED");
            CivitasServer.await(Duration.ofMinutes(2), "model version 1 is evaluated", () ->
                    Api.get("/federations/" + federation).json().path("models").get(1).path("evaluation").isObject());
        }
        return federation;
    }

    private static String proposal(long federation, int version, String note) {
        return "{\"federation\": " + federation + ", \"version\": " + version + ", \"note\": \"" + note + "\"}";
    }

    @Test
    void anEvaluatedVersionIsProposedApprovedByAnotherOfficerAndWithdrawn() {
        long f = evaluatedFederation();
        JsonNode evaluation = Api.get("/federations/" + f).json().path("models").get(1).path("evaluation");

        Api.Answer proposed = Api.postJson("/releases", proposal(f, 1, "Good enough for the winter pilot"));
        assertThat(proposed.status()).as(proposed.text()).isEqualTo(201);
        JsonNode release = proposed.json();
        long id = release.path("id").asLong();
        assertThat(release.path("status").asText()).isEqualTo("PROPOSED");
        assertThat(release.path("evalMacroF1").asDouble()).as("the evaluation is attached").isEqualTo(evaluation.path("macroF1").asDouble());
        assertThat(release.path("proposedBy").asText()).isEqualTo("admin");

        // An enterprise's officer does not decide for the consortium; a second open release of the version is refused
        Api.Answer enterpriseOfficer = Api.postJsonAs("energy-compliance", "/releases/" + id + "/decision",
                "{\"approve\": true, \"comment\": \"fine\"}");
        assertThat(enterpriseOfficer.status()).as(enterpriseOfficer.text()).isEqualTo(403);
        Api.Answer twice = Api.postJson("/releases", proposal(f, 1, "again"));
        assertThat(twice.status()).as(twice.text()).isEqualTo(409);

        Api.Answer approved = Api.postJsonAs("consortium-compliance", "/releases/" + id + "/decision",
                "{\"approve\": true, \"comment\": \"Macro-F1 meets the pilot's bar\"}");
        assertThat(approved.status()).as(approved.text()).isEqualTo(200);
        assertThat(approved.json().path("status").asText()).isEqualTo("RELEASED");
        assertThat(approved.json().path("decidedBy").asText()).isEqualTo("consortium-compliance");
        Api.Answer decidedAgain = Api.postJsonAs("consortium-compliance", "/releases/" + id + "/decision",
                "{\"approve\": false, \"comment\": \"changed my mind\"}");
        assertThat(decidedAgain.status()).isEqualTo(409);

        Api.Answer noReason = Api.postJson("/releases/" + id + "/withdrawal", "{\"reason\": \" \"}");
        assertThat(noReason.status()).as(noReason.text()).isEqualTo(400);
        assertThat(noReason.json().path("error").asText()).isEqualTo("reason must be 1-1000 characters");
        Api.Answer withdrawn = Api.postJsonAs("consortium-compliance", "/releases/" + id + "/withdrawal",
                "{\"reason\": \"A member asked to withdraw its consent\"}");
        assertThat(withdrawn.status()).as(withdrawn.text()).isEqualTo(200);
        assertThat(withdrawn.json().path("status").asText()).isEqualTo("WITHDRAWN");

        JsonNode listed = null;
        for (JsonNode r : Api.getAs("energy-steward", "/releases").json()) {
            listed = r.path("id").asLong() == id ? r : listed;
        }
        assertThat(listed).as("every member reads the releases").isNotNull();
        assertThat(listed.path("status").asText()).isEqualTo("WITHDRAWN");
        assertThat(listed.path("withdrawalReason").asText()).isEqualTo("A member asked to withdraw its consent");

        List<String> actions = new ArrayList<>();
        for (JsonNode e : Api.get("/audit?prefix=model.release&limit=100").json()) {
            if (e.path("subject").asText().equals("release " + id + " of federation " + f + " version 1")) {
                actions.add(e.path("action").asText());
            }
        }
        assertThat(actions).containsExactlyInAnyOrder("model.release.proposed", "model.release.approved", "model.release.withdrawn");
    }

    @Test
    void theProposerNeverDecidesAndAnUnevaluatedVersionIsNotProposed() {
        long f = evaluatedFederation();
        Api.postJson("/users", "{\"username\": \"release-both-hats\", \"password\": \"" + Api.DEMO_PASSWORD + "\","
                + " \"roles\": [\"CONSORTIUM_ADMIN\", \"COMPLIANCE_OFFICER\"]}");
        // Version 0 is the initial state: never evaluated on the test split
        Api.Answer initial = Api.postJsonAs("release-both-hats", "/releases", proposal(f, 0, "the untrained model"));
        assertThat(initial.status()).as(initial.text()).isEqualTo(409);
        assertThat(initial.json().path("error").asText()).contains("has no evaluation on a test split");
        Api.Answer missing = Api.postJsonAs("release-both-hats", "/releases", proposal(f, 99, "no such version"));
        assertThat(missing.status()).isEqualTo(404);
        Api.Answer unshaped = Api.postJsonAs("release-both-hats", "/releases", "{\"federation\": " + f + "}");
        assertThat(unshaped.status()).isEqualTo(400);
        assertThat(unshaped.json().path("violations").findValuesAsText("field")).containsExactly("note", "version");

        Api.Answer proposed = Api.postJsonAs("release-both-hats", "/releases", proposal(f, 1, "proposed with both hats"));
        // The first test may have released and withdrawn version 1: a withdrawn release does not block a new proposal
        assertThat(proposed.status()).as(proposed.text()).isEqualTo(201);
        long id = proposed.json().path("id").asLong();
        Api.Answer own = Api.postJsonAs("release-both-hats", "/releases/" + id + "/decision", "{\"approve\": true, \"comment\": \"mine\"}");
        assertThat(own.status()).as(own.text()).isEqualTo(403);
        assertThat(own.json().path("error").asText()).contains("cannot decide it: four eyes");
        Api.Answer rejected = Api.postJsonAs("consortium-compliance", "/releases/" + id + "/decision",
                "{\"approve\": false, \"comment\": \"Wait for the next round\"}");
        assertThat(rejected.json().path("status").asText()).isEqualTo("REJECTED");
        Api.Answer withdrawRejected = Api.postJson("/releases/" + id + "/withdrawal", "{\"reason\": \"not released\"}");
        assertThat(withdrawRejected.status()).isEqualTo(409);
    }

    /** A PNG of one colour, base64, as a form would send a photo. */
    private static String png(int rgb) throws java.io.IOException {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(40, 30, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "png", out);
        return java.util.Base64.getEncoder().encodeToString(out.toByteArray());
    }

    @Test
    void aReleasedVersionAnswersPredictionsAtTheSiteForItsOwnStaffAndBadInputIsRefused() throws Exception {
        Api.Answer started = Api.startFederation(Api.citySafetyPlan("{\"name\": \"Prediction check\", \"rounds\": 1}"));
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        long f = started.json().path("id").asLong();
        assertThat(Api.awaitFinished(f, Duration.ofMinutes(5)).path("status").asText()).isEqualTo("COMPLETED");
        CivitasServer.await(Duration.ofMinutes(2), "model version 1 is evaluated", () ->
                Api.get("/federations/" + f).json().path("models").get(1).path("evaluation").isObject());
        String unreleased = Api.get("/federations/" + f).json().path("models").get(0).path("sha256").asText();
        JsonNode release = Api.postJson("/releases", proposal(f, 1, "For the energy site's triage desk")).json();
        Api.Answer approved = Api.postJsonAs("consortium-compliance", "/releases/" + release.path("id").asLong() + "/decision",
                "{\"approve\": true, \"comment\": \"fine for triage\"}");
        assertThat(approved.status()).as(approved.text()).isEqualTo(200);
        String version = release.path("modelSha256").asText();

        JsonNode released = Api.getAs("energy-steward", "/sites/energy/releases").json();
        assertThat(released.findValuesAsText("modelSha256")).contains(version);

        String report = "Thick smoke is coming out of the transformer housing at the substation.";
        Api.Answer answered = Api.postJsonAs("energy-operator", "/sites/energy/predictions", "{\"version\": \"" + version
                + "\", \"top\": 3, \"inputs\": [{\"text\": \"" + report + "\", \"image\": \"" + png(0x8a4a2a) + "\"},"
                + " {\"text\": \"" + report + "\"}, {\"image\": \"" + png(0x3060c0) + "\"}]}");

        assertThat(answered.status()).as(answered.text()).isEqualTo(200);
        JsonNode answer = answered.json();
        assertThat(answer.path("version").path("modelSha256").asText()).isEqualTo(version);
        assertThat(answer.path("version").path("federationId").asLong()).isEqualTo(f);
        assertThat(answer.path("latencyMs").asDouble()).isPositive();
        assertThat(answer.path("predictions")).hasSize(3);
        for (JsonNode prediction : answer.path("predictions")) {
            assertThat(prediction.path("probabilities").size()).isEqualTo(12);
            double sum = 0;
            for (JsonNode p : prediction.path("probabilities")) {
                sum += p.asDouble();
            }
            assertThat(sum).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-4));
            JsonNode top = prediction.path("top");
            assertThat(top).hasSize(3);
            assertThat(top.get(0).path("probability").asDouble()).isGreaterThanOrEqualTo(top.get(1).path("probability").asDouble());
            assertThat(top.get(0).path("probability").asDouble())
                    .isEqualTo(prediction.path("probabilities").path(top.get(0).path("label").asText()).asDouble());
        }
        assertThat(answer.path("predictions").get(0).path("probabilities"))
                .as("text alone answers otherwise than text and image").isNotEqualTo(answer.path("predictions").get(1).path("probabilities"));

        // A form with a report and a photo, as a browser sends it, answers as the JSON request does.
        Api.Answer form = Api.postFormAs("energy-operator", "/sites/energy/predictions", Map.of("version", version, "text", report,
                "top", "2"), Map.of("image", java.util.Base64.getDecoder().decode(png(0x8a4a2a))));
        assertThat(form.status()).as(form.text()).isEqualTo(200);
        JsonNode formProbabilities = form.json().path("predictions").get(0).path("probabilities");
        answer.path("predictions").get(0).path("probabilities").fields().forEachRemaining(e -> assertThat(formProbabilities
                .path(e.getKey()).asDouble()).as(e.getKey()).isCloseTo(e.getValue().asDouble(), org.assertj.core.api.Assertions.within(1e-5)));
        assertThat(form.json().path("predictions").get(0).path("top")).hasSize(2);
        Api.Answer strayPart = Api.postFormAs("energy-operator", "/sites/energy/predictions", Map.of("version", version, "note", "x"),
                Map.of());
        assertThat(strayPart.status()).as(strayPart.text()).isEqualTo(400);
        assertThat(strayPart.json().path("error").asText()).contains("unexpected part 'note'");

        // Each bad request is a 4xx naming what is wrong; none leaves anything behind at the site.
        String one = "[{\"text\": \"smoke\"}]";
        Map<String, String> refusals = new java.util.LinkedHashMap<>();
        refusals.put("{\"version\": \"" + unreleased + "\", \"inputs\": " + one + "}", "404 is not a released model version");
        refusals.put("{\"version\": \"abc\", \"inputs\": " + one + "}", "400 version: the sha256 of a released model version");
        refusals.put("{\"version\": \"" + version + "\", \"inputs\": [" + String.join(", ", java.util.Collections.nCopies(33,
                "{\"text\": \"smoke\"}")) + "]}", "400 inputs: send 1 to 32 inputs, was 33");
        refusals.put("{\"version\": \"" + version + "\", \"inputs\": [{}]}", "400 inputs[0]: has neither 'text' nor 'image'");
        refusals.put("{\"version\": \"" + version + "\", \"inputs\": [{\"image\": \"not base64!\"}]}", "400 inputs[0].image: not base64");
        refusals.put("{\"version\": \"" + version + "\", \"inputs\": [{\"image\": \""
                + java.util.Base64.getEncoder().encodeToString("plain text, no picture".getBytes()) + "\"}]}",
                "400 inputs[0].image: not an image this site can decode");
        refusals.put("{\"version\": \"" + version + "\", \"top\": 13, \"inputs\": " + one + "}", "400 top: rank 1 to 12 labels, was 13");
        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            Api.Answer refused = Api.postJsonAs("energy-operator", "/sites/energy/predictions", refusal.getKey());
            String expected = refusal.getValue();
            assertThat(refused.status()).as(refused.text()).isEqualTo(Integer.parseInt(expected.substring(0, 3)));
            assertThat(refused.json().path("error").asText()).contains(expected.substring(4));
        }
        Api.Answer otherEnterprise = Api.postJsonAs("community-steward", "/sites/energy/predictions",
                "{\"version\": \"" + version + "\", \"inputs\": " + one + "}");
        assertThat(otherEnterprise.status()).as(otherEnterprise.text()).isEqualTo(403);
        try (var left = java.nio.file.Files.list(CivitasServer.dataDir().resolve("sites").resolve("energy").resolve("work"))) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("predict-"))).isEmpty();
        }
    }
}
