package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
}
