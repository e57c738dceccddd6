package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Training windows: set by the site's IT operator only, validated; a long local job is paused
 * when its site's window closes (after the worker's last epoch checkpoint) and resumes from that
 * checkpoint when the next window opens.
 */
@ExtendWith(CivitasServer.class)
class TrainingWindowIT {

    private static Api.Answer putWindows(String user, String site, String json) {
        return Api.putJsonAs(user, "/sites/" + site + "/windows", json);
    }

    @Test
    void onlyTheSitesItOperatorSetsValidWindows() throws Exception {
        Api.Answer other = putWindows("community-operator", "energy", "[]");
        assertThat(other.status()).isEqualTo(403);
        assertThat(other.json().path("error").asText()).contains("only an IT operator of meridian-energy sets the training windows of site energy");
        Api.Answer badCron = putWindows("energy-operator", "energy", "[{\"cron\": \"nightly\", \"lengthSeconds\": 3600, \"timeZone\": \"UTC\"}]");
        assertThat(badCron.status()).isEqualTo(400);
        assertThat(badCron.json().path("error").asText()).startsWith("window 1: training window cron 'nightly' is not a valid cron expression");
        Api.Answer badZone = putWindows("energy-operator", "energy", "[{\"cron\": \"0 0 22 ? * *\", \"lengthSeconds\": 3600, \"timeZone\": \"Nowhere/Land\"}]");
        assertThat(badZone.status()).isEqualTo(400);
        JsonNode schedule = Api.get("/sites/energy/windows").json();
        assertThat(schedule.path("windows")).isEmpty();
        assertThat(schedule.path("openNow").asBoolean()).isTrue();
        String page = Api.getAbsolute(CivitasServer.BASE + "/windows.xhtml").text();
        assertThat(page).contains("Site energy").contains("Open at any time (no windows)");
    }

    @Test
    void aLongLocalJobPausesWhenTheWindowClosesAndResumesFromItsCheckpointInTheNext() throws Exception {
        // Open 10 s of every 20 s; the job below (30 epochs in steps of 2 samples, a small learning rate so that such
        // small steps stay stable) outlasts one window on any machine, so it is paused at least once
        Api.Answer set = putWindows("energy-operator", "energy", "[{\"cron\": \"0/20 * * ? * *\", \"lengthSeconds\": 10, \"timeZone\": \"UTC\"}]");
        assertThat(set.status()).as(set.text()).isEqualTo(200);
        assertThat(set.json().path("windows").get(0).path("setBy").asText()).isEqualTo("energy-operator");
        try {
            Api.Answer started = Api.startFederation("{\"name\": \"Window check\", \"model\": \"multimodal-lora\", \"sites\": [\"energy\"],"
                    + " \"rounds\": 1, \"localEpochs\": 30, \"batchSize\": 2, \"learningRate\": 0.001, \"roundTimeoutSeconds\": 900}");
            assertThat(started.status()).as(started.text()).isEqualTo(201);
            long id = started.json().path("id").asLong();
            // Once it was paused and resumed in a later window, training may run at any time: the rest of the job then
            // takes as long as the machine needs for it, not that plus every closed window.
            CivitasServer.await(Duration.ofMinutes(5), "the run paused at a window's end and resumed from its checkpoint", () -> {
                JsonNode r = run(id);
                return r != null && r.path("windowPauses").asInt() >= 1 && resumedFromCheckpoint(id);
            });
            assertThat(putWindows("energy-operator", "energy", "[]").status()).isEqualTo(200);
            JsonNode f = Api.awaitFinished(id, Duration.ofMinutes(6));
            assertThat(f.path("status").asText()).as(f.toString()).isEqualTo("COMPLETED");
            JsonNode run = run(id);
            assertThat(run).isNotNull();
            assertThat(run.path("status").asText()).isEqualTo("UPLOADED");
            assertThat(run.path("windowPauses").asInt()).as(run.toString()).isGreaterThanOrEqualTo(1);
            assertThat(run.path("attempts").asInt()).as("a pause is not a failed attempt").isEqualTo(1);
            assertThat(resumedFromCheckpoint(id)).isTrue();
        } finally {
            assertThat(putWindows("energy-operator", "energy", "[]").status()).isEqualTo(200);
        }
    }

