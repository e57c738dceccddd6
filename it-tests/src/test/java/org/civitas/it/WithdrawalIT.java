package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Withdrawal of an enterprise's contributions over the real server: the preview, the four-eyes
 * approval, the marked versions and withdrawn releases, the rebuilt line (which must equal a
 * federation of the remaining sites with the same seeds), and the requests that are refused.
 */
@ExtendWith(CivitasServer.class)
class WithdrawalIT {

    /** Differences of float32 sums taken in another order stay far below this; urban's part in a model is far above it. */
    private static final double TOLERANCE = 1e-5;

    private static long startAgreed(String plan, List<Long> urbanAgreement) {
        JsonNode preview = Api.postJson("/plans/preview", plan).json();
        for (JsonNode enterprise : preview.path("enterprises")) {
            long id = Api.agree(plan, preview, enterprise.asText());
            if (enterprise.asText().equals("civic-operations")) {
                urbanAgreement.add(id);
            }
        }
        Api.Answer started = Api.postJson("/federations", plan);
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        return started.json().path("id").asLong();
    }

    private static NamedTensors model(long federation, int version) {
        return SafeTensors.read(Api.get("/federations/" + federation + "/models/" + version).body()).tensors();
    }

    private static double maxDifference(NamedTensors a, NamedTensors b) {
        assertThat(a.names()).isEqualTo(b.names());
        double max = 0;
        for (String name : a.names()) {
            float[] x = a.get(name).values();
            float[] y = b.get(name).values();
            assertThat(x).hasSameSizeAs(y);
            for (int i = 0; i < x.length; i++) {
                max = Math.max(max, Math.abs(x[i] - y[i]));
            }
        }
        return max;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void aWithdrawnEnterpriseGetsARebuiltLineEqualToAFederationOfTheOthers() {
        String plan = "{\"name\": \"Withdrawal equality\", \"rounds\": 3, \"seed\": 20261205}";
        List<Long> urban = new ArrayList<>();
        long f = startAgreed(plan, urban);
        long agreement = urban.get(0);
        JsonNode finished = Api.awaitFinished(f, Duration.ofMinutes(3));
        assertThat(finished.path("status").asText()).as(finished.toString()).isEqualTo("COMPLETED");
        assertThat(strings(finished.path("models").get(3).path("contributors"))).contains("civic-operations");

        JsonNode preview = Api.getAs("urban-compliance", "/agreements/" + agreement + "/withdrawal-preview").json();
        assertThat(preview.hasNonNull("refusal")).as(preview.toString()).isFalse();
        assertThat(preview.path("federations")).hasSize(1);
        JsonNode affected = preview.path("federations").get(0);
        assertThat(affected.path("federation").asLong()).isEqualTo(f);
        assertThat(affected.path("versions").toString()).isEqualTo("[1,2,3]");
        assertThat(affected.path("startVersion").asInt()).isZero();
        assertThat(affected.path("rounds").asInt()).isEqualTo(3);
        assertThat(strings(affected.path("sites"))).containsExactly("community", "energy");
        assertThat(preview.path("roundsToRetrain").asInt()).isEqualTo(3);
        assertThat(preview.path("siteRoundsToRetrain").asInt()).isEqualTo(6);

        int federationsBefore = Api.get("/federations").json().size();
        Api.Answer revoked = Api.postJsonAs("urban-compliance", "/agreements/" + agreement + "/revocation",
                "{\"reason\": \"the agency withdraws its consent\", \"withdrawContributions\": true}");
        assertThat(revoked.status()).as(revoked.text()).isEqualTo(200);
        assertThat(revoked.json().path("status").asText()).isEqualTo("REVOKED");
        long withdrawal = revoked.json().path("withdrawal").asLong();
        assertThat(withdrawal).isPositive();

        // One officer alone changes nothing: the versions are not marked and nothing is retrained.
        JsonNode requested = Api.get("/withdrawals/" + withdrawal).json();
        assertThat(requested.path("status").asText()).isEqualTo("REQUESTED");
        assertThat(requested.path("awaiting").asText()).isEqualTo("CONSORTIUM");
        Api.Answer alone = Api.postJsonAs("urban-compliance", "/withdrawals/" + withdrawal + "/decision",
                "{\"approve\": true, \"comment\": \"me again\"}");
        assertThat(alone.status()).as(alone.text()).isEqualTo(409);
        assertThat(alone.json().path("error").asText()).contains("four eyes");
        assertThat(Api.get("/federations").json().size()).isEqualTo(federationsBefore);
        Api.get("/federations/" + f).json().path("models").forEach(m -> assertThat(m.path("withdrawals")).isEmpty());
        Api.Answer second = Api.postJsonAs("urban-steward", "/agreements/" + agreement + "/withdrawal", "{\"reason\": \"again\"}");
        assertThat(second.status()).as(second.text()).isEqualTo(409);
        assertThat(second.json().path("error").asText()).isEqualTo("withdrawal " + withdrawal
                + " of enterprise civic-operations from the models of plan " + preview.path("planSha256").asText() + " is REQUESTED already");
        assertThat(Api.getAs("consortium-compliance", "/withdrawals/review-queue").json().toString()).contains("\"id\":" + withdrawal);

        Api.Answer approved = Api.postJsonAs("consortium-compliance", "/withdrawals/" + withdrawal + "/decision",
                "{\"approve\": true, \"comment\": \"consent withdrawn; retrain\"}");
        assertThat(approved.status()).as(approved.text()).isEqualTo(200);
        assertThat(approved.json().path("status").asText()).isEqualTo("APPROVED");
        assertThat(approved.json().path("rebuilds")).hasSize(1);
        long rebuild = approved.json().path("rebuilds").get(0).asLong();

        JsonNode original = Api.get("/federations/" + f).json();
        assertThat(original.path("line").path("supersededBy").toString()).isEqualTo("[" + rebuild + "]");
        JsonNode models = original.path("models");
        assertThat(models.get(0).path("withdrawals")).isEmpty();
        for (int v = 1; v <= 3; v++) {
            assertThat(models.get(v).path("withdrawals").toString()).as("version " + v + " is marked").isEqualTo("[" + withdrawal + "]");
        }

        JsonNode rebuilt = Api.awaitFinished(rebuild, Duration.ofMinutes(3));
        assertThat(rebuilt.path("status").asText()).as(rebuilt.toString()).isEqualTo("COMPLETED");
        assertThat(rebuilt.path("line").path("rebuildOf").asLong()).isEqualTo(f);
        assertThat(rebuilt.path("line").path("withdrawal").asLong()).isEqualTo(withdrawal);
        assertThat(strings(rebuilt.path("line").path("excludedEnterprises"))).containsExactly("civic-operations");
        assertThat(rebuilt.path("planSha256").asText()).isEqualTo(original.path("planSha256").asText());
        assertThat(rebuilt.path("rounds")).hasSize(3);
        for (JsonNode round : rebuilt.path("rounds")) {
            assertThat(round.path("withheld").path("urban").asText()).contains("civic-operations");
            assertThat(round.path("receipts")).hasSize(2);
            round.path("receipts").forEach(r -> assertThat(r.path("site").asText()).isNotEqualTo("urban"));
        }
        JsonNode rebuiltModels = rebuilt.path("models");
        assertThat(rebuiltModels.get(0).path("derivedFrom").path("federation").asLong()).isEqualTo(f);
        assertThat(rebuiltModels.get(0).path("sha256").asText()).isEqualTo(models.get(0).path("sha256").asText());
        assertThat(strings(rebuiltModels.get(3).path("contributors"))).containsExactly("harbourview-residential", "meridian-energy");

        // The reference: a federation of the two remaining sites, from the same clean version, with the same seeds.
        String reference = "{\"name\": \"Withdrawal equality\", \"rounds\": 3, \"seed\": 20261205, \"sites\": [\"community\", \"energy\"]}";
        long r = startAgreed(reference, new ArrayList<>());
        assertThat(Api.awaitFinished(r, Duration.ofMinutes(3)).path("status").asText()).isEqualTo("COMPLETED");
        assertThat(maxDifference(model(r, 0), model(rebuild, 0))).isZero();
        assertThat(maxDifference(model(r, 3), model(rebuild, 3))).as("rebuilt version 3 against the two-site federation's")
                .isLessThanOrEqualTo(TOLERANCE);
        assertThat(maxDifference(model(f, 3), model(rebuild, 3))).as("the original version 3 holds urban's data")
                .isGreaterThan(100 * TOLERANCE);

        List<String> actions = new ArrayList<>();
        for (JsonNode e : Api.get("/audit?limit=200").json()) {
            String subject = e.path("subject").asText();
            if (subject.equals("withdrawal " + withdrawal) || subject.equals("federation " + f) || subject.equals("federation " + rebuild)) {
                actions.add(e.path("action").asText());
            }
        }
        assertThat(actions).contains("withdrawal.requested", "withdrawal.approved", "model.versions.marked", "federation.rebuild.started");
        assertThat(Api.get("/audit/verify").json().path("intact").asBoolean()).isTrue();
    }

    @Test
    void withdrawalsThatCannotBeCarriedOutAreRefusedByNameAndChangeNothing() {
        // An enterprise that never contributed: the revocation that asks for it is refused whole.
        String unused = "{\"name\": \"Withdrawal of nothing\", \"rounds\": 1}";
        JsonNode preview = Api.postJson("/plans/preview", unused).json();
        long idle = Api.agree(unused, preview, "civic-operations");
        Api.Answer nothing = Api.postJsonAs("urban-compliance", "/agreements/" + idle + "/revocation",
                "{\"reason\": \"changed our mind\", \"withdrawContributions\": true}");
        assertThat(nothing.status()).as(nothing.text()).isEqualTo(400);
        assertThat(nothing.json().path("error").asText()).isEqualTo("enterprise civic-operations has not contributed to any model version"
                + " of plan " + preview.path("planSha256").asText() + ": there is nothing to withdraw");
        assertThat(Api.get("/agreements/" + idle).json().path("status").asText()).isEqualTo("ACTIVE");
        assertThat(Api.get("/agreements/" + idle).json().hasNonNull("withdrawal")).isFalse();
        JsonNode idlePreview = Api.get("/agreements/" + idle + "/withdrawal-preview").json();
        assertThat(idlePreview.path("refusal").asText()).contains("has not contributed");
        assertThat(idlePreview.path("federations")).isEmpty();

        // A data steward asks: both officers must approve, and another enterprise's officer cannot.
        String plan = "{\"name\": \"Withdrawal by a steward\", \"rounds\": 1}";
        List<Long> urban = new ArrayList<>();
        long f = startAgreed(plan, urban);
        assertThat(Api.awaitFinished(f, Duration.ofMinutes(2)).path("status").asText()).isEqualTo("COMPLETED");
        Api.Answer noReason = Api.postJsonAs("urban-steward", "/agreements/" + urban.get(0) + "/withdrawal", "{\"reason\": \" \"}");
        assertThat(noReason.status()).as(noReason.text()).isEqualTo(400);
        assertThat(Api.get("/agreements/" + urban.get(0)).json().path("status").asText()).isEqualTo("ACTIVE");
        Api.Answer notTheirs = Api.postJsonAs("energy-steward", "/agreements/" + urban.get(0) + "/withdrawal", "{\"reason\": \"x\"}");
        assertThat(notTheirs.status()).isEqualTo(403);

        Api.Answer asked = Api.postJsonAs("urban-steward", "/agreements/" + urban.get(0) + "/withdrawal",
                "{\"reason\": \"the retention period ended\"}");
        assertThat(asked.status()).as(asked.text()).isEqualTo(201);
        long withdrawal = asked.json().path("id").asLong();
        assertThat(asked.json().path("awaiting").asText()).isEqualTo("ENTERPRISE");
        assertThat(Api.get("/agreements/" + urban.get(0)).json().path("status").asText()).isEqualTo("REVOKED");

        Api.Answer otherOfficer = Api.postJsonAs("energy-compliance", "/withdrawals/" + withdrawal + "/decision",
                "{\"approve\": true, \"comment\": \"not mine\"}");
        assertThat(otherOfficer.status()).isEqualTo(403);
        Api.Answer consortium = Api.postJsonAs("consortium-compliance", "/withdrawals/" + withdrawal + "/decision",
                "{\"approve\": true, \"comment\": \"fine\"}");
        assertThat(consortium.status()).as(consortium.text()).isEqualTo(200);
        assertThat(consortium.json().path("status").asText()).isEqualTo("REQUESTED");
        assertThat(consortium.json().path("rebuilds")).isEmpty();
        Api.Answer consortiumAgain = Api.postJsonAs("consortium-compliance", "/withdrawals/" + withdrawal + "/decision",
                "{\"approve\": true, \"comment\": \"twice\"}");
        assertThat(consortiumAgain.status()).isEqualTo(409);
        assertThat(Api.get("/federations/" + f).json().path("models").get(1).path("withdrawals")).isEmpty();

        Api.Answer enterprise = Api.postJsonAs("urban-compliance", "/withdrawals/" + withdrawal + "/decision",
                "{\"approve\": true, \"comment\": \"our officer agrees\"}");
        assertThat(enterprise.status()).as(enterprise.text()).isEqualTo(200);
        assertThat(enterprise.json().path("status").asText()).isEqualTo("APPROVED");
        long rebuild = enterprise.json().path("rebuilds").get(0).asLong();
        assertThat(Api.awaitFinished(rebuild, Duration.ofMinutes(2)).path("status").asText()).isEqualTo("COMPLETED");

        // Done once; a second withdrawal is refused.
        Api.Answer again = Api.postJsonAs("urban-compliance", "/agreements/" + urban.get(0) + "/withdrawal", "{\"reason\": \"again\"}");
        assertThat(again.status()).as(again.text()).isEqualTo(409);
        assertThat(again.json().path("error").asText()).contains("withdrawal " + withdrawal).endsWith("is APPROVED already");
        Api.Answer unknown = Api.postJsonAs("consortium-compliance", "/withdrawals/999999/decision", "{\"approve\": true, \"comment\": \"x\"}");
        assertThat(unknown.status()).isEqualTo(404);
    }

    @Test
    void aReleasedVersionThatContainsTheEnterpriseIsWithdrawnAndNoSiteServesItAnyLonger() {
        String plan = Api.citySafetyPlan("{\"name\": \"Withdrawal of a release\", \"rounds\": 1}");
        List<Long> urban = new ArrayList<>();
        long f = startAgreed(plan, urban);
        assertThat(Api.awaitFinished(f, Duration.ofMinutes(5)).path("status").asText()).isEqualTo("COMPLETED");
        CivitasServer.await(Duration.ofMinutes(2), "model version 1 is evaluated", () ->
                Api.get("/federations/" + f).json().path("models").get(1).path("evaluation").isObject());
        JsonNode release = Api.postJson("/releases", "{\"federation\": " + f + ", \"version\": 1, \"note\": \"for the sites\"}").json();
        long releaseId = release.path("id").asLong();
        String version = release.path("modelSha256").asText();
        Api.Answer approved = Api.postJsonAs("consortium-compliance", "/releases/" + releaseId + "/decision",
                "{\"approve\": true, \"comment\": \"fine\"}");
        assertThat(approved.status()).as(approved.text()).isEqualTo(200);
        assertThat(Api.getAs("energy-steward", "/sites/energy/releases").json().findValuesAsText("modelSha256")).contains(version);

        JsonNode preview = Api.get("/agreements/" + urban.get(0) + "/withdrawal-preview").json();
        assertThat(preview.path("releases")).hasSize(1);
        assertThat(preview.path("releases").get(0).path("release").asLong()).isEqualTo(releaseId);
        assertThat(preview.path("releases").get(0).path("status").asText()).isEqualTo("RELEASED");

        Api.Answer revoked = Api.postJsonAs("urban-compliance", "/agreements/" + urban.get(0) + "/revocation",
                "{\"reason\": \"consent withdrawn\", \"withdrawContributions\": true}");
        assertThat(revoked.status()).as(revoked.text()).isEqualTo(200);
        long withdrawal = revoked.json().path("withdrawal").asLong();
        Api.Answer decided = Api.postJsonAs("consortium-compliance", "/withdrawals/" + withdrawal + "/decision",
                "{\"approve\": true, \"comment\": \"retrain without the agency\"}");
        assertThat(decided.status()).as(decided.text()).isEqualTo(200);

        JsonNode listed = null;
        for (JsonNode r : Api.get("/releases").json()) {
            listed = r.path("id").asLong() == releaseId ? r : listed;
        }
        assertThat(listed.path("status").asText()).isEqualTo("WITHDRAWN");
        assertThat(listed.path("withdrawalReason").asText()).contains("civic-operations").contains("withdrawal " + withdrawal);
        CivitasServer.await(Duration.ofMinutes(1), "the energy site stops offering the withdrawn version", () ->
                !Api.getAs("energy-steward", "/sites/energy/releases").json().findValuesAsText("modelSha256").contains(version));
        Api.Answer refused = Api.postJsonAs("energy-operator", "/sites/energy/predictions", "{\"version\": \"" + version
                + "\", \"inputs\": [{\"text\": \"smoke at the substation\"}]}");
        assertThat(refused.status()).as(refused.text()).isEqualTo(404);

        long rebuild = decided.json().path("rebuilds").get(0).asLong();
        JsonNode rebuilt = Api.awaitFinished(rebuild, Duration.ofMinutes(5));
        assertThat(rebuilt.path("status").asText()).as(rebuilt.toString()).isEqualTo("COMPLETED");
        assertThat(strings(rebuilt.path("models").get(1).path("contributors"))).containsExactly("harbourview-residential", "meridian-energy");
    }

    @Test
    void aRetentionShorterThanARunningFederationStillNeedsIsRefusedUntilItStops() {
        String plan = "{\"name\": \"Retention check\", \"rounds\": 1000, \"roundTimeoutSeconds\": 86400}";
        List<Long> urban = new ArrayList<>();
        long f = startAgreed(plan, urban);
        String shorter = "{\"plan\": " + plan + ", \"datasets\": [\"incident-features\"], \"modalities\": [\"features\"],"
                + " \"purpose\": \"integration test\", \"task\": \"incident classification\", \"retentionDays\": 30}";

        Api.Answer refused = Api.postJsonAs("urban-steward", "/agreements/" + urban.get(0) + "/versions", shorter);
        assertThat(refused.status()).as(refused.text()).isEqualTo(400);
        assertThat(refused.json().path("error").asText()).startsWith("retentionDays 30 is shorter than running federation " + f
                + " of this plan may still take: ").contains("rounds of up to 86400 s each").contains("Ask for at least");
        assertThat(Api.get("/agreements/" + urban.get(0) + "/history").json()).hasSize(1);

        Api.Answer byOther = Api.postJsonAs("auditor", "/federations/" + f + "/stop", "{\"reason\": \"not mine\"}");
        assertThat(byOther.status()).isEqualTo(403);
        Api.Answer stopped = Api.postJson("/federations/" + f + "/stop", "{\"reason\": \"the retention check is done\"}");
        assertThat(stopped.status()).as(stopped.text()).isEqualTo(200);
        assertThat(stopped.json().path("status").asText()).isEqualTo("STOPPED");
        assertThat(stopped.json().path("failureReason").asText()).endsWith("the retention check is done");
        Api.Answer twice = Api.postJson("/federations/" + f + "/stop", "{\"reason\": \"again\"}");
        assertThat(twice.status()).isEqualTo(409);

        Api.Answer accepted = Api.postJsonAs("urban-steward", "/agreements/" + urban.get(0) + "/versions", shorter);
        assertThat(accepted.status()).as(accepted.text()).isEqualTo(201);
    }
}
