package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The EAR that WildFly runs, unchanged, on Payara Server 6: a domain of its own set up by
 * {@code server-config}'s {@code payara-civitas.sh} and {@code configure-civitas.asadmin}, on
 * PostgreSQL (EclipseLink as the JPA provider, Jersey for REST, Payara's batch runtime and
 * MicroProfile), in the standalone role that brings up the demo consortium. The demo's federations
 * must run to the end, the API must refuse what it refuses on WildFly, and the records must add up
 * in the database.
 */
class PayaraSmokeIT {

    private static final String DOMAIN = "civitas-it";
    private static final int PORT_BASE = 12000;
    private static final String BASE = "http://127.0.0.1:" + (PORT_BASE + 80) + "/civitas";
    private static final String API = BASE + "/api";
    private static final String SCHEMA = "civitas_payara";
    private static final String PASSWORD = "civitas-demo";

    private static Path payara;
    private static Path log;

    @BeforeAll
    static void deployOnPayara() throws IOException {
        payara = Path.of(System.getProperty("civitas.it.payara.home")).toAbsolutePath();
        Path work = Path.of(System.getProperty("civitas.it.work.dir", "target/it-payara")).toAbsolutePath();
        ServerProcess.deleteRecursively(work);
        Files.createDirectories(work);
        log = work.resolve("payara-civitas.log");
        // A domain left running by an interrupted run holds the ports; a used one holds old state.
        asadmin("stop-domain", DOMAIN);
        ServerProcess.deleteRecursively(payara.resolve("glassfish/domains/" + DOMAIN));
        CivitasServer.resetPostgresSchema(SCHEMA);

        Map<String, String> env = new HashMap<>();
        env.put("CIVITAS_DB_URL", System.getProperty("civitas.it.postgresql.url") + "?currentSchema=" + SCHEMA);
        env.put("CIVITAS_DB_USER", System.getProperty("civitas.it.postgresql.user"));
        env.put("CIVITAS_DB_PASSWORD", System.getProperty("civitas.it.postgresql.password"));
        env.put("CIVITAS_DB_SCHEMA", SCHEMA);
        env.put("CIVITAS_COORDINATOR_URL", API);
        env.put("CIVITAS_WORKER_HOME", Path.of(System.getProperty("civitas.it.server.dir"), "civitas-worker").toAbsolutePath().toString());
        run(List.of(Path.of("..", "server-config", "src", "main", "scripts", "payara-civitas.sh").toAbsolutePath().normalize().toString(),
                payara.toString(), DOMAIN, String.valueOf(PORT_BASE), System.getProperty("civitas.it.payara.driver"),
                Path.of(System.getProperty("civitas.it.ear")).toAbsolutePath().toString()), env, Duration.ofMinutes(6));
    }

    @AfterAll
    static void stopPayara() {
        if (payara != null) {
            asadmin("stop-domain", DOMAIN);
        }
    }

    @Test
    void theDemoFederationsRunToTheEndAndTheirRecordsAddUp() throws SQLException {
        JsonNode federations = awaitFinished("/federations", 3, "RUNNING", Duration.ofMinutes(8));
        int expectedVersions = 0;
        for (JsonNode summary : federations) {
            JsonNode f = get("admin", "/federations/" + summary.path("id").asLong()).json();
            assertThat(f.path("status").asText()).as(f.toString()).isEqualTo("COMPLETED");
            int rounds = f.path("roundsPlanned").asInt();
            assertThat(f.path("rounds")).hasSize(rounds);
            for (JsonNode r : f.path("rounds")) {
                assertThat(r.path("status").asText()).as(r.toString()).isEqualTo("AGGREGATED");
                assertThat(r.path("updates").asInt()).as(r.toString()).isEqualTo(3);
            }
            JsonNode models = f.path("models");
            assertThat(models).hasSize(rounds + 1);
            for (int v = 1; v <= rounds; v++) {
                assertThat(models.get(v).path("parentVersion").asInt()).isEqualTo(v - 1);
                assertThat(models.get(v).path("sha256").asText()).hasSize(64);
            }
            expectedVersions += rounds + 1;
        }
        assertThat(federations.size()).as("the demo's federations: " + federations).isEqualTo(3);

        // What EclipseLink wrote is what the API reports, and the money and the audit chain hold.
        assertThat(count("select count(*) from model_version")).isEqualTo(expectedVersions);
        assertThat(count("select count(*) from federation_round where status = 'AGGREGATED'")).isEqualTo(expectedVersions - federations.size());
        assertThat(count("select count(*) from audit_entry where action = 'round.aggregated'")).isEqualTo(expectedVersions - federations.size());
        JsonNode ledger = get("admin", "/ledger/check").json();
        assertThat(ledger.path("balanced").asBoolean()).as(ledger.toString()).isTrue();
        assertThat(ledger.path("entries").asLong()).isPositive();
        JsonNode chain = get("admin", "/audit/verify").json();
        assertThat(chain.path("intact").asBoolean()).as(chain.toString()).isTrue();
        assertThat(chain.path("entriesChecked").asLong()).isEqualTo(count("select count(*) from audit_entry"));

        // The pool never released a connection twice while the federations ran: when it did, later commits
        // failed with "Cannot commit when autoCommit is enabled" and rows went missing at random.
        assertThat(serverLog()).content().doesNotContain("isBusy already set to false").doesNotContain("autoCommit is enabled");
    }

