package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A consortium of separate servers as the multi-server tests set it up, through a coordinator's
 * API (the coordinator they call may change while a test runs: one restarted, or another taking
 * over): its members, sites and users, their agreements, and waiting on a federation.
 */
final class Consortium {

    static final String ADMIN_PASSWORD = "first-admin-secret";
    static final String PASSWORD = "member-password-1";
    /** Site -> enterprise code, name, sector: the demo's, so participants can use its generated data. */
    static final Map<String, String[]> MEMBERS = new LinkedHashMap<>();

    static {
        MEMBERS.put("energy", new String[] {"meridian-energy", "Meridian Energy", "energy"});
        MEMBERS.put("community", new String[] {"harbourview-residential", "Harbourview Residential", "property"});
        MEMBERS.put("urban", new String[] {"civic-operations", "Civic Operations Agency", "public sector"});
    }

    private final Supplier<String> api;

    /** @param api the base URL of the coordinator's API to call now */
    Consortium(Supplier<String> api) {
        this.api = api;
    }

    Api.Answer asAdmin(String path, String json) {
        return Api.call(api.get() + path, "admin", ADMIN_PASSWORD, json);
    }

    /** What the README's "Join a consortium" section does with curl: members, sites (tokens), users. */
    Map<String, String> join() {
        Map<String, String> tokens = new LinkedHashMap<>();
        created(asAdmin("/users", "{\"username\": \"consortium-compliance\", \"password\": \"" + PASSWORD
                + "\", \"roles\": [\"COMPLIANCE_OFFICER\"]}"));
        for (Map.Entry<String, String[]> m : MEMBERS.entrySet()) {
            String site = m.getKey();
            String[] e = m.getValue();
            created(asAdmin("/enterprises", "{\"code\": \"" + e[0] + "\", \"name\": \"" + e[1] + "\", \"sector\": \"" + e[2] + "\"}"));
            JsonNode registered = created(asAdmin("/sites", "{\"code\": \"" + site + "\", \"enterprise\": \"" + e[0] + "\"}"));
            tokens.put(site, registered.path("token").asText());
            for (String[] user : List.of(new String[] {"steward", "DATA_STEWARD"}, new String[] {"compliance", "COMPLIANCE_OFFICER"})) {
                created(asAdmin("/users", "{\"username\": \"" + site + "-" + user[0] + "\", \"password\": \"" + PASSWORD
                        + "\", \"enterprise\": \"" + e[0] + "\", \"roles\": [\"" + user[1] + "\"]}"));
            }
        }
        // The task the members' data are for, registered before their servers import it (a coordinator ships no task of its own)
        try {
            created(asAdmin("/tasks", "{\"name\": \"city-safety\", \"description\": \"City-safety incidents from photos and reports\","
                    + " \"labels\": " + Api.JSON.writeValueAsString(org.civitas.federation.core.dataset.Taxonomy.LABELS)
                    + ", \"modalities\": [\"image\", \"text\"], \"primaryMetric\": \"macro-f1\"}"));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        Api.Answer again = asAdmin("/enterprises", "{\"code\": \"meridian-energy\", \"name\": \"Meridian\", \"sector\": \"energy\"}");
        assertThat(again.status()).as(again.text()).isEqualTo(409);
        return tokens;
    }

    /** The site's data steward asks for the plan's agreement; the site's officer and the consortium's approve it. */
    void agree(String plan, JsonNode preview, String site, String purpose) {
        JsonNode requested = created(Api.call(api.get() + "/agreements", site + "-steward", PASSWORD,
                "{\"plan\": " + plan + ", \"datasets\": " + preview.path("datasetsByEnterprise").path(MEMBERS.get(site)[0])
                        + ", \"modalities\": [\"features\"], \"purpose\": \"" + purpose + "\", \"task\": \"incident classification\"}"));
        for (String officer : List.of(site + "-compliance", "consortium-compliance")) {
            Api.Answer decided = Api.call(api.get() + "/agreements/" + requested.path("id").asLong() + "/decision", officer,
                    PASSWORD, "{\"approve\": true, \"comment\": \"approved\"}");
            assertThat(decided.status()).as(decided.text()).isEqualTo(200);
        }
    }

    /** Each participant registers its Ed25519 key when it first reaches the coordinator; plans here require signed updates. */
    void awaitSigningKeysRegistered(Set<String> sites) {
        long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < end) {
            JsonNode all = asAdmin("/sites", null).json();
            Set<String> keyed = new HashSet<>();
            all.forEach(s -> {
                if (s.hasNonNull("signingKeyFingerprint")) {
                    keyed.add(s.path("code").asText());
                }
            });
            if (keyed.containsAll(sites)) {
                return;
            }
            CivitasServer.sleep(500);
        }
        throw new AssertionError("the participants did not register their signing keys: " + asAdmin("/sites", null).text());
    }

