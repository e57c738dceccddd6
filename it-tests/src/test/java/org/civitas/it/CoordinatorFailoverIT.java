package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two coordinator servers on one PostgreSQL database and one shared folder, as README's "Two
 * coordinators" section runs them, with two participant servers that know both addresses. One
 * coordinator closes the rounds (it holds the coordinators' lease); the other answers the sites
 * too and waits. The leader is killed in the middle of a round: the other takes over within 15
 * seconds, and every round is aggregated exactly once from every update either had accepted. Then
 * the new leader is frozen (as a long pause would) while the first, started again, takes over;
 * woken up, the frozen one closes nothing.
 */
class CoordinatorFailoverIT {

    private static final String SCHEMA = "civitas_failover";
    private static final int ROUNDS = 3;
    private static final Duration TAKEOVER = Duration.ofSeconds(15);

    private static Path work;
    private static final Map<String, ServerProcess> coordinators = new LinkedHashMap<>();
    private static final List<ServerProcess> participants = new ArrayList<>();
    /** The coordinator the test talks to: the one left standing. */
    private static volatile ServerProcess current;
    private static final Consortium consortium = new Consortium(() -> current.api());

    @BeforeAll
    static void startTwoCoordinators() {
        // Beside the other multi-server test's folder, which that test empties when it starts.
        work = Path.of(System.getProperty("civitas.it.work.dir", "target/it-multiserver")).toAbsolutePath().resolveSibling("it-failover");
        ServerProcess.deleteRecursively(work);
        CivitasServer.resetPostgresSchema(SCHEMA);
        // One after the other: the first makes the administrator and the coordinator's signing key in the shared folder.
        for (String name : List.of("a", "b")) {
            coordinators.put(name, coordinatorServer(name).start().awaitReady(Duration.ofMinutes(3)));
        }
        current = coordinators.get("a");
    }

    @AfterAll
    static void stopEverything() {
        participants.forEach(ServerProcess::close);
        coordinators.values().forEach(ServerProcess::close);
    }

    private static ServerProcess coordinatorServer(String name) {
        List<String> properties = new ArrayList<>(List.of("-Dcivitas.role=coordinator", "-Dcivitas.node.name=coordinator-" + name,
                "-Dcivitas.coordinator.shared-dir=" + work.resolve("shared"), "-Dcivitas.participant.require-signed-updates=true"));
        properties.addAll(CivitasServer.postgresProperties(SCHEMA));
        Path base = work.resolve("coordinator-" + name);
        return new ServerProcess("coordinator-" + name, serverDir(), base, base.resolve("log"), "a".equals(name) ? 300 : 310, properties,
                Map.of("CIVITAS_ADMIN_INITIAL_PASSWORD", Consortium.ADMIN_PASSWORD));
    }

    private static ServerProcess participantServer(String site, int portOffset, String token) {
        String both = coordinators.get("a").api() + "," + coordinators.get("b").api();
        return new ServerProcess(site, serverDir(), work.resolve(site), work.resolve(site).resolve("log"), portOffset,
                List.of("-Dcivitas.role=participant", "-Dcivitas.site.code=" + site, "-Dcivitas.coordinator.url=" + both,
                        "-Dcivitas.site.demo-data=true"),
                Map.of("CIVITAS_SITE_TOKEN", token, "CIVITAS_ADMIN_INITIAL_PASSWORD", Consortium.ADMIN_PASSWORD));
    }

    private static Path serverDir() {
        return Path.of(System.getProperty("civitas.it.server.dir", "../ear/target/server"));
    }

    private static JsonNode lease(ServerProcess coordinator) {
        Api.Answer a = Api.call(coordinator.api() + "/coordinator/lease", "admin", Consortium.ADMIN_PASSWORD, null);
        assertThat(a.status()).as(a.text()).isEqualTo(200);
        return a.json();
    }

    /** Waits until {@code coordinator} holds the lease; answers its view of it. */
    private static JsonNode awaitLeading(ServerProcess coordinator, Duration timeout) {
        JsonNode[] view = new JsonNode[1];
        CivitasServer.await(timeout, coordinator.api() + " to hold the coordinators' lease", () -> {
            view[0] = lease(coordinator);
            return view[0].path("held").asBoolean();
        });
        return view[0];
    }

    @Test
    void theOtherCoordinatorTakesOverMidRoundAndEveryRoundIsAggregatedOnceAndAFrozenLeaderWritesNothingWhenItWakes() throws Exception {
        // One leads: the first to start. Both see the same lease.
        ServerProcess a = coordinators.get("a");
        ServerProcess b = coordinators.get("b");
        JsonNode leaseOfA = awaitLeading(a, Duration.ofSeconds(30));
        assertThat(leaseOfA.path("holder").asText()).startsWith("coordinator-a-").isEqualTo(leaseOfA.path("thisServer").asText());
        JsonNode seenByB = lease(b);
        assertThat(seenByB.path("held").asBoolean()).isFalse();
        assertThat(seenByB.path("holder").asText()).isEqualTo(leaseOfA.path("holder").asText());
        assertThat(metric(b.metrics(), "civitas_coordinator_leading")).isZero();
        assertThat(metric(a.metrics(), "civitas_coordinator_leading")).isEqualTo(1.0);

        Map<String, String> tokens = consortium.join();
        int offset = 320;
        for (String site : List.of("energy", "community")) {
            participants.add(participantServer(site, offset, tokens.get(site)).start());
            offset += 10;
        }
        participants.forEach(p -> p.awaitReady(Duration.ofMinutes(4)));
        consortium.awaitSigningKeysRegistered(Set.of("energy", "community"));

        long first = startFederation("two coordinators", ROUNDS);

        // Kill the leader while a round holds an accepted update.
        JsonNode beforeKill = consortium.awaitFederation(first, f -> openRoundWithUpdates(f) != null, Duration.ofMinutes(3),
                "an open round with an accepted update");
        JsonNode interrupted = openRoundWithUpdates(beforeKill);
        int cutRound = interrupted.path("number").asInt();
        Set<String> acceptedBeforeKill = Consortium.sites(interrupted);
        long tokenOfA = lease(a).path("fencingToken").asLong();
        Instant killed = Instant.now();
        a.kill();
        current = b;

        // The other takes over within 15 s, with the next fencing token.
        JsonNode leaseOfB = awaitLeading(b, Duration.ofSeconds(45));
        assertThat(leaseOfB.path("holder").asText()).startsWith("coordinator-b-");
        assertThat(leaseOfB.path("fencingToken").asLong()).isEqualTo(tokenOfA + 1);
        Duration takeover = Duration.between(killed, Instant.parse(leaseOfB.path("acquiredAt").asText()));
        assertThat(takeover).as("from the kill to the other's lease").isLessThanOrEqualTo(TAKEOVER);
        System.out.println("CoordinatorFailoverIT: the standby coordinator took over " + takeover.toMillis() + " ms after the leader was killed");

        JsonNode done = consortium.awaitFederation(first, f -> !"RUNNING".equals(f.path("status").asText()), Duration.ofMinutes(4),
                "the federation finished");
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        assertThat(done.path("rounds")).hasSize(ROUNDS);
        for (JsonNode r : done.path("rounds")) {
            assertThat(r.path("status").asText()).as(r.toString()).isEqualTo("AGGREGATED");
            assertThat(Consortium.sites(r)).as("round " + r.path("number")).containsExactlyInAnyOrder("energy", "community");
        }
        // No accepted upload was lost: the cut round was aggregated with every update accepted before the kill.
        assertThat(Consortium.sites(Consortium.round(done, cutRound))).containsAll(acceptedBeforeKill);
        Consortium.assertEachRoundAggregatedOnce(SCHEMA, done);
        // Every round is valued: a valuation that died with the leader runs again under the other.
        consortium.awaitFederation(first, CoordinatorFailoverIT::everyRoundValued, Duration.ofMinutes(2), "every round valued");

        // Split brain: the first coordinator comes back (a new claimant: it waits), the leader freezes mid-federation,
        // the first takes over and finishes; the frozen one, woken, holds nothing and closed nothing.
        coordinators.put("a", a = coordinatorServer("a").start().awaitReady(Duration.ofMinutes(3)));
        assertThat(lease(a).path("held").asBoolean()).isFalse();
        long second = startFederation("two coordinators, a pause", 2);
        consortium.awaitFederation(second, f -> Consortium.round(f, 1) != null, Duration.ofMinutes(2), "its first round opened");
        b.pause();
        try {
            current = a;
            JsonNode retaken = awaitLeading(a, Duration.ofSeconds(45));
            assertThat(retaken.path("fencingToken").asLong()).isEqualTo(leaseOfB.path("fencingToken").asLong() + 1);
        } finally {
            b.resume();
        }
        JsonNode afterPause = consortium.awaitFederation(second, f -> !"RUNNING".equals(f.path("status").asText()), Duration.ofMinutes(4),
                "the second federation finished");
        assertThat(afterPause.path("status").asText()).as(afterPause.toString()).isEqualTo("COMPLETED");
        Consortium.assertEachRoundAggregatedOnce(SCHEMA, afterPause);
        consortium.awaitFederation(second, CoordinatorFailoverIT::everyRoundValued, Duration.ofMinutes(2), "every round valued");
        JsonNode woken = lease(b);
        assertThat(woken.path("held").asBoolean()).as(woken.toString()).isFalse();
        assertThat(woken.path("holder").asText()).startsWith("coordinator-a-");
        assertThat(metric(b.metrics(), "civitas_coordinator_leading")).isZero();

        JsonNode verify = Api.call(current.api() + "/audit/verify", "admin", Consortium.ADMIN_PASSWORD, null).json();
        assertThat(verify.path("intact").asBoolean()).as(verify.toString()).isTrue();
    }

    private static long startFederation(String name, int rounds) {
        String plan = "{\"name\": \"" + name + "\", \"sites\": [\"energy\", \"community\"], \"rounds\": " + rounds
                + ", \"quorum\": 2, \"minSites\": 2, \"roundTimeoutSeconds\": 90}";
        JsonNode preview = consortium.asAdmin("/plans/preview", plan).json();
        for (String site : List.of("energy", "community")) {
            consortium.agree(plan, preview, site, name);
        }
        return Consortium.created(consortium.asAdmin("/federations", plan)).path("id").asLong();
    }

    /** Each round holds a contribution value of each of its sites. */
    private static boolean everyRoundValued(JsonNode federation) {
        for (JsonNode r : federation.path("rounds")) {
            if (r.path("contributions").size() < r.path("receipts").size()) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode openRoundWithUpdates(JsonNode federation) {
        for (JsonNode r : federation.path("rounds")) {
            if ("OPEN".equals(r.path("status").asText()) && r.path("updates").asInt() > 0) {
                return r;
            }
        }
        return null;
    }

    /** A metric's value from Prometheus text (a sample without labels); -1 when absent. */
    private static double metric(String prometheus, String name) {
        for (String line : prometheus.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }
}
