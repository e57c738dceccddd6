package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.SafeTensors;
import org.civitas.federation.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a hostile site or a careless user sends must not corrupt the shared model, the portal or
 * the ledger: each test sends one kind of attack or mistake the way an outsider would (over HTTP,
 * as a probe site or a demo user) and checks the refusal and that nothing changed.
 */
@ExtendWith(CivitasServer.class)
class HostileSiteIT {

    /** Item 1: a site's quality report cannot put script into the portal, and the Quality page keeps answering. */
    @Test
    void aQualityReportCannotCarryScriptIntoThePortal() {
        Api.SiteCredentials reporter = probe("reporter");
        String bins = "[1, 0, 0, 0, 0, 0, 0, 0, 0, 0]";
        String report = "{\"items\": 10, \"flaggedItems\": 1, \"redactedItems\": 0, \"curatedItems\": 9, \"findings\": %s,"
                + " \"sharpnessHistogram\": " + bins + ", \"luminanceHistogram\": " + bins + "}";

        Api.Answer script = Api.postJson("/participant/datasets/incident-features/quality",
                String.format(report, "{\"x\\\"]}]});</script><script>alert(document.cookie)</script>\": 1}"), reporter);
        assertThat(script.status()).as(script.text()).isEqualTo(400);
        assertThat(script.json().path("error").asText()).startsWith("quality report refused: findings names an unknown check");
        Api.Answer huge = Api.postJson("/participant/datasets/incident-features/quality",
                String.format(report, "{\"pii\": 1e300}"), reporter);
        assertThat(huge.status()).as(huge.text()).isEqualTo(400);
        Api.Answer incomplete = Api.postJson("/participant/datasets/incident-features/quality", "{\"items\": 10, \"flaggedItems\": 1}",
                reporter);
        assertThat(incomplete.status()).as(incomplete.text()).isEqualTo(400);
        assertThat(Api.get("/datasets/quality").text()).doesNotContain("alert(");

        Api.Answer good = Api.postJson("/participant/datasets/incident-features/quality", String.format(report, "{\"pii\": 1}"), reporter);
        assertThat(good.status()).as(good.text()).isEqualTo(201);
        Api.Answer page = Api.pageAs("auditor", "quality/index.xhtml");
        assertThat(page.status()).as(page.text()).isEqualTo(200);
        assertThat(page.text()).contains(reporter.code() + " / incident-features").doesNotContain("alert(");
    }

    /** Item 2: a claimed sample count is a FedAvg weight; it is bounded by the dataset the site registered. */
    @Test
    void aSiteCannotClaimMoreSamplesThanItsRegisteredDatasetHolds() {
        Api.SiteCredentials liar = probe("liar");
        Api.SiteCredentials unregistered = probeWithoutDataset("unregistered");
        long federation = start("{\"name\": \"Sample count check\", \"sites\": [\"" + liar.code() + "\", \""
                + unregistered.code() + "\"], \"rounds\": 1, \"roundTimeoutSeconds\": 600}");
        byte[] update = SafeTensors.write(filled(state(federation, liar), 0.01f));

        refused(Api.upload(federation, 1, liar, metadata("1000000000"), update), "INVALID_METADATA",
                "sampleCount 1000000000 is outside [1, 1000]: site '" + liar.code() + "' registered 1000 samples in dataset 'incident-features'");
        refused(Api.upload(federation, 1, liar, metadata("1e30"), update), "INVALID_METADATA",
                "sampleCount must be a whole number written without a fraction or exponent, was 1.0E30");
        refused(Api.upload(federation, 1, liar, metadata("-5"), update), "INVALID_METADATA", "sampleCount -5 is outside [1, 1000]");
        refused(Api.upload(federation, 1, liar, metadata("2.5"), update), "INVALID_METADATA", "sampleCount must be a whole number");
        refused(Api.upload(federation, 1, liar, metadata("99999999999999999999"), update), "INVALID_METADATA",
                "does not fit a 64-bit integer");
        refused(Api.upload(federation, 1, liar, "{\"sampleCount\": 5, \"trainLoss\": 1, \"globalLoss\": 1, \"weight\": 1e9}", update),
                "INVALID_METADATA", "metadata has unknown fields [weight]");
        refused(Api.upload(federation, 1, unregistered, metadata("10"), update), "INVALID_METADATA",
                "has registered no dataset 'incident-features', which this federation trains on");
        assertThat(round(federation, 1).path("updates").asInt()).as("refused uploads leave no receipt").isZero();

        Api.Answer accepted = Api.upload(federation, 1, liar, metadata("1000"), update);
        assertThat(accepted.status()).as(accepted.text()).isEqualTo(201);
        assertThat(accepted.json().path("sampleCount").asLong()).isEqualTo(1000);
    }