    @Test
    void eachDemoSiteChecksItsDataInAPartitionedBatchJob() {
        for (String site : List.of("energy", "community", "urban")) {
            JsonNode runs = awaitFinished("/sites/" + site + "/quality-runs", 1, "STARTED", Duration.ofMinutes(4));
            assertThat(runs.size()).as(site + ": " + runs).isPositive();
            for (JsonNode run : runs) {
                assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
                assertThat(run.path("itemsDone").asLong()).isEqualTo(run.path("totalItems").asLong()).isPositive();
                // Instants stored through EclipseLink come back as they were written, in order.
                assertThat(java.time.Instant.parse(run.path("finishedAt").asText()))
                        .isAfter(java.time.Instant.parse(run.path("startedAt").asText()));
            }
        }
    }

    @Test
    void anAgreementGoesThroughFourEyesWithItsIdsAndStatesKept() {
        String plan = "{\"rounds\": 2, \"name\": \"Payara check\"}";
        JsonNode preview = post("admin", "/plans/preview", plan).json();
        Api.Answer requested = post("energy-steward", "/agreements", "{\"plan\": " + plan + ", \"datasets\": [\""
                + preview.path("dataset").asText() + "\"], \"modalities\": [\"features\"], \"purpose\": \"smoke test on Payara\","
                + " \"task\": \"incident classification\"}");
        assertThat(requested.status()).as(requested.text()).isEqualTo(201);
        long id = requested.json().path("id").asLong();
        assertThat(id).isPositive();
        assertThat(requested.json().path("status").asText()).isEqualTo("SUBMITTED");

        Api.Answer self = post("energy-steward", "/agreements/" + id + "/decision", "{\"approve\": true, \"comment\": \"mine\"}");
        assertThat(self.status()).as(self.text()).isEqualTo(403);
        for (String officer : List.of("energy-compliance", "consortium-compliance")) {
            Api.Answer decided = post(officer, "/agreements/" + id + "/decision", "{\"approve\": true, \"comment\": \"approved on Payara\"}");
            assertThat(decided.status()).as(decided.text()).isEqualTo(200);
        }
        JsonNode agreement = get("admin", "/agreements/" + id).json();
        assertThat(agreement.path("status").asText()).as(agreement.toString()).isEqualTo("ACTIVE");
        assertThat(get("admin", "/agreements/" + id + "/history").json().toString()).contains("approved on Payara");
    }

    @Test
    void theApiRefusesWhatItRefusesOnWildFly() {
        assertThat(Api.call(API + "/federations", "admin", "wrong-password", null).status()).isEqualTo(401);
        assertThat(Api.anonymous(API + "/federations").status()).isEqualTo(401);
        assertThat(Api.anonymous(BASE + "/credits/index.xhtml").status()).as("an anonymous page request goes to the login").isEqualTo(302);
        // @RolesAllowed: a data steward may not start a federation.
        Api.Answer steward = post("energy-steward", "/federations", "{}");
        assertThat(steward.status()).as(steward.text()).isEqualTo(403);
        Api.Answer badPlan = post("admin", "/plans/preview", "{\"rounds\": 0}");
        assertThat(badPlan.status()).isEqualTo(400);
        assertThat(badPlan.json().path("error").asText()).contains("rounds must be in [1, 1000], was 0");
        // Bean Validation at the boundary answers the same JSON shape under Jersey as under RESTEasy.
        LedgerIT.refusedByConstraints(post("admin", "/ledger/adjustments", "{\"memo\": \"no amount\", \"amount\": -1}"));
    }

    @Test
    void thePortalAndTheReadinessChecksAnswer() {
        Api.Answer page = Api.call(BASE + "/federations/index.xhtml", "admin", PASSWORD, null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.text()).contains("Federations");
        Api.Answer ready = Api.getAbsolute("http://127.0.0.1:" + (PORT_BASE + 80) + "/health/ready");
        assertThat(ready.status()).as(ready.text()).isEqualTo(200);
        assertThat(ready.text()).contains("civitas-schema").contains("civitas-database").contains("PostgreSQL");
    }

    /**
     * Polls a list of the API until it has at least {@code atLeast} entries and none of them is
     * still in the {@code unfinished} status.
     */
    private static JsonNode awaitFinished(String path, int atLeast, String unfinished, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        JsonNode all;
        do {
            all = get("admin", path).json();
            boolean finished = all.size() >= atLeast;
            for (JsonNode entry : all) {
                finished &= !unfinished.equals(entry.path("status").asText());
            }
            if (finished) {
                return all;
            }
            CivitasServer.sleep(1000);
        } while (System.nanoTime() < end);
        throw new AssertionError(path + " did not finish within " + timeout + ": " + all + "; see " + serverLog());
    }

    private static Api.Answer get(String user, String path) {
        return Api.call(API + path, user, PASSWORD, null);
    }

    private static Api.Answer post(String user, String path, String json) {
        return Api.call(API + path, user, PASSWORD, json);
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = CivitasServer.postgres(); Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + SCHEMA);
            try (ResultSet r = s.executeQuery(sql)) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static Path serverLog() {
        return payara.resolve("glassfish/domains/" + DOMAIN + "/logs/server.log");
    }

    private static void asadmin(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(payara.resolve("bin/asadmin").toString()));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void run(List<String> command, Map<String, String> env, Duration timeout) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("payara-civitas.sh did not finish within " + timeout + "; see " + log);
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("payara-civitas.sh failed (" + p.exitValue() + "): " + Files.readString(log)
                        + "\nsee " + serverLog());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