    /** Whether the worker resumed this federation's training from the checkpoint of an earlier execution. */
    private static boolean resumedFromCheckpoint(long federation) {
        return workerLog().lines().anyMatch(l -> l.contains("Resuming from checkpoint")
                && l.contains("federation-" + federation + "-round-1-checkpoint"));
    }

    private static String workerLog() {
        try {
            java.nio.file.Path log = CivitasServer.dataDir().resolve("worker").resolve("worker.log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The energy site's training run for the federation, as the API shows it, or null. */
    private static JsonNode run(long federation) {
        JsonNode run = null;
        for (JsonNode r : Api.get("/sites/runs?max=200").json()) {
            if (r.path("federationId").asLong() == federation) {
                run = r;
            }
        }
        return run;
    }

    @Test
    void readinessSaysTheDatabaseTheCoordinatorAndTheModelWorkerAreThere() throws Exception {
        HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + (9990 + CivitasServer.PORT_OFFSET) + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        JsonNode checks = Api.JSON.readTree(ready.body()).path("checks");
        java.util.Map<String, JsonNode> byName = new java.util.HashMap<>();
        checks.forEach(c -> byName.put(c.path("name").asText(), c));
        assertThat(byName).containsKeys("civitas-database", "civitas-coordinator", "civitas-model-worker", "civitas-schema");
        assertThat(byName.get("civitas-database").path("status").asText()).isEqualTo("UP");
        assertThat(byName.get("civitas-database").path("data").path("database").asText()).isIn("H2", "PostgreSQL");
        assertThat(byName.get("civitas-coordinator").path("data").path("status").asInt()).isEqualTo(401);
        assertThat(byName.get("civitas-model-worker").path("status").asText()).isEqualTo("UP");
    }

    @Test
    void aRoundsDeadlineLeavesEverySiteTheRoundTimeoutFromItsNextWindow() throws Exception {
        // A window that next opens in two days at 03:00 UTC (inside the 7 days a round waits for a window at most)
        java.time.ZonedDateTime opens = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusDays(2).withHour(3).withMinute(0)
                .withSecond(0).withNano(0);
        String cron = "0 0 3 " + opens.getDayOfMonth() + " " + opens.getMonthValue() + " ? " + opens.getYear();
        assertThat(putWindows("energy-operator", "energy", "[{\"cron\": \"" + cron + "\", \"lengthSeconds\": 3600, \"timeZone\": \"UTC\"}]")
                .status()).isEqualTo(200);
        try {
            // The site reports its windows to the coordinator on its next poll
            CivitasServer.await(Duration.ofMinutes(1), "the coordinator knows energy's window",
                    () -> Api.get("/sites/energy/reported-windows").text().contains(cron));
            java.time.Instant opening = opens.toInstant();
            Api.Answer started = Api.startFederation("{\"name\": \"Deadline check\", \"sites\": [\"energy\"], \"rounds\": 1,"
                    + " \"roundTimeoutSeconds\": 300}");
            assertThat(started.status()).as(started.text()).isEqualTo(201);
            JsonNode round = started.json().path("rounds").get(0);
            assertThat(java.time.Instant.parse(round.path("deadline").asText())).isEqualTo(opening.plusSeconds(300));
            // Any-time training again: the round completes and leaves nothing open
            assertThat(putWindows("energy-operator", "energy", "[]").status()).isEqualTo(200);
            assertThat(Api.awaitFinished(started.json().path("id").asLong(), Duration.ofMinutes(2)).path("status").asText()).isEqualTo("COMPLETED");
        } finally {
            putWindows("energy-operator", "energy", "[]");
        }
    }
}