    /** Item 3: finite updates must not make the stored model infinite. */
    @Test
    void finiteUpdatesThatAddUpPastTheFloatRangeNeverReachTheRegistry() {
        // FedAvg of two updates of 3e38 at 1000 samples each: a float sum overflowed; the running mean does not
        Api.SiteCredentials a = probe("big-a");
        Api.SiteCredentials b = probe("big-b");
        long averaged = start("{\"name\": \"Overflow check\", \"sites\": [\"" + a.code() + "\", \"" + b.code() + "\"], \"rounds\": 1,"
                + " \"roundTimeoutSeconds\": 600}");
        byte[] huge = SafeTensors.write(filled(state(averaged, a), 3e38f));
        assertThat(Api.upload(averaged, 1, a, metadata("1000"), huge).status()).isEqualTo(201);
        assertThat(Api.upload(averaged, 1, b, metadata("1000"), huge).status()).isEqualTo(201);
        JsonNode done = Api.awaitFinished(averaged, Duration.ofMinutes(1));
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        NamedTensors model = SafeTensors.read(Api.get("/federations/" + averaged + "/models/1").body()).tensors();
        model.forEach((name, t) -> assertThat(t.firstNonFiniteIndex()).as(name).isEqualTo(-1));

        // FedAvgM with a server step of 100 takes the same mean past the float range: the round fails, version 0 stays
        Api.SiteCredentials c = probe("big-c");
        Api.SiteCredentials d = probe("big-d");
        long boosted = start("{\"name\": \"Overflow by the server step\", \"sites\": [\"" + c.code() + "\", \"" + d.code() + "\"],"
                + " \"strategy\": \"fedavgm\", \"strategyParams\": {\"serverLearningRate\": 100, \"momentum\": 0},"
                + " \"rounds\": 2, \"roundTimeoutSeconds\": 600}");
        byte[] big = SafeTensors.write(filled(state(boosted, c), 3e37f));
        assertThat(Api.upload(boosted, 1, c, metadata("500"), big).status()).isEqualTo(201);
        assertThat(Api.upload(boosted, 1, d, metadata("500"), big).status()).isEqualTo(201);
        JsonNode failed = Api.awaitFinished(boosted, Duration.ofMinutes(1));
        assertThat(failed.path("status").asText()).isEqualTo("FAILED");
        assertThat(round(boosted, 1).path("failureReason").asText())
                .contains("the aggregate is not finite").contains("model version 0 stays the latest");
        assertThat(failed.path("models").findValuesAsText("version")).containsExactly("0");
        assertThat(Api.get("/federations/" + boosted + "/models/1").status()).isEqualTo(404);
    }

