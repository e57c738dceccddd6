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
        String request = "{\"name\": \"it-bad\", \"manifest\": \"datasets/it-bad/train.jsonl\"";

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

        // the same content again is the same registration; other content under the name is refused
        assertThat(Api.postJson("/sites/energy/datasets", request + ", \"skipBadLines\": true}").status()).isEqualTo(201);
        Files.writeString(folder.resolve("train.jsonl"), "{\"id\":\"9\",\"text\":\"other\"}\n");
        Api.Answer changed = Api.postJson("/sites/energy/datasets", request + "}");
        assertThat(changed.status()).isEqualTo(400);
        assertThat(changed.json().path("error").asText()).contains("already registered a dataset named 'it-bad' with other content");
    }

    @Test
    void aManifestOutsideTheSitesFolderOrAnotherServersSiteIsRefused() {
        Api.Answer escape = Api.postJson("/sites/energy/datasets",
                "{\"name\": \"x\", \"manifest\": \"../urban/datasets/city-safety/train.jsonl\"}");
        assertThat(escape.status()).isEqualTo(400);
        assertThat(escape.json().path("error").asText()).contains("leaves the site's folder");

        Api.Answer foreign = Api.postJson("/sites/atlantis/datasets", "{\"name\": \"x\", \"manifest\": \"a.jsonl\"}");
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
