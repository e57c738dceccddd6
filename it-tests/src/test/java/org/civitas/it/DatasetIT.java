package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Datasets: the demo sites generate their own city-safety data and register it through the
 * dataset-import job and the participant protocol; a site's import refuses a bad manifest whole,
 * naming its lines, or skips them when asked.
 */
@ExtendWith(CivitasServer.class)
class DatasetIT {

    @Test
    void eachDemoSiteRegistersItsOwnGeneratedDataset() {
        JsonNode datasets = awaitDatasets(3);
        for (JsonNode d : datasets) {
            if (!"city-safety".equals(d.path("name").asText())) {
                continue;
            }
            assertThat(d.path("samples").asInt()).isGreaterThan(200);
            assertThat(d.path("images").asInt()).isLessThan(d.path("samples").asInt());
            assertThat(d.path("contentSha256").asText()).hasSize(64);
            List<String> labels = iterate(d.path("labelHistogram").fieldNames());
            assertThat(labels).contains("smoke_fire", "flooding");
            switch (d.path("site").asText()) {
                case "energy" -> assertThat(labels).contains("gas_leak").doesNotContain("road_damage", "vandalism");
                case "urban" -> assertThat(labels).contains("road_damage", "drain_blockage").doesNotContain("gas_leak");
                case "community" -> assertThat(labels).contains("fall_injury").doesNotContain("gas_leak", "road_damage");
                default -> throw new AssertionError("unexpected site " + d);
            }
        }
    }

    @Test
    void refusesABadManifestWholeOrSkipsItsBadLinesWhenAsked() throws IOException {
        Path folder = CivitasServer.dataDir().resolve("sites/energy/datasets/it-bad");
        Files.createDirectories(folder);
        Files.write(folder.resolve("train.jsonl"), List.of(
                "{\"id\":\"1\",\"text\":\"gas odour at valve station north\",\"label\":\"gas_leak\"}",
                "{\"id\":\"2\",\"text\":",
                "{\"id\":\"3\",\"image\":\"../../../identity.properties\"}",
                "{\"id\":\"4\",\"text\":\"unlisted\",\"label\":\"meteor_strike\"}"));
        String request = "{\"name\": \"it-bad\", \"manifest\": \"datasets/it-bad/train.jsonl\", \"task\": \"city-safety\"";

        Api.Answer refused = Api.postJson("/sites/energy/datasets", request + "}");
        assertThat(refused.status()).as(refused.text()).isEqualTo(422);
        assertThat(refused.json().path("error").asText()).contains("has 3 invalid lines; nothing was registered");
        assertThat(refused.json().path("lines").findValuesAsText("line")).containsExactly("2", "3", "4");
        assertThat(refused.json().path("lines").get(1).path("error").asText())
                .isEqualTo("image path '../../../identity.properties' leaves the dataset folder");
        assertThat(refused.json().path("lines").get(2).path("error").asText()).isEqualTo("unknown label 'meteor_strike'");
        assertThat(Api.get("/datasets").json().findValuesAsText("name")).doesNotContain("it-bad");

        Api.Answer skipped = Api.postJson("/sites/energy/datasets", request + ", \"skipBadLines\": true}");
        assertThat(skipped.status()).as(skipped.text()).isEqualTo(201);
        assertThat(skipped.json().path("skipped").findValuesAsText("line")).containsExactly("2", "3", "4");
        assertThat(skipped.json().path("registered").path("samples").asInt()).isEqualTo(1);
        JsonNode registered = null;
        for (JsonNode d : Api.get("/datasets").json()) {
            if ("it-bad".equals(d.path("name").asText())) {
                registered = d;
            }
        }
        assertThat(registered).isNotNull();
        assertThat(registered.path("skippedLines").asInt()).isEqualTo(3);
        assertThat(registered.path("labelHistogram").path("gas_leak").asInt()).isEqualTo(1);

        // the same content again is the same registration; other content under the name is its next version, beside the first
        assertThat(Api.postJson("/sites/energy/datasets", request + ", \"skipBadLines\": true}").status()).isEqualTo(201);
        Files.writeString(folder.resolve("train.jsonl"), "{\"id\":\"9\",\"text\":\"other\"}\n");
        Api.Answer changed = Api.postJson("/sites/energy/datasets", request + "}");
        assertThat(changed.status()).as(changed.text()).isEqualTo(201);
        List<Integer> versions = new java.util.ArrayList<>();
        java.util.Set<String> hashes = new java.util.HashSet<>();
        for (JsonNode d : Api.get("/datasets").json()) {
            if ("it-bad".equals(d.path("name").asText())) {
                versions.add(d.path("version").asInt());
                hashes.add(d.path("contentSha256").asText());
            }
        }
        assertThat(versions).containsExactly(1, 2);
        assertThat(hashes).hasSize(2).contains(changed.json().path("registered").path("contentSha256").asText());
    }

    /** The case a new consortium meets first: a text-only manifest of its own labels, imported for its own task. */
    @Test
    void aDatasetOfTheConsortiumsOwnTaskIsCheckedAgainstItsLabelsAndModalities() throws Exception {
        Api.Answer task = Api.postJson("/tasks", "{\"name\": \"mail-filter\", \"description\": \"Spam or not\", \"labels\": [\"spam\","
                + " \"ham\"], \"modalities\": [\"text\"], \"primaryMetric\": \"macro-f1\"}");
        assertThat(task.status()).as(task.text()).isEqualTo(201);
        Path folder = Files.createDirectories(CivitasServer.dataDir().resolve("sites/community/datasets/mail"));
        List<String> lines = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            lines.add("{\"id\":\"s" + i + "\",\"text\":\"win a free prize number " + i + " click now\",\"label\":\"spam\"}");
            lines.add("{\"id\":\"h" + i + "\",\"text\":\"minutes of meeting " + i + " attached for review\",\"label\":\"ham\"}");
        }
        Files.write(folder.resolve("train.jsonl"), lines);

