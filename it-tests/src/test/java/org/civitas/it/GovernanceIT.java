package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Logins, roles and data-sharing agreements over the real server: who may do what, the four-eyes
 * rule, federations that start only with active agreements for their exact plan hash, a revoked
 * agreement taking its site out of the next round, and the attacks the portal must resist.
 */
@ExtendWith(CivitasServer.class)
class GovernanceIT {

    private static final String PLAN = "{\"name\": \"Governance check\", \"rounds\": 3}";

    private static String request(String plan, String extra) {
        return "{\"plan\": " + plan + ", \"datasets\": [\"incident-features\"], \"modalities\": [\"features\"],"
                + " \"purpose\": \"governance test\", \"task\": \"incident classification\"" + extra + "}";
    }

    private static int federationCount() {
        return Api.get("/federations").json().size();
    }

    @Test
    void anonymousCallersAreAskedToAuthenticateAndWrongRolesChangeNothing() throws Exception {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> api = http.send(HttpRequest.newBuilder(URI.create(CivitasServer.API + "/federations")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).isEqualTo(401);
        assertThat(api.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(CivitasServer.BASE + "/credits/index.xhtml")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location")).hasValueSatisfying(v -> assertThat(v).contains("/login.xhtml?next=%2Fcredits%2Findex.xhtml"));

        int before = federationCount();
        Api.Answer auditorStarts = Api.postJsonAs("auditor", "/federations", PLAN);
        assertThat(auditorStarts.status()).isEqualTo(403);
        assertThat(federationCount()).isEqualTo(before);
        Api.Answer auditorRequests = Api.postJsonAs("auditor", "/agreements", request(PLAN, ""));
        assertThat(auditorRequests.status()).isEqualTo(403);
        assertThat(auditorRequests.json().path("error").asText()).contains("only a data steward of an enterprise requests");

        long id = Api.postJsonAs("energy-steward", "/agreements", request(PLAN, "")).json().path("id").asLong();
        Api.Answer stewardDecides = Api.postJsonAs("energy-steward", "/agreements/" + id + "/decision",
                "{\"approve\": true, \"comment\": \"mine\"}");
        assertThat(stewardDecides.status()).isEqualTo(403);
        Api.Answer otherOfficer = Api.postJsonAs("urban-compliance", "/agreements/" + id + "/decision",
                "{\"approve\": true, \"comment\": \"not mine\"}");
        assertThat(otherOfficer.status()).isEqualTo(403);
        assertThat(otherOfficer.json().path("error").asText())
                .isEqualTo("a compliance officer of civic-operations cannot decide an agreement of meridian-energy");
        assertThat(Api.get("/agreements/" + id).json().path("decisions")).isEmpty();
        assertThat(Api.get("/agreements/" + id).json().path("status").asText()).isEqualTo("SUBMITTED");
    }

    @Test
    void fourEyesRefuseSelfApprovalAndTheSameOfficerTwice() {
        Api.Answer created = Api.postJson("/users", "{\"username\": \"both-hats\", \"password\": \"" + Api.DEMO_PASSWORD + "\","
                + " \"enterprise\": \"meridian-energy\", \"roles\": [\"DATA_STEWARD\", \"COMPLIANCE_OFFICER\"]}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        long id = Api.postJsonAs("both-hats", "/agreements", request(PLAN, "")).json().path("id").asLong();
        Api.Answer self = Api.postJsonAs("both-hats", "/agreements/" + id + "/decision", "{\"approve\": true, \"comment\": \"fine by me\"}");
        assertThat(self.status()).isEqualTo(400);
        assertThat(self.json().path("error").asText()).isEqualTo("four eyes: both-hats requested this agreement and cannot decide on it");
        Api.Answer noComment = Api.postJsonAs("energy-compliance", "/agreements/" + id + "/decision", "{\"approve\": true, \"comment\": \" \"}");
        assertThat(noComment.status()).isEqualTo(400);
        assertThat(noComment.json().path("error").asText()).contains("a decision needs a comment");
        assertThat(Api.postJsonAs("energy-compliance", "/agreements/" + id + "/decision", "{\"approve\": true, \"comment\": \"ok\"}")
                .status()).isEqualTo(200);
        Api.Answer again = Api.postJsonAs("energy-compliance", "/agreements/" + id + "/decision", "{\"approve\": true, \"comment\": \"twice\"}");
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.json().path("error").asText()).contains("has decided already");
        assertThat(Api.get("/agreements/" + id).json().path("status").asText()).isEqualTo("SUBMITTED");
    }

    @Test
    void aFederationStartsOnlyWithActiveAgreementsForItsExactPlanHash() throws Exception {
        String plan = "{\"name\": \"Hash check\", \"rounds\": 2}";
        String other = "{\"name\": \"Hash check\", \"rounds\": 3}";
        JsonNode preview = Api.postJson("/plans/preview", plan).json();
        for (String enterprise : new String[] {"meridian-energy", "harbourview-residential", "civic-operations"}) {
            Api.agree(plan, preview, enterprise);
        }
        String otherHash = Api.postJson("/plans/preview", other).json().path("planSha256").asText();
        int before = federationCount();
        Api.Answer mismatch = Api.postJson("/federations", other);
        assertThat(mismatch.status()).isEqualTo(400);
        assertThat(mismatch.json().path("error").asText()).startsWith("no active data-sharing agreement for plan " + otherHash)
                .contains("site 'energy': enterprise meridian-energy has no agreement for this plan hash");
        assertThat(federationCount()).isEqualTo(before);

        // An agreement that has expired does not count
        String shortPlan = "{\"name\": \"Expiry check\", \"rounds\": 1}";
        JsonNode shortPreview = Api.postJson("/plans/preview", shortPlan).json();
        Api.agree(shortPlan, shortPreview, "meridian-energy");
        Api.agree(shortPlan, shortPreview, "harbourview-residential");
        String expiring = request(shortPlan, ", \"expiresAt\": \"" + Instant.now().plusSeconds(3) + "\"");
        long expiringId = Api.postJsonAs("urban-steward", "/agreements", expiring).json().path("id").asLong();
        Api.postJsonAs("urban-compliance", "/agreements/" + expiringId + "/decision", "{\"approve\": true, \"comment\": \"short\"}");
        Api.postJsonAs("consortium-compliance", "/agreements/" + expiringId + "/decision", "{\"approve\": true, \"comment\": \"short\"}");
        assertThat(Api.get("/agreements/" + expiringId).json().path("status").asText()).isEqualTo("ACTIVE");
        CivitasServer.await(java.time.Duration.ofMinutes(1), "agreement " + expiringId + " expires",
                () -> "EXPIRED".equals(Api.get("/agreements/" + expiringId).json().path("status").asText()));
        Api.Answer expired = Api.postJson("/federations", shortPlan);
        assertThat(expired.status()).isEqualTo(400);
        assertThat(expired.json().path("error").asText()).contains("site 'urban': agreement " + expiringId
                + " of enterprise civic-operations is EXPIRED");

        Api.Answer started = Api.postJson("/federations", plan);
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        assertThat(Api.awaitFinished(started.json().path("id").asLong(), Duration.ofMinutes(2)).path("status").asText())
                .isEqualTo("COMPLETED");
    }

    @Test
    void aRevokedAgreementTakesItsSiteOutOfTheNextRound() {
        String plan = "{\"name\": \"Revocation check\", \"rounds\": 3}";
        JsonNode preview = Api.postJson("/plans/preview", plan).json();
        Api.agree(plan, preview, "meridian-energy");
        Api.agree(plan, preview, "harbourview-residential");
        long urban = Api.agree(plan, preview, "civic-operations");
        Api.Answer started = Api.postJson("/federations", plan);
        assertThat(started.status()).as(started.text()).isEqualTo(201);

        Api.Answer wrongRevoker = Api.postJsonAs("energy-steward", "/agreements/" + urban + "/revocation", "{\"reason\": \"not mine\"}");
        assertThat(wrongRevoker.status()).isEqualTo(403);
        Api.Answer revoked = Api.postJsonAs("urban-compliance", "/agreements/" + urban + "/revocation",
                "{\"reason\": \"retention policy changed\"}");
        assertThat(revoked.status()).as(revoked.text()).isEqualTo(200);
        assertThat(revoked.json().path("status").asText()).isEqualTo("REVOKED");

        JsonNode f = Api.awaitFinished(started.json().path("id").asLong(), Duration.ofMinutes(2));
        assertThat(f.path("status").asText()).as(f.toString()).isEqualTo("COMPLETED");
        JsonNode last = f.path("rounds").get(2);
        assertThat(last.path("withheld").path("urban").asText()).contains("no active data-sharing agreement")
                .contains("REVOKED").contains("retention policy changed");
        last.path("receipts").forEach(r -> assertThat(r.path("site").asText()).isNotEqualTo("urban"));
        assertThat(last.path("updates").asInt()).isEqualTo(2);
    }

    @Test
    void aNewVersionShowsItsDiffAndReplacesTheOldOneOnceApproved() {
        String plan = "{\"name\": \"Version check\", \"rounds\": 1}";
        long v1 = Api.agree(plan, Api.postJson("/plans/preview", plan).json(), "meridian-energy");
        Api.Answer v2 = Api.postJsonAs("energy-steward", "/agreements/" + v1 + "/versions",
                request(plan, ", \"retentionDays\": 90").replace("governance test", "governance test, shorter retention"));
        assertThat(v2.status()).as(v2.text()).isEqualTo(201);
        long v2Id = v2.json().path("id").asLong();
        assertThat(v2.json().path("version").asInt()).isEqualTo(2);
        JsonNode diff = Api.get("/agreements/" + v1 + "/diff/" + v2Id).json();
        assertThat(diff.toString()).contains("\"field\":\"purpose\"").contains("\"field\":\"retentionDays\"")
                .contains("\"before\":\"365\"").contains("\"after\":\"90\"");
        assertThat(Api.get("/agreements/" + v1).json().path("status").asText()).isEqualTo("ACTIVE");
        Api.postJsonAs("energy-compliance", "/agreements/" + v2Id + "/decision", "{\"approve\": true, \"comment\": \"ok\"}");
        Api.postJsonAs("consortium-compliance", "/agreements/" + v2Id + "/decision", "{\"approve\": true, \"comment\": \"ok\"}");
        assertThat(Api.get("/agreements/" + v1).json().path("status").asText()).isEqualTo("REVOKED");
        assertThat(Api.get("/agreements/" + v1).json().path("closedReason").asText()).isEqualTo("superseded by version 2 (agreement " + v2Id + ")");
        assertThat(Api.get("/agreements/" + v2Id + "/history").json()).hasSize(2);
    }

    @Test
    void scriptInACommentIsEscapedAndSqlInASearchIsJustText() {
        long id = Api.postJsonAs("community-steward", "/agreements", request(PLAN, "")).json().path("id").asLong();
        Api.Answer rejected = Api.postJsonAs("community-compliance", "/agreements/" + id + "/decision",
                "{\"approve\": false, \"comment\": \"<script>alert('x')</script> no\"}");
        assertThat(rejected.json().path("status").asText()).isEqualTo("REJECTED");
        String page = Api.getAbsolute(CivitasServer.BASE + "/agreements/index.xhtml").text();
        assertThat(page).contains("&lt;script&gt;alert(").doesNotContain("<script>alert(");

        Api.Answer search = Api.get("/audit?prefix=" + URLEncoder.encode("x' OR '1'='1'; DROP TABLE audit_entry; --", StandardCharsets.UTF_8));
        assertThat(search.status()).isEqualTo(200);
        assertThat(search.json()).isEmpty();
        assertThat(Api.get("/audit/verify").json().path("intact").asBoolean()).isTrue();
    }

    @Test
    void repeatedWrongPasswordsSlowThatAddressDownButLockNobodyOut() throws Exception {
        assertThat(Api.postJson("/users", "{\"username\": \"guess-target\", \"password\": \"" + Api.DEMO_PASSWORD + "\","
                + " \"roles\": [\"AUDITOR\"]}").status()).isEqualTo(201);
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 5; i++) {
            assertThat(basic(http, "guess-target", "wrong-" + i)).isEqualTo(401);
        }
        // the guessing address now waits, even with the right password...
        assertThat(basic(http, "guess-target", Api.DEMO_PASSWORD)).as("throttled from the guessing address").isEqualTo(401);
        assertThat(Api.get("/audit?prefix=user.throttled").json().toString()).contains("user guess-target");
        // ...but the user, from another address, is not locked out
        assertThat(basicFrom("127.0.0.2", "guess-target", Api.DEMO_PASSWORD)).startsWith("HTTP/1.1 200");
        assertThat(basicFrom("127.0.0.2", "guess-target", "wrong-again")).startsWith("HTTP/1.1 401").contains("\"reason\":\"UNAUTHORIZED\"");
        assertThat(basic(http, "auditor", Api.DEMO_PASSWORD)).isEqualTo(200);
    }

    /** A request from another loopback address, which the JDK's HTTP client cannot choose: a bare HTTP/1.1 exchange. */
    private static String basicFrom(String localAddress, String user, String password) throws Exception {
        URI api = URI.create(CivitasServer.API + "/federations");
        try (java.net.Socket socket = new java.net.Socket(api.getHost(), api.getPort(), java.net.InetAddress.getByName(localAddress), 0)) {
            socket.setSoTimeout(60_000);
            String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().write(("GET " + api.getPath() + " HTTP/1.1\r\nHost: " + api.getHost() + ":" + api.getPort()
                    + "\r\nAuthorization: Basic " + auth + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aFormPostWithoutTheViewsTokenChangesNothing() throws Exception {
        JsonNode demo = Api.postJson("/plans/preview", "{}").json();
        for (String enterprise : new String[] {"meridian-energy", "harbourview-residential", "civic-operations"}) {
            Api.agree("{}", demo, enterprise);
        }
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .cookieHandler(new java.net.CookieManager()).build();
        String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:" + Api.DEMO_PASSWORD).getBytes(StandardCharsets.UTF_8));
        String page = http.send(HttpRequest.newBuilder(URI.create(CivitasServer.BASE + "/federations/index.xhtml")).header("Authorization", auth).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("name=\"jakarta.faces.ViewState\"[^>]*value=\"([^\"]+)\"").matcher(page);
        assertThat(m.find()).as("the page carries a view state").isTrue();
        String form = "federationsForm=federationsForm&federationsForm%3AstartDefault=&jakarta.faces.ViewState=";

        // A forged cross-site POST of the "start with the default plan" button: the right fields, a guessed view state
        int before = federationCount();
        http.send(HttpRequest.newBuilder(URI.create(CivitasServer.BASE + "/federations/index.xhtml")).header("Authorization", auth)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form + URLEncoder.encode("-1234:5678", StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(federationCount()).isEqualTo(before);
        // The same POST with the view state the page handed out does start it (so the forged one was refused for its token)
        http.send(HttpRequest.newBuilder(URI.create(CivitasServer.BASE + "/federations/index.xhtml")).header("Authorization", auth)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form + URLEncoder.encode(m.group(1), StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(federationCount()).isEqualTo(before + 1);
    }

    @Test
    void aTamperedAuditRowIsNamedByVerify() throws Exception {
        // On PostgreSQL the test can reach the database beside the server; the H2 pass runs in the server's memory.
        org.junit.jupiter.api.Assumptions.assumeTrue("postgresql".equals(CivitasServer.db()), "needs the database from outside");
        Api.postJsonAs("urban-steward", "/agreements", request(PLAN, ""));
        assertThat(Api.get("/audit/verify").json().path("intact").asBoolean()).isTrue();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(System.getProperty("civitas.it.postgresql.url"),
                System.getProperty("civitas.it.postgresql.user"), System.getProperty("civitas.it.postgresql.password"));
             java.sql.Statement st = c.createStatement()) {
            long seq;
            String detail;
            try (java.sql.ResultSet r = st.executeQuery("SELECT seq, detail FROM " + CivitasServer.PG_SCHEMA
                    + ".audit_entry WHERE action = 'agreement.requested' ORDER BY seq DESC LIMIT 1")) {
                assertThat(r.next()).isTrue();
                seq = r.getLong(1);
                detail = r.getString(2);
            }
            try (java.sql.PreparedStatement u = c.prepareStatement("UPDATE " + CivitasServer.PG_SCHEMA + ".audit_entry SET detail = ? WHERE seq = ?")) {
                u.setString(1, detail + " (quietly changed)");
                u.setLong(2, seq);
                assertThat(u.executeUpdate()).isEqualTo(1);
                JsonNode verify = Api.get("/audit/verify").json();
                assertThat(verify.path("intact").asBoolean()).isFalse();
                assertThat(verify.path("firstBrokenLink").asText()).startsWith("entry " + seq + " was altered");
                u.setString(1, detail);
                u.executeUpdate();
            }
        }
        assertThat(Api.get("/audit/verify").json().path("intact").asBoolean()).isTrue();
    }

    private static int basic(HttpClient http, String user, String password) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(CivitasServer.API + "/federations"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