    /** Item 4: a small PNG that declares 8000 x 8000 pixels is refused from its header in import and in the quality job. */
    @Test
    void anImageBombIsRefusedWithItsLineAndTheQualityJobCompletes() throws Exception {
        // At the urban site: the data-quality test looks at energy's newest run.
        Path folder = Files.createDirectories(CivitasServer.dataDir().resolve("sites/urban/datasets/bombs"));
        java.awt.image.BufferedImage huge = new java.awt.image.BufferedImage(8000, 8000, java.awt.image.BufferedImage.TYPE_BYTE_BINARY);
        javax.imageio.ImageIO.write(huge, "png", folder.resolve("bomb.png").toFile());
        assertThat(Files.size(folder.resolve("bomb.png"))).isLessThan(200_000);
        Files.write(folder.resolve("train.jsonl"), List.of(
                "{\"id\": \"ok\", \"text\": \"pothole widening on the main road\", \"label\": \"road_damage\"}",
                "{\"id\": \"bomb\", \"image\": \"bomb.png\", \"text\": \"photo of the square\", \"label\": \"vandalism\"}"));

        Api.Answer imported = Api.postJsonAs("urban-steward", "/sites/urban/datasets",
                "{\"name\": \"bombs\", \"manifest\": \"datasets/bombs/train.jsonl\", \"task\": \"city-safety\"}");
        assertThat(imported.status()).as(imported.text()).isEqualTo(422);
        JsonNode line = imported.json().path("lines").get(0);
        assertThat(line.path("line").asInt()).isEqualTo(2);
        assertThat(line.path("error").asText()).contains("is refused: the image is 8000 x 8000 pixels (64000000), over the limit");

        Api.Answer started = Api.postJsonAs("urban-steward", "/sites/urban/quality-runs",
                "{\"dataset\": \"bombs\", \"manifest\": \"datasets/bombs/train.jsonl\", \"task\": \"city-safety\"}");
        assertThat(started.status()).as(started.text()).isEqualTo(202);
        long id = started.json().path("id").asLong();
        long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        JsonNode run;
        while (!List.of("COMPLETED", "FAILED").contains((run = Api.get("/sites/urban/quality-runs/" + id).json()).path("status").asText())) {
            assertThat(System.nanoTime()).as("quality run still %s", run).isLessThan(end);
            CivitasServer.sleep(500);
        }
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
        assertThat(run.path("report").path("findings").path("schema_error").asInt()).isEqualTo(1);
    }

    /** Item 5: only the site's own enterprise (or the administrator) imports at a site, and every import is audited. */
    @Test
    void aStewardCannotImportAtAnotherEnterprisesSiteAndImportsAreAudited() throws Exception {
        Path site = Files.createDirectories(CivitasServer.dataDir().resolve("sites/community/datasets/small"));
        Files.write(site.resolve("train.jsonl"), List.of(
                "{\"id\": \"t1\", \"text\": \"gas smell near the boiler room\", \"label\": \"gas_leak\"}",
                "{\"id\": \"t2\", \"text\": \"water in the basement garage\", \"label\": \"flooding\"}"));
        String request = "{\"name\": \"small-%s\", \"manifest\": \"datasets/small/train.jsonl\", \"task\": \"city-safety\"}";

        Api.Answer foreign = Api.postJsonAs("energy-steward", "/sites/community/datasets", String.format(request, "foreign"));
        assertThat(foreign.status()).as(foreign.text()).isEqualTo(403);
        assertThat(foreign.json().path("error").asText())
                .isEqualTo("only a data steward of harbourview-residential (or the consortium administrator) imports datasets at site community");
        assertThat(Api.get("/datasets").json().findValuesAsText("name")).doesNotContain("small-foreign");

        Api.Answer own = Api.postJsonAs("community-steward", "/sites/community/datasets", String.format(request, "own"));
        assertThat(own.status()).as(own.text()).isEqualTo(201);
        JsonNode audit = Api.get("/audit?prefix=dataset.imported&limit=1000").json();
        assertThat(audit.toString()).contains("site community dataset small-own").doesNotContain("small-foreign");
        JsonNode entry = null;
        for (JsonNode e : audit) {
            if (e.path("subject").asText().equals("site community dataset small-own")) {
                entry = e;
            }
        }
        assertThat(entry).isNotNull();
        assertThat(entry.path("actor").asText()).isEqualTo("user:community-steward");
    }

