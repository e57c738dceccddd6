package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tasks: the consortium administrator registers a task over REST and, for a change, its next
 * version; registered versions never change, every registration is audited, and bad tasks are
 * refused naming what is wrong, with nothing stored.
 */
@ExtendWith(CivitasServer.class)
class TaskIT {

    private static String task(String name, String labels) {
        return "{\"name\": \"" + name + "\", \"description\": \"Tell spam from wanted mail\", \"labels\": " + labels + ","
                + " \"modalities\": [\"text\"], \"primaryMetric\": \"macro-f1\"}";
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void everyCoordinatorRegistersTheBuiltInModelsTaskThroughTheRegistry() {
        JsonNode citySafety = Api.get("/tasks/city-safety").json();
        assertThat(citySafety.path("version").asInt()).isEqualTo(1);
        assertThat(texts(citySafety.path("labels"))).hasSize(12).startsWith("smoke_fire", "flooding");
        assertThat(texts(citySafety.path("modalities"))).containsExactlyInAnyOrder("image", "text");
        assertThat(citySafety.path("registeredBy").asText()).isEqualTo("system");
    }

    @Test
    void aTaskIsRegisteredThenChangedOnlyAsItsNextVersion() {
        Api.Answer created = Api.postJson("/tasks", task("mail-triage", "[\"spam\", \"ham\"]"));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        JsonNode v1 = created.json();
        assertThat(v1.path("version").asInt()).isEqualTo(1);
        assertThat(texts(v1.path("labels"))).containsExactly("spam", "ham");
        assertThat(v1.path("sha256").asText()).matches("[0-9a-f]{64}");
        assertThat(v1.path("registeredBy").asText()).isEqualTo("admin");

        // The name is taken: a change is the next version, and version 1 stays as it was
        Api.Answer again = Api.postJson("/tasks", task("mail-triage", "[\"spam\", \"ham\", \"phishing\"]"));
        assertThat(again.status()).as(again.text()).isEqualTo(409);
        assertThat(again.json().path("error").asText()).contains("POST /api/tasks/mail-triage/versions");
        Api.Answer next = Api.postJson("/tasks/mail-triage/versions", task("mail-triage", "[\"spam\", \"ham\", \"phishing\"]"));
        assertThat(next.status()).as(next.text()).isEqualTo(201);
        assertThat(next.json().path("version").asInt()).isEqualTo(2);
        assertThat(next.json().path("sha256").asText()).isNotEqualTo(v1.path("sha256").asText());
        assertThat(Api.get("/tasks/mail-triage/versions/1").json()).isEqualTo(v1);
        assertThat(Api.get("/tasks/mail-triage").json().path("version").asInt()).isEqualTo(2);
        assertThat(Api.get("/tasks/mail-triage/versions").json()).hasSize(2);
        Api.Answer mismatch = Api.postJson("/tasks/mail-triage/versions", task("other-name", "[\"a\", \"b\"]"));
        assertThat(mismatch.status()).as(mismatch.text()).isEqualTo(400);
        assertThat(Api.get("/tasks/missing-task/versions/1").status()).isEqualTo(404);

        JsonNode audit = Api.get("/audit?prefix=task.registered&limit=100").json();
        List<String> subjects = new ArrayList<>();
        audit.forEach(e -> subjects.add(e.path("subject").asText()));
        assertThat(subjects).contains("task mail-triage v1", "task mail-triage v2");
    }

    @Test
    void aBadTaskIsRefusedNamingWhatIsWrongAndNothingIsStored() {
        // Duplicate labels: well formed, but not a task (422, naming them)
        Api.Answer twice = Api.postJson("/tasks", task("twice-labelled", "[\"spam\", \"ham\", \"spam\"]"));
        assertThat(twice.status()).as(twice.text()).isEqualTo(422);
        assertThat(twice.json().path("reason").asText()).isEqualTo("UNPROCESSABLE");
        assertThat(twice.json().path("error").asText()).isEqualTo("labels must be distinct; given more than once: [spam]");

        // The shape, at the boundary: every broken field at once
        Api.Answer unshaped = Api.postJson("/tasks", "{\"name\": \"one-label\", \"labels\": [\"only\"], \"modalities\": [\"text\"],"
                + " \"primaryMetric\": \"macro-f1\"}");
        assertThat(unshaped.status()).as(unshaped.text()).isEqualTo(400);
        assertThat(unshaped.json().path("violations").findValuesAsText("field")).containsExactly("description", "labels");

        // What the domain knows: the name's form, the modalities and metrics there are
        Api.Answer unknown = Api.postJson("/tasks", "{\"name\": \"Bad Name\", \"description\": \"x\", \"labels\": [\"a\", \"b\"],"
                + " \"modalities\": [\"audio\"], \"primaryMetric\": \"f2\"}");
        assertThat(unknown.status()).as(unknown.text()).isEqualTo(400);
        assertThat(unknown.json().path("error").asText()).contains("task name 'Bad Name' must be")
                .contains("modalities must be some of [image, text], was [audio]").contains("primaryMetric must be one of [accuracy, macro-f1]");

        // Only the consortium administrator registers tasks
        Api.Answer steward = Api.postJsonAs("energy-steward", "/tasks", task("stewards-task", "[\"a\", \"b\"]"));
        assertThat(steward.status()).isEqualTo(403);

        for (String name : new String[] {"twice-labelled", "one-label", "stewards-task"}) {
            assertThat(Api.get("/tasks/" + name).status()).as(name + " not stored").isEqualTo(404);
        }
        assertThat(Api.getAs("energy-steward", "/tasks").status()).as("every member reads the tasks").isEqualTo(200);
    }
}
