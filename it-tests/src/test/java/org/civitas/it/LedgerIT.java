package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The credit ledger against the real server and database: every valued round of a federation is
 * rewarded by contribution, concurrent postings lose nothing, bad postings change nothing, a
 * reversal restores the balances, and every posting is in an intact audit chain.
 */
@ExtendWith(CivitasServer.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LedgerIT {

    private static final Map<String, String> ENTERPRISE_OF = Map.of(
            "energy", "enterprise:meridian-energy",
            "community", "enterprise:harbourview-residential",
            "urban", "enterprise:civic-operations");

    private long federation;
    private JsonNode finished;

    @BeforeAll
    void runAFederationUntilEveryRoundIsRewarded() {
        Api.Answer started = Api.startFederation("{\"name\": \"Ledger check\", \"rounds\": 3,"
                + " \"incentives\": {\"rewardPerRound\": 90}}");
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        federation = started.json().path("id").asLong();
        Api.awaitFinished(federation, Duration.ofMinutes(2));
        long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (rewardsOf(federation).size() < 3) {
            assertThat(System.nanoTime()).as("a reward for each of the 3 rounds").isLessThan(end);
            CivitasServer.sleep(250);
        }
        finished = Api.get("/federations/" + federation).json();
    }

    /** The reward lines of the federation in the pool's statement, by round. */
    private static List<JsonNode> rewardsOf(long federation) {
        List<JsonNode> rewards = new ArrayList<>();
        for (JsonNode line : Api.get("/ledger/accounts/consortium:issuance/statement").json().path("lines")) {
            if (line.path("memo").asText().startsWith("reward of federation " + federation + " round ")) {
                rewards.add(line);
            }
        }
        return rewards;
    }

    private static BigDecimal balance(String account) {
        for (JsonNode a : Api.get("/ledger/accounts").json()) {
            if (a.path("code").asText().equals(account)) {
                return a.path("balance").decimalValue();
            }
        }
        return BigDecimal.ZERO;
    }

    private static long entries() {
        return Api.get("/ledger/check").json().path("entries").asLong();
    }

    @Test
    void eachRoundPaysEverySiteItsParticipationShareAndTheRestByPositiveContribution() {
        double share = finished.path("incentives").path("participationShare").asDouble();
        assertThat(share).isEqualTo(0.2);
        for (JsonNode round : finished.path("rounds")) {
            int number = round.path("number").asInt();
            JsonNode values = round.path("contributions");
            double positive = 0;
            int eligibleSites = 0;
            for (String site : ENTERPRISE_OF.keySet()) {
                if (!round.path("freeRiders").has(site)) {
                    positive += Math.max(0, values.path(site).asDouble());
                    eligibleSites++;
                }
            }
            for (String site : ENTERPRISE_OF.keySet()) {
                boolean eligible = !round.path("freeRiders").has(site);
                double expected = !eligible ? 0 : 90 * share / eligibleSites
                        + (positive == 0 ? 0 : 90 * (1 - share) * Math.max(0, values.path(site).asDouble()) / positive);
                BigDecimal paid = BigDecimal.ZERO;
                for (JsonNode line : Api.get("/ledger/accounts/" + ENTERPRISE_OF.get(site) + "/statement").json().path("lines")) {
                    if (line.path("memo").asText().startsWith("reward of federation " + federation + " round " + number + ":")) {
                        paid = paid.add(line.path("amount").decimalValue());
                    }
                }
                assertThat(paid.doubleValue()).as("round %d, site %s (values %s)", number, site, values)
                        .isCloseTo(expected, org.assertj.core.data.Offset.offset(0.0002));
            }
        }
        assertThat(rewardsOf(federation)).allSatisfy(line -> assertThat(line.path("amount").decimalValue()).isEqualByComparingTo("-90"));
    }

    @Test
    void concurrentAdjustmentsOnTheSameAccountsLoseNoEntry() throws Exception {
        String a = ENTERPRISE_OF.get("energy");
        String b = ENTERPRISE_OF.get("community");
        BigDecimal poolBefore = balance("consortium:reward-pool");
        BigDecimal aBefore = balance(a);
        BigDecimal bBefore = balance(b);
        long entriesBefore = entries();
        int writers = 4;
        int each = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<Integer>> statuses = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            for (int i = 0; i < each; i++) {
                // Half the writers move pool -> a, the others a -> b: every posting touches account a.
                String body = writer % 2 == 0
                        ? "{\"from\": \"consortium:reward-pool\", \"to\": \"" + a + "\", \"amount\": 1.25, \"memo\": \"bonus\"}"
                        : "{\"from\": \"" + a + "\", \"to\": \"" + b + "\", \"amount\": 0.5, \"memo\": \"transfer\"}";
                statuses.add(pool.submit(() -> Api.postJson("/ledger/adjustments", body).status()));
            }
        }
        for (Future<Integer> status : statuses) {
            assertThat(status.get()).isEqualTo(201);
        }
        pool.shutdown();

        int half = writers / 2 * each;
        assertThat(entries()).isEqualTo(entriesBefore + 2L * writers * each);
        assertThat(balance("consortium:reward-pool")).isEqualByComparingTo(poolBefore.subtract(new BigDecimal("1.25").multiply(BigDecimal.valueOf(half))));
        assertThat(balance(a)).isEqualByComparingTo(aBefore.add(new BigDecimal("0.75").multiply(BigDecimal.valueOf(half))));
        assertThat(balance(b)).isEqualByComparingTo(bBefore.add(new BigDecimal("0.5").multiply(BigDecimal.valueOf(half))));
        JsonNode check = Api.get("/ledger/check").json();
        assertThat(check.path("balanced").asBoolean()).as(check.toString()).isTrue();
        assertThat(check.path("totalOfAllEntries").decimalValue()).isEqualByComparingTo("0");
    }

    @Test
    void badPostingsAreRefusedByNameAndChangeNothing() {
        long before = entries();

        Api.Answer unknown = Api.postJson("/ledger/adjustments",
                "{\"from\": \"consortium:reward-pool\", \"to\": \"enterprise:nobody\", \"amount\": 1, \"memo\": \"x\"}");
        Api.Answer decimals = Api.postJson("/ledger/adjustments",
                "{\"from\": \"consortium:reward-pool\", \"to\": \"enterprise:meridian-energy\", \"amount\": 0.00001, \"memo\": \"x\"}");
        Api.Answer negative = Api.postJson("/ledger/adjustments",
                "{\"from\": \"consortium:reward-pool\", \"to\": \"enterprise:meridian-energy\", \"amount\": -3, \"memo\": \"x\"}");
        Api.Answer noMemo = Api.postJson("/ledger/adjustments",
                "{\"from\": \"consortium:reward-pool\", \"to\": \"enterprise:meridian-energy\", \"amount\": 3}");

        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().path("error").asText()).contains("no ledger account 'enterprise:nobody' (to)");
        assertThat(decimals.status()).isEqualTo(400);
        assertThat(decimals.json().path("error").asText()).contains("more than 4 decimals");
        assertThat(negative.json().path("error").asText()).contains("amount must be positive");
        assertThat(noMemo.json().path("error").asText()).contains("needs a memo");
        refusedByConstraints(Api.postJson("/ledger/adjustments", "{\"memo\": \"no amount\", \"amount\": -1}"));
        assertThat(entries()).isEqualTo(before);
    }

    /** A body that breaks its constraints: 400 with every broken field, whatever the server's REST runtime. */
    static void refusedByConstraints(Api.Answer answer) {
        assertThat(answer.status()).as(answer.text()).isEqualTo(400);
        assertThat(answer.json().path("reason").asText()).isEqualTo("INVALID_REQUEST");
        java.util.List<String> fields = new java.util.ArrayList<>();
        answer.json().path("violations").forEach(v -> fields.add(v.path("field").asText() + ": " + v.path("message").asText()));
        assertThat(fields).containsExactly("amount: amount must be positive", "from: name the account credits come from",
                "to: name the account credits go to");
        assertThat(answer.json().path("error").asText()).isEqualTo(String.join("; ", fields));
    }

    @Test
    void aReversalRestoresTheBalancesOnceAndTheStatementExportsAsCsv() {
        String a = ENTERPRISE_OF.get("urban");
        BigDecimal before = balance(a);
        Api.Answer posted = Api.postJson("/ledger/adjustments",
                "{\"from\": \"consortium:reward-pool\", \"to\": \"" + a + "\", \"amount\": 7.5, \"memo\": \"posted by mistake\"}");
        assertThat(posted.status()).as(posted.text()).isEqualTo(201);
        long id = posted.json().path("id").asLong();
        assertThat(balance(a)).isEqualByComparingTo(before.add(new BigDecimal("7.5")));

        Api.Answer reversal = Api.postJson("/ledger/transactions/" + id + "/reversal", "{\"memo\": \"wrong account\"}");
        Api.Answer again = Api.postJson("/ledger/transactions/" + id + "/reversal", "{\"memo\": \"again\"}");

        assertThat(reversal.status()).as(reversal.text()).isEqualTo(201);
        assertThat(reversal.json().path("memo").asText()).isEqualTo("reverses transaction " + id + ": wrong account");
        assertThat(balance(a)).isEqualByComparingTo(before);
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.json().path("error").asText()).contains("was reversed already");

        JsonNode statement = Api.get("/ledger/accounts/" + a + "/statement").json();
        Api.Answer csv = Api.get("/ledger/accounts/" + a + "/statement.csv");
        assertThat(csv.status()).isEqualTo(200);
        String[] rows = csv.text().split("\r\n");
        assertThat(rows[0]).isEqualTo("transaction,posted_at,kind,round,memo,amount,balance_after");
        assertThat(rows).hasSize(statement.path("lines").size() + 1);
        String[] last = rows[rows.length - 1].split(",");
        assertThat(last[0]).isEqualTo(reversal.json().path("id").asText());
        assertThat(new BigDecimal(last[last.length - 1])).isEqualByComparingTo(statement.path("balance").decimalValue());
        assertThat(statement.path("credited").decimalValue().subtract(statement.path("debited").decimalValue()))
                .isEqualByComparingTo(statement.path("balance").decimalValue());
    }

    @Test
    void everyPostingIsInTheAuditChainWhichVerifies() {
        JsonNode rewards = Api.get("/audit?prefix=ledger.round-reward&limit=1000").json();
        List<String> subjects = rewards.findValuesAsText("subject");
        for (int round = 1; round <= 3; round++) {
            assertThat(subjects).contains("federation " + federation + " round " + round);
        }
        JsonNode verification = Api.get("/audit/verify").json();
        assertThat(verification.path("intact").asBoolean()).as(verification.toString()).isTrue();
        assertThat(verification.path("entriesChecked").asLong()).isGreaterThan(3);

        Api.Answer page = Api.getAbsolute(CivitasServer.BASE + "/credits/index.xhtml?account=enterprise:meridian-energy");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.text()).contains("Statement of account: enterprise:meridian-energy").contains("Balanced:");
        Api.Answer audit = Api.getAbsolute(CivitasServer.BASE + "/audit/index.xhtml");
        assertThat(audit.text()).contains("Intact:");
    }
}