        // Against the built-in task every line's label is unknown; against its own task the dataset registers
        Api.Answer wrongTask = Api.postJsonAs("community-steward", "/sites/community/datasets",
                "{\"name\": \"mail\", \"manifest\": \"datasets/mail/train.jsonl\", \"task\": \"city-safety\"}");
        assertThat(wrongTask.status()).as(wrongTask.text()).isEqualTo(422);
        assertThat(wrongTask.json().path("lines")).hasSize(60);
        assertThat(wrongTask.json().path("lines").get(0).path("error").asText()).isEqualTo("unknown label 'spam'");
        Api.Answer imported = Api.postJsonAs("community-steward", "/sites/community/datasets",
                "{\"name\": \"mail\", \"manifest\": \"datasets/mail/train.jsonl\", \"task\": \"mail-filter\"}");
        assertThat(imported.status()).as(imported.text()).isEqualTo(201);
        JsonNode registered = null;
        for (JsonNode d : Api.get("/datasets").json()) {
            if ("mail".equals(d.path("name").asText()) && "community".equals(d.path("site").asText())) {
                registered = d;
            }
        }
        assertThat(registered).as("the coordinator lists it").isNotNull();
        assertThat(registered.path("task").asText()).isEqualTo("mail-filter");
        assertThat(registered.path("taskVersion").asInt()).isEqualTo(1);
        assertThat(registered.path("labelHistogram").path("spam").asInt()).isEqualTo(30);

        // A task that reads text only takes no images; an unknown task is named
        Files.write(folder.resolve("with-image.jsonl"), List.of("{\"id\":\"p\",\"image\":\"x.png\",\"text\":\"see the picture\",\"label\":\"spam\"}"));
        Api.Answer image = Api.postJsonAs("community-steward", "/sites/community/datasets",
                "{\"name\": \"mail-pictures\", \"manifest\": \"datasets/mail/with-image.jsonl\", \"task\": \"mail-filter\"}");
        assertThat(image.status()).as(image.text()).isEqualTo(422);
        assertThat(image.json().path("lines").get(0).path("error").asText()).isEqualTo("sample 'p' has an image, but the task reads text only");
        Api.Answer unknown = Api.postJsonAs("community-steward", "/sites/community/datasets",
                "{\"name\": \"mail-2\", \"manifest\": \"datasets/mail/train.jsonl\", \"task\": \"no-such-task\"}");
        assertThat(unknown.status()).as(unknown.text()).isEqualTo(400);
        assertThat(unknown.json().path("error").asText()).startsWith("task: the coordinator has no task 'no-such-task'");

        // The data-quality job checks the items against the dataset's own task: no label is a schema error
        Api.Answer started = Api.postJsonAs("community-steward", "/sites/community/quality-runs",
                "{\"dataset\": \"mail\", \"manifest\": \"datasets/mail/train.jsonl\"}");
        assertThat(started.status()).as(started.text()).isEqualTo(202);
        long run = started.json().path("id").asLong();
        java.util.concurrent.atomic.AtomicReference<JsonNode> last = new java.util.concurrent.atomic.AtomicReference<>();
        CivitasServer.await(java.time.Duration.ofMinutes(3), "the quality run of the mail dataset ends", () -> {
            last.set(Api.get("/sites/community/quality-runs/" + run).json());
            return List.of("COMPLETED", "FAILED").contains(last.get().path("status").asText());
        });
        JsonNode finished = last.get();
        assertThat(finished.path("status").asText()).as(finished.toString()).isEqualTo("COMPLETED");
        assertThat(finished.path("report").path("findings").path("schema_error").asInt()).isZero();
    }

    @Test
    void aManifestOutsideTheSitesFolderOrAnotherServersSiteIsRefused() {
        Api.Answer escape = Api.postJson("/sites/energy/datasets",
                "{\"name\": \"x\", \"manifest\": \"../urban/datasets/city-safety/train.jsonl\", \"task\": \"city-safety\"}");
        assertThat(escape.status()).isEqualTo(400);
        assertThat(escape.json().path("error").asText()).contains("leaves the site's folder");

        Api.Answer foreign = Api.postJson("/sites/atlantis/datasets", "{\"name\": \"x\", \"manifest\": \"a.jsonl\", \"task\": \"city-safety\"}");
        assertThat(foreign.status()).isEqualTo(400);
        assertThat(foreign.json().path("error").asText()).contains("site 'atlantis' is not hosted on this server");
    }

    private static JsonNode awaitDatasets(int atLeast) {
        long end = System.nanoTime() + java.time.Duration.ofMinutes(1).toNanos();
        while (true) {
            JsonNode all = Api.get("/datasets").json();
            long demo = 0;
            for (JsonNode d : all) {
                if ("city-safety".equals(d.path("name").asText())) {
                    demo++;
                }
            }
            if (demo >= atLeast) {
                return all;
            }
            assertThat(System.nanoTime()).as("demo datasets registered: " + all).isLessThan(end);
            CivitasServer.sleep(250);
        }
    }

    private static List<String> iterate(java.util.Iterator<String> names) {
        List<String> list = new java.util.ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
