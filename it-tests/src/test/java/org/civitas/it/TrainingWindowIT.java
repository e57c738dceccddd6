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
 * Training windows: set by the site's IT operator only, validated; a local job is paused when its
 * site's window closes (the worker saves the step it reached) and resumes from that step when the
 * next window opens.
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
        // The body's shape is checked at the boundary, each broken field named with its window's place
        Api.Answer unshaped = putWindows("energy-operator", "energy", "[{\"cron\": \"0 0 22 ? * *\", \"lengthSeconds\": 3600},"
                + " {\"cron\": \" \", \"lengthSeconds\": -5}]");
        assertThat(unshaped.status()).as(unshaped.text()).isEqualTo(400);
        assertThat(unshaped.json().path("reason").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(unshaped.json().path("violations").findValuesAsText("field")).containsExactly("[1].cron", "[1].lengthSeconds");
        assertThat(unshaped.json().path("error").asText()).contains("[1].lengthSeconds: lengthSeconds must be positive");
        Api.Answer noBody = putWindows("energy-operator", "energy", "null");
        assertThat(noBody.status()).as(noBody.text()).isEqualTo(400);
        JsonNode schedule = Api.get("/sites/energy/windows").json();
        assertThat(schedule.path("windows")).isEmpty();
        assertThat(schedule.path("openNow").asBoolean()).isTrue();
        String page = Api.getAbsolute(CivitasServer.BASE + "/windows/index.xhtml").text();
        assertThat(page).contains("Site energy").contains("Open at any time (no windows)");
    }

    @Test
    void aLocalJobPausesWhenItsWindowClosesAndResumesFromTheStepItHadReachedWhenTheNextOpens() throws Exception {
        // The windows change while the job trains, so that the test follows the job rather than the clock: a window
        // twelve hours away closes the site now, and no windows at all open it again. The calendar's own timing is
        // covered by TrainingCalendarTest.
        java.time.ZonedDateTime later = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusHours(12);
        String closedNow = "[{\"cron\": \"0 0 " + later.getHour() + " * * ?\", \"lengthSeconds\": 60, \"timeZone\": \"UTC\"}]";
        try {
            Api.Answer started = Api.startFederation(Api.citySafetyPlan("{\"name\": \"Window check\", \"sites\": [\"energy\"],"
                    + " \"rounds\": 1, \"localEpochs\": 30, \"batchSize\": 2, \"learningRate\": 0.001, \"roundTimeoutSeconds\": 900}"));
            assertThat(started.status()).as(started.text()).isEqualTo(201);
            long id = started.json().path("id").asLong();
            CivitasServer.await(Duration.ofMinutes(3), "the energy site's worker trains", () -> {
                JsonNode r = run(id);
                return r != null && r.path("message").asText().contains("training in the model worker: step");
            });
            long stopsBefore = stops().count();
            Api.Answer closed = putWindows("energy-operator", "energy", closedNow);
            assertThat(closed.status()).as(closed.text()).isEqualTo(200);
            assertThat(closed.json().path("windows").get(0).path("setBy").asText()).isEqualTo("energy-operator");
            CivitasServer.await(Duration.ofMinutes(1), "the run paused at the window's end", () -> {
                JsonNode r = run(id);
                return "PAUSED".equals(r.path("status").asText()) && r.path("windowPauses").asInt() == 1;
            });
            // The worker stops at its next step and keeps that step as the checkpoint
            CivitasServer.await(Duration.ofMinutes(1), "the worker stopped the run at a step", () -> stops().count() > stopsBefore);
            String stoppedAt = stops().reduce((a, b) -> b).orElseThrow();
            assertThat(run(id).path("message").asText()).contains("paused at the end of the training window; resumes at "
                    + later.withMinute(0).withSecond(0).withNano(0).toInstant());
            assertThat(putWindows("energy-operator", "energy", "[]").status()).isEqualTo(200);
            JsonNode f = Api.awaitFinished(id, Duration.ofMinutes(10));
            assertThat(f.path("status").asText()).as(f.toString()).isEqualTo("COMPLETED");
            JsonNode run = run(id);
            assertThat(run).isNotNull();
            assertThat(run.path("status").asText()).isEqualTo("UPLOADED");
            assertThat(run.path("windowPauses").asInt()).as(run.toString()).isEqualTo(1);
            assertThat(run.path("attempts").asInt()).as("a pause is not a failed attempt").isEqualTo(1);
            assertThat(workerLog()).as("the resumed execution starts after the step the stopped one reached")
                    .contains("federation-" + id + "-round-1-checkpoint.safetensors after step " + stoppedAt);
        } finally {
            assertThat(putWindows("energy-operator", "energy", "[]").status()).isEqualTo(200);
        }
    }

    /** The steps at which the worker stopped a training request, oldest first. */
    private static java.util.stream.Stream<String> stops() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("cancelled at step (\\d+) of").matcher(workerLog());
        return m.results().map(r -> r.group(1));
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
