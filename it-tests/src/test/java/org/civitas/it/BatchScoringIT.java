package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Batch scoring at a site: its staff score a manifest with a released version in the partitioned,
 * checkpointed {@code batch-scoring} job; the predictions lie as JSONL beside the manifest with a
 * summary, a run that fails on a line resumes without losing or repeating one, and a run asked for
 * outside the site's window waits for it.
 */
@ExtendWith(CivitasServer.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchScoringIT {

    private static final Path SITE = CivitasServer.dataDir().resolve("sites/energy");
    private static final Path DATASET = SITE.resolve("datasets/city-safety");

    private String version;
    private String unreleased;

    /** The model hash of a version released through four eyes, from a one-round federation of the demo's sites. */
    private String released() {
        if (version == null) {
            Api.Answer started = Api.startFederation(Api.citySafetyPlan("{\"name\": \"Scoring check\", \"rounds\": 1}"));
            assertThat(started.status()).as(started.text()).isEqualTo(201);
            long f = started.json().path("id").asLong();
            assertThat(Api.awaitFinished(f, Duration.ofMinutes(5)).path("status").asText()).isEqualTo("COMPLETED");
            CivitasServer.await(Duration.ofMinutes(2), "model version 1 is evaluated", () ->
                    Api.get("/federations/" + f).json().path("models").get(1).path("evaluation").isObject());
            unreleased = Api.get("/federations/" + f).json().path("models").get(0).path("sha256").asText();
            JsonNode release = Api.postJson("/releases", "{\"federation\": " + f + ", \"version\": 1, \"note\": \"for scoring\"}").json();
            Api.Answer approved = Api.postJsonAs("consortium-compliance", "/releases/" + release.path("id").asLong() + "/decision",
                    "{\"approve\": true, \"comment\": \"fine for scoring\"}");
            assertThat(approved.status()).as(approved.text()).isEqualTo(200);
            version = release.path("modelSha256").asText();
        }
        return version;
    }

    private static Api.Answer score(String user, String json) {
        return Api.postJsonAs(user, "/sites/energy/scoring-runs", json);
    }

    private String request(String manifest, int shardLines) {
        return "{\"version\": \"" + released() + "\", \"manifest\": \"" + manifest + "\", \"shardLines\": " + shardLines + "}";
    }

    private static JsonNode awaitRun(long id, Set<String> until) {
        JsonNode[] last = new JsonNode[1];
        CivitasServer.await(Duration.ofMinutes(4), "scoring run " + id + " reaches " + until, () -> {
            last[0] = Api.getAs("energy-steward", "/sites/energy/scoring-runs/" + id).json();
            return until.contains(last[0].path("status").asText());
        });
        return last[0];
    }

    /** The first lines of the site's training manifest, a blank line after the tenth, written as a manifest of its own. */
    private static List<String> manifest(String name, int lines) throws Exception {
        List<String> all = new ArrayList<>(Files.readAllLines(DATASET.resolve("train.jsonl"), StandardCharsets.UTF_8).subList(0, lines));
        List<String> written = new ArrayList<>(all);
        written.add(10, "");
        Files.write(DATASET.resolve(name), written, StandardCharsets.UTF_8);
        return all;
    }

    private static List<JsonNode> predictions(String output) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(SITE.resolve(output), StandardCharsets.UTF_8)) {
            out.add(Api.JSON.readTree(line));
        }
        return out;
    }

    @Test
    void aManifestIsScoredIntoJsonlBesideItWithASummaryThatAddsItUp() throws Exception {
        List<String> lines = manifest("score-check.jsonl", 90);
        Api.Answer started = score("energy-steward", request("datasets/city-safety/score-check.jsonl", 40));
        assertThat(started.status()).as(started.text()).isEqualTo(202);
        assertThat(started.json().path("totalLines").asInt()).as("the blank line is not a line to score").isEqualTo(90);
        JsonNode run = awaitRun(started.json().path("id").asLong(), Set.of("COMPLETED", "FAILED"));
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
        assertThat(run.path("linesDone").asInt()).isEqualTo(90);
        assertThat(run.path("output").asText()).isEqualTo("datasets/city-safety/score-check.scored-" + run.path("id").asLong() + ".jsonl");

        List<JsonNode> predictions = predictions(run.path("output").asText());
        assertThat(predictions).hasSize(90);
        // In the manifest's order, each line once, the blank eleventh line left out
        assertThat(predictions.stream().map(p -> p.path("line").asInt()).toList())
                .isEqualTo(IntStream.rangeClosed(1, 91).filter(n -> n != 11).boxed().toList());
        int correct = 0;
        Map<String, Integer> counted = new java.util.HashMap<>();
        for (int i = 0; i < 90; i++) {
            JsonNode p = predictions.get(i);
            JsonNode source = Api.JSON.readTree(lines.get(i));
            assertThat(p.path("id").asText()).isEqualTo(source.path("id").asText());
            assertThat(p.path("label").asText()).isEqualTo(source.path("label").asText());
            assertThat(p.path("top").get(0).path("label").asText()).isEqualTo(p.path("predicted").asText());
            assertThat(p.path("probabilities").size()).isEqualTo(12);
            correct += p.path("predicted").asText().equals(p.path("label").asText()) ? 1 : 0;
            counted.merge(p.path("predicted").asText(), 1, Integer::sum);
        }
        JsonNode summary = run.path("summary");
        assertThat(summary.path("lines").asInt()).isEqualTo(90);
        assertThat(summary.path("labelled").asInt()).isEqualTo(90);
        assertThat(summary.path("accuracy").asDouble()).isCloseTo(correct / 90.0, within(1e-9));
        assertThat(summary.path("macroF1").asDouble()).isBetween(0.0, 1.0);
        counted.forEach((label, n) -> assertThat(summary.path("predicted").path(label).asInt()).as(label).isEqualTo(n));
        assertThat(summary.path("confusion").path("counts")).hasSize(12);
        JsonNode file = Api.JSON.readTree(SITE.resolve(run.path("output").asText().replace(".jsonl", ".summary.json")).toFile());
        assertThat(file).isEqualTo(summary);

        // The job's predictions are the site's REST predictions for the same input.
        JsonNode first = Api.JSON.readTree(lines.get(0));
        String image = Base64.getEncoder().encodeToString(Files.readAllBytes(DATASET.resolve(first.path("image").asText())));
        Api.Answer answered = Api.postJsonAs("energy-steward", "/sites/energy/predictions", "{\"version\": \"" + released()
                + "\", \"inputs\": [{\"text\": " + Api.JSON.writeValueAsString(first.path("text").asText()) + ", \"image\": \"" + image + "\"}]}");
        assertThat(answered.status()).as(answered.text()).isEqualTo(200);
        answered.json().path("predictions").get(0).path("probabilities").fields().forEachRemaining(e -> assertThat(
                predictions.get(0).path("probabilities").path(e.getKey()).asDouble()).as(e.getKey()).isCloseTo(e.getValue().asDouble(), within(1e-5)));

        try (var left = Files.list(SITE.resolve("work"))) {
            assertThat(left.map(p -> p.getFileName().toString())).as("the partitions' files are gone")
                    .noneMatch(n -> n.equals("scoring-" + run.path("id").asLong()));
        }
        List<String> actions = new ArrayList<>();
        for (JsonNode e : Api.get("/audit?prefix=model.scoring&limit=100").json()) {
            if (e.path("detail").asText().contains("run " + run.path("id").asLong())) {
                actions.add(e.path("action").asText());
            }
        }
        assertThat(actions).containsExactlyInAnyOrder("model.scoring.requested", "model.scoring.completed");
    }

    @Test
    void aLineThatCannotBeScoredFailsTheRunByNameAndTheRestartWritesEveryLineOnce() throws Exception {
        List<String> lines = manifest("score-resume.jsonl", 120);
        // Line 90 of the file (the 89th scored, in the second partition's second chunk) names an image that is not there.
        JsonNode broken = Api.JSON.readTree(lines.get(88));
        String missing = "images/missing-" + broken.path("id").asText() + ".png";
        List<String> written = new ArrayList<>(lines);
        written.set(88, lines.get(88).replace(broken.path("image").asText(), missing));
        written.add(10, "");
        Path manifest = DATASET.resolve("score-resume.jsonl");
        Files.write(manifest, written, StandardCharsets.UTF_8);

        Api.Answer started = score("energy-steward", request("datasets/city-safety/score-resume.jsonl", 50));
        assertThat(started.status()).as(started.text()).isEqualTo(202);
        long id = started.json().path("id").asLong();
        JsonNode failed = awaitRun(id, Set.of("COMPLETED", "FAILED"));
        assertThat(failed.path("status").asText()).isEqualTo("FAILED");
        assertThat(failed.path("message").asText()).isEqualTo("line 90: image '" + missing + "' is not in the manifest's folder");
        assertThat(failed.path("linesDone").asInt()).as("the first partition and the second's first chunk are kept").isBetween(49 + 32, 119);
        assertThat(failed.hasNonNull("output")).as("no predictions beside the manifest yet").isFalse();

        // The image arrives; the restart goes on after each partition's last chunk.
        Files.copy(DATASET.resolve(broken.path("image").asText()), DATASET.resolve(missing));
        Api.Answer restarted = Api.postJsonAs("energy-steward", "/sites/energy/scoring-runs/" + id + "/restart", "");
        for (int tries = 0; restarted.status() == 409 && tries < 20; tries++) {
            CivitasServer.sleep(500); // the batch runtime records the job's end just after the run shows it
            restarted = Api.postJsonAs("energy-steward", "/sites/energy/scoring-runs/" + id + "/restart", "");
        }
        assertThat(restarted.status()).as(restarted.text()).isEqualTo(200);
        JsonNode done = awaitRun(id, Set.of("COMPLETED", "FAILED"));
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        List<JsonNode> predictions = predictions(done.path("output").asText());
        assertThat(predictions.stream().map(p -> p.path("line").asInt()).toList())
                .isEqualTo(IntStream.rangeClosed(1, 121).filter(n -> n != 11).boxed().toList());
        assertThat(done.path("summary").path("lines").asInt()).isEqualTo(120);
    }

    @Test
    void aRunAskedForOutsideTheSitesWindowWaitsUntilItOpens() throws Exception {
        manifest("score-window.jsonl", 20);
        // A window twelve hours away closes the site now; no windows at all open it again.
        java.time.ZonedDateTime later = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusHours(12);
        String closedNow = "[{\"cron\": \"0 0 " + later.getHour() + " * * ?\", \"lengthSeconds\": 60, \"timeZone\": \"UTC\"}]";
        String request = request("datasets/city-safety/score-window.jsonl", 10);
        assertThat(Api.putJsonAs("energy-operator", "/sites/energy/windows", closedNow).status()).isEqualTo(200);
        try {
            Api.Answer started = score("energy-steward", request);
            assertThat(started.status()).as(started.text()).isEqualTo(202);
            assertThat(started.json().path("status").asText()).isEqualTo("WAITING");
            assertThat(started.json().path("message").asText()).startsWith("waits for the site's window, which opens " + later.getYear());
            assertThat(started.json().path("linesDone").asInt()).isZero();
            long id = started.json().path("id").asLong();
            assertThat(Api.getAs("energy-steward", "/sites/energy/scoring-runs/" + id).json().path("status").asText()).isEqualTo("WAITING");

            assertThat(Api.putJsonAs("energy-operator", "/sites/energy/windows", "[]").status()).isEqualTo(200);
            JsonNode done = awaitRun(id, Set.of("COMPLETED", "FAILED"));
            assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
            assertThat(done.path("summary").path("lines").asInt()).isEqualTo(20);
        } finally {
            Api.putJsonAs("energy-operator", "/sites/energy/windows", "[]");
        }
    }

    @Test
    void badRequestsAreRefusedByNameAndStartNothing() throws Exception {
        String version = released();
        Files.write(DATASET.resolve("score-empty.jsonl"), List.of("", "  "), StandardCharsets.UTF_8);
        int before = Api.getAs("energy-steward", "/sites/energy/scoring-runs").json().size();
        Map<String, String> refusals = new java.util.LinkedHashMap<>();
        String manifest = "datasets/city-safety/train.jsonl";
        refusals.put("{\"version\": \"" + unreleased + "\", \"manifest\": \"" + manifest + "\"}", "404 is not a released model version");
        refusals.put("{\"version\": \"abc\", \"manifest\": \"" + manifest + "\"}", "400 version: the sha256 of a released model version");
        refusals.put("{\"version\": \"" + version + "\"}", "400 manifest: give the manifest's path inside the site's folder");
        refusals.put("{\"version\": \"" + version + "\", \"manifest\": \"../urban/" + manifest + "\"}", "400 leaves the site's folder");
        refusals.put("{\"version\": \"" + version + "\", \"manifest\": \"datasets/none.jsonl\"}", "400 does not exist in the site's folder");
        refusals.put("{\"version\": \"" + version + "\", \"manifest\": \"datasets/city-safety/score-empty.jsonl\"}", "400 has no lines to score");
        refusals.put("{\"version\": \"" + version + "\", \"manifest\": \"" + manifest + "\", \"shardLines\": 5}",
                "400 shardLines: must be in [10, 100000], was 5");
        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            Api.Answer refused = score("energy-steward", refusal.getKey());
            String expected = refusal.getValue();
            assertThat(refused.status()).as(refused.text()).isEqualTo(Integer.parseInt(expected.substring(0, 3)));
            assertThat(refused.json().path("error").asText()).contains(expected.substring(4));
        }
        Api.Answer otherEnterprise = score("community-steward", "{\"version\": \"" + version + "\", \"manifest\": \"" + manifest + "\"}");
        assertThat(otherEnterprise.status()).as(otherEnterprise.text()).isEqualTo(403);
        assertThat(Api.getAs("community-steward", "/sites/energy/scoring-runs").status()).isEqualTo(403);
        assertThat(Api.getAs("energy-steward", "/sites/energy/scoring-runs").json().size()).as("nothing started").isEqualTo(before);
    }
}
