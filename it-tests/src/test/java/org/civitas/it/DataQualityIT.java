package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The data-quality job at a site: the demo checks each site's generated data; the report of
 * aggregates reaches the coordinator, the findings and the curated manifest stay at the site and
 * training reads the curated manifest; a malformed manifest fails with its line and no report; a
 * partition that failed mid-way resumes after its last chunk without counting a line twice.
 */
@ExtendWith(CivitasServer.class)
class DataQualityIT {

    private static final Path DATASET = CivitasServer.dataDir().resolve("sites/energy/datasets/city-safety");

    private static JsonNode awaitRun(String site, long id, Set<String> until) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (true) {
            JsonNode run = Api.get("/sites/" + site + "/quality-runs/" + id).json();
            if (until.contains(run.path("status").asText())) {
                return run;
            }
            assertThat(Instant.now()).as("quality run %s still %s", id, run).isBefore(deadline);
            CivitasServer.sleep(500);
        }
    }

    /** The demo's own run over a site's dataset, once it completed. */
    private static JsonNode demoRun(String site) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (true) {
            for (JsonNode run : Api.get("/sites/" + site + "/quality-runs").json()) {
                if ("system".equals(run.path("requestedBy").asText()) && "datasets/city-safety/train.jsonl".equals(run.path("manifest").asText())) {
                    return awaitRun(site, run.path("id").asLong(), Set.of("COMPLETED", "FAILED"));
                }
            }
            assertThat(Instant.now()).as("the demo starts a quality run for site " + site).isBefore(deadline);
            CivitasServer.sleep(500);
        }
    }

    @Test
    void theDemoChecksEachSitesDataAndOnlyAggregatesLeaveTheSite() throws Exception {
        JsonNode run = demoRun("energy");
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
        JsonNode report = run.path("report");
        int items = report.path("items").asInt();
        assertThat(items).isEqualTo(run.path("totalItems").asInt()).isGreaterThan(200);
        for (String check : List.of("exact_duplicate", "near_duplicate", "label_noise", "cross_modal_mismatch", "pii", "blurred_image",
                "underexposed_image", "missing_modality")) {
            assertThat(report.path("findings").path(check).asInt()).as(check + " in " + report).isPositive();
        }
        int curated = report.path("curatedItems").asInt();
        assertThat(curated).isEqualTo(items - report.path("flaggedItems").asInt());

        // The coordinator holds the aggregates, and nothing that names an item.
        JsonNode received = null;
        for (JsonNode r : Api.get("/datasets/quality").json()) {
            if (r.path("site").asText().equals("energy") && r.path("dataset").asText().equals("city-safety")) {
                received = r;
            }
        }
        assertThat(received).as("the coordinator received the energy site's report").isNotNull();
        assertThat(received.path("items").asInt()).isEqualTo(items);
        assertThat(received.toString()).doesNotContain("energy-train-");

        // The findings are for the site's own staff.
        Api.Answer foreign = Api.getAs("community-steward", "/sites/energy/quality-runs/" + run.path("id").asLong() + "/findings");
        assertThat(foreign.status()).isEqualTo(403);
        JsonNode findings = Api.getAs("energy-steward", "/sites/energy/quality-runs/" + run.path("id").asLong() + "/findings").json();
        assertThat(findings.size()).isGreaterThanOrEqualTo(report.path("flaggedItems").asInt());
        JsonNode blurred = null;
        for (JsonNode f : findings) {
            if (f.path("check").asText().equals("blurred_image")) {
                blurred = f;
            }
        }
        assertThat(blurred).isNotNull();
        assertThat(blurred.path("reason").asText()).contains("of the dataset's median");
        Api.Answer image = Api.getAs("energy-steward", "/sites/energy/quality-runs/" + run.path("id").asLong() + "/items/"
                + blurred.path("line").asInt() + "/image");
        assertThat(image.status()).isEqualTo(200);
        assertThat(image.body()[1]).isEqualTo((byte) 'P'); // a PNG

        // The curated manifest: flagged items left out, personal data redacted.
        List<String> curatedLines = Files.readAllLines(CivitasServer.dataDir().resolve("sites/energy").resolve(run.path("curatedManifest").asText()));
        assertThat(curatedLines).hasSize(curated);
        assertThat(String.join("\n", curatedLines)).doesNotContain("@example.org").contains("[email]");
        Set<String> ids = new HashSet<>();
        for (String line : curatedLines) {
            ids.add(Api.JSON.readTree(line).path("id").asText());
        }
        assertThat(ids).doesNotContain(findings.get(0).path("itemId").asText());

        // The portal: the coordinator's report with its charts for everyone, thumbnails of flagged items for the site's staff.
        String page = Api.pageAs("energy-steward", "quality/index.xhtml").text();
        assertThat(page).contains("energy / city-safety: " + report.path("flaggedItems").asInt() + " of " + items + " items flagged")
                .contains("/quality/item-image?site=energy&amp;run=").contains(findings.get(0).path("itemId").asText());
        // Each thumbnail loads by its URL, for the site's staff only.
        java.util.regex.Matcher thumbnail = java.util.regex.Pattern.compile("src=\"/civitas(/quality/item-image\\?[^\"]+)\"").matcher(page);
        assertThat(thumbnail.find()).as("a thumbnail's URL on the page").isTrue();
        String thumbnailUrl = thumbnail.group(1).replace("&amp;", "&").substring(1);
        Api.Answer own = Api.pageAs("energy-steward", thumbnailUrl);
        assertThat(own.status()).isEqualTo(200);
        assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(own.body()))).as("a decodable image").isNotNull();
        assertThat(Api.pageAs("community-steward", thumbnailUrl).status()).as("another enterprise's staff").isEqualTo(403);
        String foreignPage = Api.pageAs("community-steward", "quality/index.xhtml").text();
        assertThat(foreignPage).contains("energy / city-safety").doesNotContain(findings.get(0).path("itemId").asText());

        // Training reads the curated manifest: the update counts exactly its samples.
        Api.Answer started = Api.startFederation(Api.citySafetyPlan("{\"name\": \"Curated check\", \"model\": \"multimodal-lora\","
                + " \"sites\": [\"energy\"], \"rounds\": 1, \"localEpochs\": 1, \"roundTimeoutSeconds\": 300}"));
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        JsonNode done = Api.awaitFinished(started.json().path("id").asLong(), Duration.ofMinutes(4));
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        assertThat(done.path("rounds").get(0).path("receipts").get(0).path("sampleCount").asInt()).isEqualTo(curated);
    }

    @Test
    void anAgreementRequestCarriesItsDatasetsQualityReport() {
        demoRun("energy");
        demoRun("community");
        long energyReport = -1;
        long communityReport = -1;
        for (JsonNode r : Api.get("/datasets/quality").json()) {
            if (r.path("dataset").asText().equals("city-safety") && r.path("site").asText().equals("energy") && energyReport < 0) {
                energyReport = r.path("id").asLong();
            }
            if (r.path("dataset").asText().equals("city-safety") && r.path("site").asText().equals("community") && communityReport < 0) {
                communityReport = r.path("id").asLong();
            }
        }
        String request = "{\"plan\": " + Api.citySafetyPlan("{\"name\": \"Quality attached\", \"sites\": [\"energy\"]}") + ","
                + " \"datasets\": [\"city-safety\"], \"modalities\": [\"image\", \"text\"], \"purpose\": \"integration test\","
                + " \"task\": \"incident classification\", \"draft\": true, \"qualityReports\": [%d]}";
        Api.Answer foreign = Api.postJsonAs("energy-steward", "/agreements", String.format(request, communityReport));
        assertThat(foreign.status()).isEqualTo(400);
        assertThat(foreign.json().path("error").asText()).startsWith("qualityReports: report " + communityReport
                + " is about dataset community/city-safety, not one of meridian-energy's datasets");
        Api.Answer attached = Api.postJsonAs("energy-steward", "/agreements", String.format(request, energyReport));
        assertThat(attached.status()).as(attached.text()).isEqualTo(201);
        assertThat(attached.json().path("qualityReports").get(0).asLong()).isEqualTo(energyReport);

        // Without the field the newest report of each named dataset of the enterprise is attached; [] attaches none.
        String unnamed = request.replace(", \"qualityReports\": [%d]", "");
        Api.Answer newest = Api.postJsonAs("energy-steward", "/agreements", unnamed);
        assertThat(newest.status()).as(newest.text()).isEqualTo(201);
        assertThat(newest.json().path("qualityReports")).hasSize(1);
        assertThat(newest.json().path("qualityReports").get(0).asLong()).isEqualTo(energyReport);
        Api.Answer none = Api.postJsonAs("energy-steward", "/agreements", request.replace("[%d]", "[]"));
        assertThat(none.status()).as(none.text()).isEqualTo(201);
        assertThat(none.json().path("qualityReports")).isEmpty();
    }

    @Test
    void badRequestsAreRefusedByName() {
        Api.Answer other = Api.postJsonAs("community-steward", "/sites/energy/quality-runs",
                "{\"dataset\": \"city-safety\", \"manifest\": \"datasets/city-safety/train.jsonl\"}");
        assertThat(other.status()).isEqualTo(403);
        Api.Answer threshold = Api.postJsonAs("energy-steward", "/sites/energy/quality-runs",
                "{\"dataset\": \"city-safety\", \"manifest\": \"datasets/city-safety/train.jsonl\", \"thresholds\": {\"blur\": 0.2}}");
        assertThat(threshold.status()).isEqualTo(400);
        assertThat(threshold.json().path("error").asText()).isEqualTo("unknown quality threshold 'blur'");
        Api.Answer escape = Api.postJsonAs("energy-steward", "/sites/energy/quality-runs",
                "{\"dataset\": \"city-safety\", \"manifest\": \"../urban/datasets/city-safety/train.jsonl\"}");
        assertThat(escape.status()).isEqualTo(400);
        assertThat(escape.json().path("error").asText()).contains("leaves the site's folder");
        Api.Answer shape = Api.postJsonAs("energy-steward", "/sites/energy/quality-runs", "{\"dataset\": \"city-safety\", \"shardLines\": 5}");
        assertThat(shape.status()).as(shape.text()).isEqualTo(400);
        assertThat(shape.json().path("error").asText()).isEqualTo("manifest: give the manifest's path inside the site's folder;"
                + " shardLines: shardLines must be in [10, 100000]");
        Api.Answer unnamed = Api.postJsonAs("energy-steward", "/sites/energy/datasets", "{\"manifest\": \"datasets/city-safety/train.jsonl\", \"task\": \"city-safety\"}");
        assertThat(unnamed.status()).as(unnamed.text()).isEqualTo(400);
        assertThat(unnamed.json().path("error").asText()).isEqualTo("name: give the name to register the dataset under");
    }

    @Test
    void aMalformedManifestFailsWithItsLineAndAFixedOneResumesWithoutCountingALineTwice() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(DATASET.resolve("train.jsonl"), StandardCharsets.UTF_8).subList(0, 120));
        String good = lines.get(99);
        lines.set(99, "{\"id\": \"broken\", \"text\": ");
        Path manifest = DATASET.resolve("resume-check.jsonl");
        Files.write(manifest, lines, StandardCharsets.UTF_8);
        int reportsBefore = Api.get("/datasets/quality").json().size();

        Api.Answer started = Api.postJsonAs("energy-steward", "/sites/energy/quality-runs",
                "{\"dataset\": \"city-safety\", \"manifest\": \"datasets/city-safety/resume-check.jsonl\", \"shardLines\": 60}");
        assertThat(started.status()).as(started.text()).isEqualTo(202);
        long id = started.json().path("id").asLong();
        JsonNode failed = awaitRun("energy", id, Set.of("FAILED", "COMPLETED"));
        assertThat(failed.path("status").asText()).isEqualTo("FAILED");
        assertThat(failed.path("message").asText()).startsWith("malformed manifest: line 100: bad JSON");
        assertThat(failed.has("report")).isFalse();
        assertThat(failed.path("itemsDone").asInt()).as("the first shard and the second's first chunk are kept").isEqualTo(85);
        assertThat(Api.get("/datasets/quality").json().size()).as("no partial report").isEqualTo(reportsBefore);

        // Fixed, the run resumes: the second shard goes on after its last chunk, and every line counts once.
        lines.set(99, good);
        Files.write(manifest, lines, StandardCharsets.UTF_8);
        Api.Answer restarted = Api.postJsonAs("energy-steward", "/sites/energy/quality-runs/" + id + "/restart", "");
        for (int tries = 0; restarted.status() == 409 && tries < 20; tries++) {
            CivitasServer.sleep(500); // the batch runtime records the job's end just after the run shows it
            restarted = Api.postJsonAs("energy-steward", "/sites/energy/quality-runs/" + id + "/restart", "");
        }
        assertThat(restarted.status()).as(restarted.text()).isEqualTo(200);
        JsonNode done = awaitRun("energy", id, Set.of("FAILED", "COMPLETED"));
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        assertThat(done.path("report").path("items").asInt()).isEqualTo(120);
        assertThat(done.path("itemsDone").asInt()).isEqualTo(120);
        assertThat(Api.get("/datasets/quality").json().size()).isEqualTo(reportsBefore + 1);
    }
}
