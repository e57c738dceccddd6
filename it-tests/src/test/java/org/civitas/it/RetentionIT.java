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
 * The data-retention job over the real server: as of a day past a 30-day retention it erases
 * exactly what was kept under it (update tensors at the coordinator, outbox updates at the sites, a
 * quality run's findings and curated manifest) and nothing kept under a longer one; it records
 * each erased thing's hash in the audit chain, which still verifies; model versions stay.
 */
@ExtendWith(CivitasServer.class)
class RetentionIT {

    private static final Path SITES = CivitasServer.dataDir().resolve("sites");

    private static long start(String plan, List<String> moreDatasets, Integer retentionDays) {
        JsonNode preview = Api.postJson("/plans/preview", plan).json();
        for (JsonNode enterprise : preview.path("enterprises")) {
            Api.agree(plan, preview, enterprise.asText(), moreDatasets, retentionDays);
        }
        Api.Answer started = Api.postJson("/federations", plan);
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        long id = started.json().path("id").asLong();
        assertThat(Api.awaitFinished(id, Duration.ofMinutes(2)).path("status").asText()).isEqualTo("COMPLETED");
        return id;
    }

    private static JsonNode awaitRun(String path, Set<String> until) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (true) {
            JsonNode run = Api.get(path).json();
            if (until.contains(run.path("status").asText())) {
                return run;
            }
            assertThat(Instant.now()).as("%s still %s", path, run).isBefore(deadline);
            CivitasServer.sleep(250);
        }
    }

    private static Set<String> outboxFiles(long federation) throws java.io.IOException {
        Set<String> out = new HashSet<>();
        for (String site : List.of("energy", "community", "urban")) {
            try (var files = Files.list(SITES.resolve(site).resolve("outbox"))) {
                files.map(f -> site + "/" + f.getFileName()).filter(f -> f.contains("/federation-" + federation + "-")).forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void aRunPastA30DayRetentionErasesExactlyWhatWasKeptUnderItAndRecordsItsHashes() throws Exception {
        long shortLived = start("{\"name\": \"Retention short\", \"rounds\": 2}", List.of("retention-check"), 30);
        long longLived = start("{\"name\": \"Retention long\", \"rounds\": 1}", List.of(), 365);
        assertThat(outboxFiles(shortLived)).hasSize(6);
        assertThat(outboxFiles(longLived)).hasSize(3);

        // A quality run of the retention-check dataset at the urban site, which only the 30-day agreements name.
        Path source = SITES.resolve("urban/datasets/city-safety/train.jsonl");
        Path manifest = source.resolveSibling("retention-check.jsonl");
        Files.write(manifest, Files.readAllLines(source, StandardCharsets.UTF_8).subList(0, 30), StandardCharsets.UTF_8);
        Api.Answer quality = Api.postJsonAs("urban-steward", "/sites/urban/quality-runs", "{\"dataset\": \"retention-check\","
                + " \"manifest\": \"datasets/city-safety/retention-check.jsonl\", \"task\": \"city-safety\", \"shardLines\": 10}");
        assertThat(quality.status()).as(quality.text()).isEqualTo(202);
        long qualityRun = quality.json().path("id").asLong();
        JsonNode checked = awaitRun("/sites/urban/quality-runs/" + qualityRun, Set.of("COMPLETED", "FAILED"));
        assertThat(checked.path("status").asText()).as(checked.toString()).isEqualTo("COMPLETED");
        Path curated = SITES.resolve("urban").resolve(checked.path("curatedManifest").asText());
        assertThat(curated).exists();

        // Nothing is due now; a day past 30 days, exactly the short-lived federation's updates and the quality run.
        Api.Answer dueNow = Api.get("/retention/due");
        assertThat(dueNow.status()).as(dueNow.text()).isEqualTo(200);
        assertThat(dueNow.json().isArray()).isTrue();
        assertThat(dueNow.text()).doesNotContain("federation " + shortLived + " ")
                .doesNotContain("quality run " + qualityRun + " ");
        String asOf = Instant.now().plus(Duration.ofDays(31)).toString();
        JsonNode due = Api.get("/retention/due?asOf=" + asOf).json();
        List<String> dueUpdates = new ArrayList<>();
        for (JsonNode d : due) {
            String subject = d.path("subject").asText();
            assertThat(subject).as("nothing of the 365-day federation is due")
                    .doesNotContain("federation " + longLived + " ").doesNotContain("federation-" + longLived + "-");
            if (d.path("kind").asText().equals("update") && subject.startsWith("federation " + shortLived + " ")) {
                dueUpdates.add(d.path("sha256").asText());
            }
        }
        assertThat(dueUpdates).as(due.toString()).hasSize(6);

        Api.Answer byAuditor = Api.postJsonAs("auditor", "/retention/runs", "{}");
        assertThat(byAuditor.status()).isEqualTo(403);
        Api.Answer past = Api.postJson("/retention/runs", "{\"asOf\": \"2020-01-01T00:00:00Z\"}");
        assertThat(past.status()).as(past.text()).isEqualTo(400);
        assertThat(past.json().path("error").asText()).contains("asOf must not be in the past");
        Api.Answer garbled = Api.postJson("/retention/runs", "{\"asOf\": \"next week\"}");
        assertThat(garbled.status()).isEqualTo(400);
        assertThat(garbled.json().path("error").asText()).isEqualTo("asOf: an instant like 2027-01-31T00:00:00Z, was 'next week'");

        Api.Answer started = Api.postJson("/retention/runs", "{\"asOf\": \"" + asOf + "\"}");
        assertThat(started.status()).as(started.text()).isEqualTo(202);
        long run = started.json().path("id").asLong();
        JsonNode finished = awaitRun("/retention/runs/" + run, Set.of("COMPLETED", "FAILED"));
        assertThat(finished.path("status").asText()).as(finished.toString()).isEqualTo("COMPLETED");

        List<String> erasedUpdates = new ArrayList<>();
        Set<String> erasedKinds = new HashSet<>();
        for (JsonNode e : finished.path("erased")) {
            String subject = e.path("subject").asText();
            assertThat(subject).doesNotContain("federation " + longLived + " ").doesNotContain("federation-" + longLived + "-");
            assertThat(e.path("sha256").asText()).matches("[0-9a-f]{64}");
            erasedKinds.add(e.path("kind").asText());
            if (e.path("kind").asText().equals("update") && subject.startsWith("federation " + shortLived + " ")) {
                erasedUpdates.add(e.path("sha256").asText());
            }
        }
        assertThat(erasedUpdates).containsExactlyInAnyOrderElementsOf(dueUpdates);
        assertThat(erasedKinds).contains("update", "outbox-update", "quality-findings", "curated-manifest");
        List<String> receipts = new ArrayList<>();
        Api.get("/federations/" + shortLived).json().path("rounds")
                .forEach(r -> r.path("receipts").forEach(u -> receipts.add(u.path("sha256").asText())));
        assertThat(erasedUpdates).containsExactlyInAnyOrderElementsOf(receipts);

        // At the sites: the short-lived federation's outbox updates and the quality run's details are gone, the rest stays.
        assertThat(outboxFiles(shortLived)).isEmpty();
        assertThat(outboxFiles(longLived)).hasSize(3);
        assertThat(curated).doesNotExist();
        assertThat(Api.getAs("urban-steward", "/sites/urban/quality-runs/" + qualityRun + "/findings").json()).isEmpty();
        JsonNode erasedRun = Api.get("/sites/urban/quality-runs/" + qualityRun).json();
        assertThat(erasedRun.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(erasedRun.hasNonNull("erasedAt")).isTrue();
        assertThat(erasedRun.path("report").isObject()).as("the aggregate report stays").isTrue();
        Api.get("/federations/" + shortLived).json().path("rounds").forEach(r -> r.path("receipts")
                .forEach(u -> assertThat(u.hasNonNull("erasedAt")).as(u.toString()).isTrue()));
        Api.get("/federations/" + longLived).json().path("rounds").forEach(r -> r.path("receipts")
                .forEach(u -> assertThat(u.hasNonNull("erasedAt")).as(u.toString()).isFalse()));

        // Model versions and their lineage stay; the audit chain names every erased hash and still verifies.
        assertThat(Api.get("/federations/" + shortLived + "/models/2").status()).isEqualTo(200);
        assertThat(Api.get("/federations/" + shortLived).json().path("models").get(2).path("contributors")).hasSize(3);
        String audit = Api.get("/audit?prefix=retention.&limit=500").text();
        erasedUpdates.forEach(sha -> assertThat(audit).contains(sha));
        assertThat(audit).contains("retention.completed");
        assertThat(Api.get("/audit/verify").json().path("intact").asBoolean()).isTrue();

        // A second run as of the same instant finds nothing more to erase.
        long again = Api.postJson("/retention/runs", "{\"asOf\": \"" + asOf + "\"}").json().path("id").asLong();
        JsonNode second = awaitRun("/retention/runs/" + again, Set.of("COMPLETED", "FAILED"));
        assertThat(second.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(second.path("erased").toString()).doesNotContain("federation " + shortLived + " ").doesNotContain("quality run " + qualityRun + " ");
    }
}