    /** Item 6: links inside a site's folder must not lead a request out of it. */
    @Test
    void symbolicLinksCannotLeadOutOfTheSitesFolder() throws Exception {
        Path energy = CivitasServer.dataDir().resolve("sites/energy");
        Path urban = CivitasServer.dataDir().resolve("sites/urban/datasets/city-safety");
        Path links = Files.createDirectories(energy.resolve("datasets/links"));
        // a linked manifest and a linked folder, both leading to another site's data
        Files.deleteIfExists(links.resolve("urban.jsonl"));
        Files.createSymbolicLink(links.resolve("urban.jsonl"), urban.resolve("train.jsonl"));
        Files.deleteIfExists(energy.resolve("datasets/urban-folder"));
        Files.createSymbolicLink(energy.resolve("datasets/urban-folder"), urban);
        for (String manifest : List.of("datasets/links/urban.jsonl", "datasets/urban-folder/train.jsonl")) {
            Api.Answer imported = Api.postJsonAs("energy-steward", "/sites/energy/datasets",
                    "{\"name\": \"linked\", \"manifest\": \"" + manifest + "\", \"task\": \"city-safety\"}");
            assertThat(imported.status()).as(manifest + ": " + imported.text()).isEqualTo(400);
            assertThat(imported.json().path("error").asText()).contains("leaves the site's folder through a symbolic link");
            Api.Answer checked = Api.postJsonAs("energy-steward", "/sites/energy/quality-runs",
                    "{\"dataset\": \"linked\", \"manifest\": \"" + manifest + "\", \"task\": \"city-safety\"}");
            assertThat(checked.status()).as(manifest + ": " + checked.text()).isEqualTo(400);
        }

        // a flagged item whose image is a link to the site's identity file (its token); at the urban site, since the
        // data-quality test looks at energy's newest run
        Path urbanHome = CivitasServer.dataDir().resolve("sites/urban");
        Path leaky = Files.createDirectories(urbanHome.resolve("datasets/leaky"));
        Files.deleteIfExists(leaky.resolve("leak.png"));
        Files.createSymbolicLink(leaky.resolve("leak.png"), urbanHome.resolve("identity.properties"));
        Files.writeString(leaky.resolve("train.jsonl"), "{\"id\": \"a\", \"image\": \"leak.png\", \"text\": \"smoke in the hall\","
                + " \"label\": \"vandalism\"}\n");
        Api.Answer run = Api.postJsonAs("urban-steward", "/sites/urban/quality-runs",
                "{\"dataset\": \"leaky\", \"manifest\": \"datasets/leaky/train.jsonl\", \"task\": \"city-safety\"}");
        assertThat(run.status()).as(run.text()).isEqualTo(202);
        Api.Answer image = Api.getAs("urban-steward", "/sites/urban/quality-runs/" + run.json().path("id").asLong() + "/items/1/image");
        assertThat(image.status()).as(image.text()).isEqualTo(404);
        assertThat(image.text()).contains("leads out of the dataset folder through a symbolic link").doesNotContain("token");
    }

    /** Item 7: a site's training windows can neither hold a round open for years nor cost the coordinator a second a check. */
    @Test
    void trainingWindowsCannotHoldARoundOpenOrBeCostly() {
        Api.SiteCredentials late = probe("late");
        Api.Answer everySecond = Api.postJson("/participant/windows",
                "[{\"cron\": \"* * * ? * *\", \"lengthSeconds\": 604800, \"timeZone\": \"UTC\"}]", late);
        assertThat(everySecond.status()).as(everySecond.text()).isEqualTo(400);
        assertThat(everySecond.json().path("error").asText()).contains("opens 1 s apart; a window may open at most once every 10 seconds");
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 17; i++) {
            many.append(i == 0 ? "" : ",").append("{\"cron\": \"0 ").append(i).append(" 1 ? * *\", \"lengthSeconds\": 60, \"timeZone\": \"UTC\"}");
        }
        Api.Answer tooMany = Api.postJson("/participant/windows", many.append("]").toString(), late);
        assertThat(tooMany.status()).as(tooMany.text()).isEqualTo(400);
        assertThat(tooMany.json().path("error").asText()).contains("at most 16 training windows");