    JsonNode awaitFederation(long id, Predicate<JsonNode> condition, Duration timeout, String what) {
        long end = System.nanoTime() + timeout.toNanos();
        JsonNode f = null;
        while (System.nanoTime() < end) {
            Api.Answer a = asAdmin("/federations/" + id, null);
            if (a.status() == 200) {
                f = a.json();
                if (condition.test(f)) {
                    return f;
                }
            }
            CivitasServer.sleep(250);
        }
        throw new AssertionError("waited " + timeout + " for " + what + ": " + f);
    }

    static JsonNode created(Api.Answer answer) {
        assertThat(answer.status()).as(answer.text()).isEqualTo(201);
        return answer.json();
    }

    static JsonNode round(JsonNode federation, int number) {
        for (JsonNode r : federation.path("rounds")) {
            if (r.path("number").asInt() == number) {
                return r;
            }
        }
        return null;
    }

    static JsonNode openRoundWith(JsonNode federation, int updates) {
        for (JsonNode r : federation.path("rounds")) {
            if ("OPEN".equals(r.path("status").asText()) && r.path("updates").asInt() == updates) {
                return r;
            }
        }
        return null;
    }

    /** The sites whose updates a round accepted. */
    static Set<String> sites(JsonNode round) {
        Set<String> sites = new HashSet<>();
        round.path("receipts").forEach(u -> sites.add(u.path("site").asText()));
        return sites;
    }

    /**
     * In the coordinators' database ({@code schema}): one model version per round of the finished
     * federation plus the initial one, one aggregation per round in the audit chain, and as many
     * receipts as the rounds say they aggregated.
     */
    static void assertEachRoundAggregatedOnce(String schema, JsonNode finished) throws SQLException {
        long federation = finished.path("id").asLong();
        int rounds = finished.path("rounds").size();
        try (Connection c = CivitasServer.postgres()) {
            assertThat(count(c, "select count(*) from " + schema + ".model_version where federation_id = ?", federation))
                    .isEqualTo(rounds + 1);
            assertThat(count(c, "select count(distinct version_number) from " + schema + ".model_version where federation_id = ?",
                    federation)).isEqualTo(rounds + 1);
            Map<String, Long> aggregations = new java.util.TreeMap<>();
            try (PreparedStatement s = c.prepareStatement("select subject, count(*) from " + schema
                    + ".audit_entry where action = 'round.aggregated' and subject like ? group by subject")) {
                s.setString(1, "federation " + federation + " round %");
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        aggregations.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            assertThat(aggregations).hasSize(rounds).allSatisfy((subject, n) -> assertThat(n).as(subject).isEqualTo(1L));
            long updates = 0;
            for (JsonNode r : finished.path("rounds")) {
                updates += r.path("updates").asLong();
            }
            assertThat(count(c, "select count(*) from " + schema + ".update_receipt u join " + schema
                    + ".federation_round r on u.round_id = r.id where r.federation_id = ?", federation)).isEqualTo(updates);
        }
    }

    static long count(Connection c, String sql, long federation) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, federation);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