        Api.Answer farOff = Api.postJson("/participant/windows",
                "[{\"cron\": \"0 0 0 1 1 ? 2099\", \"lengthSeconds\": 3600, \"timeZone\": \"UTC\"}]", late);
        assertThat(farOff.status()).as(farOff.text()).isEqualTo(204);
        long federation = start("{\"name\": \"Window check\", \"sites\": [\"" + late.code() + "\"], \"rounds\": 1,"
                + " \"roundTimeoutSeconds\": 600}");
        JsonNode round = round(federation, 1);
        java.time.Instant opened = java.time.Instant.parse(round.path("openedAt").asText());
        java.time.Instant deadline = java.time.Instant.parse(round.path("deadline").asText());
        assertThat(Duration.between(opened, deadline)).isEqualTo(Duration.ofSeconds(600));
    }

    /** Item 8: bad input gets a 400 JSON answer with its reason and changes nothing. */
    @Test
    void badInputIsA400WithAReasonAndChangesNothing() throws Exception {
        int agreementsBefore = Api.get("/agreements").json().size();
        String plan = "{\"name\": \"Terms check\", \"rounds\": 2}";
        String terms = "{\"plan\": " + plan + ", \"datasets\": [\"incident-features\"], \"modalities\": %s, \"purpose\": \"%s\","
                + " \"task\": \"incident classification\", \"retentionDays\": %s, \"expiresAt\": \"%s\" %s}";
        String future = java.time.Instant.now().plus(Duration.ofDays(30)).toString();
        java.util.Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put(String.format(terms, "[\"features\"]", "ok", 30, "2020-01-01T00:00:00Z", ""), "expiresAt must be in the future");
        bad.put(String.format(terms, "[\"features\"]", "ok", 0, future, ""), "retentionDays must be in [1, 3650], was 0");
        bad.put(String.format(terms, "[\"smell\"]", "ok", 30, future, ""), "modalities must be some of");
        bad.put(String.format(terms, "[\"features\"]", "x".repeat(1001), 30, future, ""), "purpose must be 1-1000 characters");
        bad.put(String.format(terms, "[\"features\"]", "ok", 30, future, ", \"epsilon\": -1, \"delta\": 1e-5"), "epsilon > 0");
        for (var e : bad.entrySet()) {
            Api.Answer refused = Api.postJsonAs("energy-steward", "/agreements", e.getKey());
            assertThat(refused.status()).as(e.getValue() + ": " + refused.text()).isEqualTo(400);
            assertThat(refused.json().path("reason").asText()).isEqualTo("INVALID_REQUEST");
            assertThat(refused.json().path("error").asText()).contains(e.getValue());
        }
        // The request's shape is checked at the boundary: every broken field at once, by name
        Api.Answer unshaped = Api.postJsonAs("energy-steward", "/agreements", "{\"plan\": " + plan + ", \"datasets\": [],"
                + " \"modalities\": [\"features\"], \"task\": \"incident classification\", \"retentionDays\": 5000}");
        assertThat(unshaped.status()).as(unshaped.text()).isEqualTo(400);
        assertThat(unshaped.json().path("violations").findValuesAsText("field")).containsExactly("datasets", "purpose", "retentionDays");
        assertThat(unshaped.json().path("error").asText()).contains("retentionDays must be in [1, 3650], was 5000");
        assertThat(Api.get("/agreements").json().size()).as("nothing stored").isEqualTo(agreementsBefore);

        int federationsBefore = Api.get("/federations").json().size();
        java.util.Map<String, String> malformed = new java.util.LinkedHashMap<>();
        malformed.put("{\"name\": \"overflow\", \"rounds\": 4294967301}", "rounds 4294967301 does not fit a 32-bit integer");
        malformed.put("{\"name\": \"garbage\", \"rounds\": 2} {\"rounds\": 300}", "unexpected content after the JSON value");
        malformed.put("{\"name\": \"garbage\", \"rounds\": 2} trailing", "the request body is not valid JSON");
        malformed.put("{\"name\": \"typo\", \"roundz\": 2}", "has no field 'roundz'");
        malformed.put("{\"name\": \"twice\", \"rounds\": 2, \"rounds\": 300}", "field 'rounds' appears twice");
        malformed.put("{\"name\": \"fraction\", \"rounds\": 2.5}", "rounds must be a whole number, was 2.5");
        for (var e : malformed.entrySet()) {
            Api.Answer refused = Api.postJson("/federations", e.getKey());
            assertThat(refused.status()).as(e.getValue() + ": " + refused.text()).isEqualTo(400);
            assertThat(refused.json().path("error").asText()).contains(e.getValue());
        }
        assertThat(Api.get("/federations").json().size()).as("nothing started").isEqualTo(federationsBefore);
        Api.Answer typed = Api.postJson("/plans/preview", "{\"name\": \"typo\", \"roundz\": 2}");
        assertThat(typed.status()).as(typed.text()).isEqualTo(400);
        assertThat(typed.json().path("error").asText()).contains("has no field 'roundz'");

        Api.Answer notANumber = Api.get("/federations/abc");
        assertThat(notANumber.status()).as(notANumber.text()).isEqualTo(400);
        assertThat(notANumber.json().path("reason").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(notANumber.json().path("error").asText()).contains("abc");
        Api.Answer nowhere = Api.get("/no-such-thing");
        assertThat(nowhere.status()).isEqualTo(404);
        assertThat(nowhere.json().path("reason").asText()).isEqualTo("NOT_FOUND");

        // Bodies checked at the boundary name every broken field, and nothing is registered.
        int enterprisesBefore = Api.get("/enterprises").json().size();
        Api.Answer half = Api.postJson("/enterprises", "{\"code\": \"half-registered\", \"name\": \" \"}");
        assertThat(half.status()).as(half.text()).isEqualTo(400);
        assertThat(half.json().path("error").asText())
                .isEqualTo("name: give the enterprise's name; sector: give the enterprise's sector");
        assertThat(half.json().path("violations")).hasSize(2);
        assertThat(Api.get("/enterprises").json().size()).isEqualTo(enterprisesBefore);
        Api.Answer undecided = Api.postJsonAs("energy-compliance", "/agreements/1/decision", "{\"comment\": \"maybe\"}");
        assertThat(undecided.status()).as(undecided.text()).isEqualTo(400);
        assertThat(undecided.json().path("error").asText()).startsWith("approve: say whether you approve");
    }

    /** Item 8: a form posted with a view state this session never had leads to the login page, without a stack trace. */
    @Test
    void aForeignViewStateLeadsToTheLoginPage() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                .cookieHandler(new java.net.CookieManager()).build();
        String auth = "Basic " + java.util.Base64.getEncoder().encodeToString(("auditor:" + Api.DEMO_PASSWORD).getBytes());
        java.net.http.HttpResponse<String> posted = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(CivitasServer.BASE + "/federations/index.xhtml")).header("Authorization", auth)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("federationsForm=federationsForm&federationsForm%3AstartDefault="
                        + "&jakarta.faces.ViewState=" + java.net.URLEncoder.encode("-42:4242", java.nio.charset.StandardCharsets.UTF_8)))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).isIn(200, 302);
        assertThat(posted.body()).doesNotContain("Exception").doesNotContain("at org.").doesNotContain("at jakarta.");
        if (posted.statusCode() == 200) {
            assertThat(posted.body()).contains("password");
        } else {
            assertThat(posted.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).contains("login.xhtml"));
        }
    }

    /** Item 9: the upload limit is civitas.upload.max-bytes, answered 413 with the JSON body, not the listener's bare 400. */
    @Test
    void aBodyOverTheLimitIsA413WithTheJsonBody() {
        Api.SiteCredentials big = probe("big-body");
        long federation = start("{\"name\": \"Limit check\", \"sites\": [\"" + big.code() + "\"], \"rounds\": 1,"
                + " \"roundTimeoutSeconds\": 600}");
        // 12 MiB: past the listener's former 10 MiB default, which answered a bare 400
        Api.Answer tooLarge = Api.upload(federation, 1, big, metadata("10"), new byte[12 * 1024 * 1024]);
        assertThat(tooLarge.status()).as(tooLarge.text()).isEqualTo(413);
        assertThat(tooLarge.json().path("reason").asText()).isEqualTo("TOO_LARGE");
        assertThat(tooLarge.json().path("error").asText()).contains("exceeds the limit of " + (CivitasServer.UPLOAD_LIMIT + 64 * 1024));
        Api.Answer json = Api.postJson("/federations", "{\"name\": \"" + "x".repeat((int) CivitasServer.UPLOAD_LIMIT + 128 * 1024) + "\"}");
        assertThat(json.status()).isEqualTo(413);
        assertThat(json.json().path("reason").asText()).isEqualTo("TOO_LARGE");
        assertThat(round(federation, 1).path("updates").asInt()).isZero();
    }

    /** Item 10: no lock at will, SameSite cookies, anti-framing and content-security headers; a refused login answers JSON. */
    @Test
    void loginsAndPortalAnswersResistAStranger() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        java.net.http.HttpResponse<String> login = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(CivitasServer.BASE + "/login.xhtml")).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(login.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v ->
                assertThat(v).contains("frame-ancestors 'none'").contains("object-src 'none'"));
        assertThat(login.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(login.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c).startsWith("JSESSIONID=")
                .containsIgnoringCase("SameSite=Lax").containsIgnoringCase("HttpOnly"));

        // a stranger's wrong passwords for a user slow down the stranger's address (here), never lock the user
        assertThat(Api.postJson("/users", "{\"username\": \"throttle-target\", \"password\": \"" + Api.DEMO_PASSWORD + "\","
                + " \"roles\": [\"AUDITOR\"]}").status()).isEqualTo(201);
        for (int i = 0; i < 6; i++) {
            java.net.http.HttpResponse<String> wrong = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(CivitasServer.API + "/federations")).header("Authorization", "Basic "
                    + java.util.Base64.getEncoder().encodeToString(("throttle-target:guess-" + i).getBytes())).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            assertThat(Api.JSON.readTree(wrong.body()).path("reason").asText()).isEqualTo("UNAUTHORIZED");
        }
        assertThat(Api.getAs("throttle-target", "/federations").status()).as("throttled here, even with the right password").isEqualTo(401);
        assertThat(Api.get("/audit?prefix=user.throttled").json().toString()).contains("user throttle-target");
        java.net.http.HttpResponse<String> anonymous = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(CivitasServer.API + "/federations")).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(Api.JSON.readTree(anonymous.body()).path("error").asText()).isEqualTo("log in: send HTTP Basic credentials");
    }

    /** Item 11: every write the API takes records the authenticated user, not "api". */
    @Test
    void ledgerAndPrivacyBudgetWritesNameThePerson() {
        Api.Answer posted = Api.postJson("/ledger/adjustments",
                // Two accounts the schema creates, so the test does not wait for the demo's first reward.
                "{\"from\": \"consortium:issuance\", \"to\": \"consortium:reward-pool\", \"amount\": 1.25, \"memo\": \"audit actor check\"}");
        assertThat(posted.status()).as(posted.text()).isEqualTo(201);
        long id = posted.json().path("id").asLong();
        Api.Answer reversed = Api.postJson("/ledger/transactions/" + id + "/reversal", "{\"memo\": \"audit actor check\"}");
        assertThat(reversed.status()).as(reversed.text()).isEqualTo(201);
        Api.Answer budget = Api.putJson("/privacy/budgets/civic-operations/actor-check",
                "{\"epsilon\": 5, \"delta\": 1e-5, \"source\": \"audit actor check\"}");
        assertThat(budget.status()).as(budget.text()).isEqualTo(200);

        for (String[] expected : List.of(new String[] {"ledger.adjustment", "consortium:issuance -> consortium:reward-pool"},
                new String[] {"ledger.reversal", "transaction " + id},
                new String[] {"privacy.budget.set", "enterprise civic-operations dataset actor-check"})) {
            JsonNode entry = null;
            for (JsonNode e : Api.get("/audit?prefix=" + expected[0] + "&limit=1000").json()) {
                if (e.path("subject").asText().equals(expected[1])) {
                    entry = e;
                }
            }
            assertThat(entry).as(expected[0] + " " + expected[1]).isNotNull();
            assertThat(entry.path("actor").asText()).as(expected[0]).isEqualTo("user:admin");
        }
    }

    /** Item 12: plans hash over RFC 8785 canonical JSON, valid whatever characters a name holds. */
    @Test
    void aPlanNameWithAControlCharacterStillGivesValidCanonicalJsonAndItsOwnHash() throws Exception {
        JsonNode bell = Api.postJson("/plans/preview", "{\"name\": \"Bell\\u0007 check\", \"rounds\": 2}").json();
        JsonNode plain = Api.postJson("/plans/preview", "{\"name\": \"Bell check\", \"rounds\": 2}").json();

        String canonical = bell.path("canonicalJson").asText();
        JsonNode parsed = Api.JSON.readTree(canonical);
        assertThat(parsed.path("name").asText()).isEqualTo("Bell\u0007 check");
        assertThat(canonical).contains("\"name\":\"Bell\\u0007 check\"");
        assertThat(bell.path("planSha256").asText()).hasSize(64).isNotEqualTo(plain.path("planSha256").asText());
        // keys sorted, no whitespace, numbers in their shortest form: a second preview of the same plan hashes the same
        assertThat(Api.postJson("/plans/preview", "{\"rounds\": 2, \"name\": \"Bell\\u0007 check\"}").json().path("planSha256").asText())
                .isEqualTo(bell.path("planSha256").asText());
    }

    // --- helpers ---

    static Api.SiteCredentials probe(String name) {
        Api.SiteCredentials site = probeWithoutDataset(name);
        Api.registerDataset(site, "incident-features", 1000);
        return site;
    }

    static Api.SiteCredentials probeWithoutDataset(String name) {
        String code = name + "-" + CivitasServer.db();
        Api.Answer r = Api.postJson("/sites", "{\"code\": \"" + code + "\", \"enterprise\": \"meridian-energy\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return new Api.SiteCredentials(code, r.json().path("token").asText());
    }

    static long start(String plan) {
        Api.Answer started = Api.startFederation(plan);
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        return started.json().path("id").asLong();
    }

    static NamedTensors state(long federation, Api.SiteCredentials site) {
        Api.Answer state = Api.get("/participant/federations/" + federation + "/rounds/1/state", site);
        assertThat(state.status()).as(state.text()).isEqualTo(200);
        return SafeTensors.read(state.body()).tensors();
    }

    static NamedTensors filled(NamedTensors like, float value) {
        NamedTensors.Builder b = NamedTensors.builder();
        like.forEach((name, t) -> {
            float[] v = new float[t.size()];
            java.util.Arrays.fill(v, value);
            b.put(name, new Tensor(t.shape(), v));
        });
        return b.build();
    }

    static String metadata(String sampleCount) {
        return "{\"sampleCount\": " + sampleCount + ", \"trainLoss\": 0.9, \"globalLoss\": 1.6}";
    }

    static JsonNode round(long federation, int number) {
        return Api.get("/federations/" + federation).json().path("rounds").get(number - 1);
    }

    static void refused(Api.Answer answer, String reason, String message) {
        assertThat(answer.status()).as(answer.text()).isEqualTo(422);
        assertThat(answer.json().path("reason").asText()).isEqualTo(reason);
        assertThat(answer.json().path("error").asText()).contains(message);
    }
}
