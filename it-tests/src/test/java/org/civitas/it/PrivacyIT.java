package org.civitas.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.civitas.federation.core.privacy.RdpAccountant;
import org.civitas.federation.core.privacy.secagg.FixedPoint;
import org.civitas.federation.core.privacy.secagg.MaskedVector;
import org.civitas.federation.core.privacy.secagg.MaskingSite;
import org.civitas.federation.core.privacy.secagg.ShareEnvelope;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.SafeTensors;
import org.civitas.federation.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Secure aggregation over the real protocol, driven by probe sites whose updates the test knows,
 * so the coordinator's result can be checked exactly; a federation of the hosted sites with secure
 * aggregation and DP that learns; and the privacy-budget ledger across federations.
 */
@ExtendWith(CivitasServer.class)
class PrivacyIT {

    private static final int THRESHOLD = 2;

    /** A site the test drives: its secrets, its place in the round, the shares it holds. */
    private static final class Probe {
        final Api.SiteCredentials site;
        final MaskingSite.Secrets secrets = MaskingSite.Secrets.generate(new SecureRandom());
        int index;
        MaskingSite masking;
        List<MaskingSite.SharesFor> shares;
        final Map<Integer, MaskingSite.SharesFor> held = new HashMap<>();
        NamedTensors update;
        byte[] masked;

        Probe(Api.SiteCredentials site) {
            this.site = site;
        }

        String path(long federation, String resource) {
            return "/participant/federations/" + federation + "/rounds/1/secagg/" + resource;
        }
    }

    private static Api.SiteCredentials register(String code) {
        Api.Answer r = Api.postJson("/sites", "{\"code\": \"" + code + "\", \"enterprise\": \"harbourview-residential\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        Api.SiteCredentials site = new Api.SiteCredentials(code, r.json().path("token").asText());
        Api.registerDataset(site, "incident-features", 1000);
        return site;
    }

    private static List<Probe> probes(String prefix) {
        List<Probe> probes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            probes.add(new Probe(register(prefix + i + "-" + CivitasServer.db())));
        }
        return probes;
    }

    private static long start(List<Probe> probes, int timeoutSeconds) {
        String sites = String.join(", ", probes.stream().map(p -> "\"" + p.site.code() + "\"").toList());
        Api.Answer started = Api.startFederation("{\"name\": \"Secure aggregation check\", \"sites\": [" + sites + "],"
                + " \"rounds\": 1, \"roundTimeoutSeconds\": " + timeoutSeconds + ", \"secureAggregation\": {\"threshold\": " + THRESHOLD + "}}");
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        return started.json().path("id").asLong();
    }

    private static JsonNode await(Probe p, long federation, String resource, Predicate<JsonNode> ready) {
        for (int i = 0; i < 400; i++) {
            Api.Answer a = Api.get(p.path(federation, resource), p.site);
            assertThat(a.status()).as(a.text()).isEqualTo(200);
            if (ready.test(a.json())) {
                return a.json();
            }
            CivitasServer.sleep(250);
        }
        throw new AssertionError(resource + " never became ready");
    }

    /** Keys and shares for every probe; answers the global state of round 1. */
    private static NamedTensors keysAndShares(List<Probe> probes, long federation) throws Exception {
        for (Probe p : probes) {
            Api.Answer keys = Api.postJson(p.path(federation, "keys"), "{\"encryptionKey\": \"" + p.secrets.encryptionPublic().toString(16)
                    + "\", \"maskingKey\": \"" + p.secrets.maskingPublic().toString(16) + "\"}", p.site);
            assertThat(keys.status()).as(keys.text()).isEqualTo(204);
        }
        JsonNode roster = await(probes.get(0), federation, "roster", j -> !"KEYS".equals(j.path("phase").asText()));
        Map<Integer, BigInteger> encryptionKeys = new TreeMap<>();
        for (JsonNode m : roster.path("members")) {
            encryptionKeys.put(m.path("index").asInt(), new BigInteger(m.path("encryptionKey").asText(), 16));
            probes.stream().filter(p -> p.site.code().equals(m.path("site").asText())).forEach(p -> p.index = m.path("index").asInt());
        }
        assertThat(encryptionKeys).hasSize(3);
        SecureRandom random = new SecureRandom();
        for (Probe p : probes) {
            p.masking = new MaskingSite(p.index, p.secrets, random);
            p.shares = p.masking.shares(3, THRESHOLD);
            p.held.put(p.index, p.shares.get(p.index - 1));
            StringBuilder json = new StringBuilder("{\"envelopes\": [");
            for (int to : encryptionKeys.keySet()) {
                if (to != p.index) {
                    json.append(json.length() > 15 ? ", " : "").append("{\"to\": ").append(to).append(", \"envelope\": \"")
                            .append(ShareEnvelope.seal(p.secrets, encryptionKeys.get(to), ShareEnvelope.context(federation, 1, p.index, to),
                                    p.shares.get(to - 1), random)).append("\"}");
                }
            }
            Api.Answer sent = Api.postJson(p.path(federation, "shares"), json.append("]}").toString(), p.site);
            assertThat(sent.status()).as(sent.text()).isEqualTo(204);
        }
        Map<Integer, Probe> byIndex = new TreeMap<>();
        probes.forEach(p -> byIndex.put(p.index, p));
        for (Probe p : probes) {
            JsonNode inbox = await(p, federation, "inbox", j -> "MASKED_UPLOADS".equals(j.path("phase").asText()));
            for (JsonNode e : inbox.path("envelopes")) {
                int from = e.path("from").asInt();
                p.held.put(from, ShareEnvelope.open(p.secrets, byIndex.get(from).secrets.encryptionPublic(),
                        ShareEnvelope.context(federation, 1, from, p.index), e.path("envelope").asText()));
            }
        }
        return SafeTensors.read(Api.get("/participant/federations/" + federation + "/rounds/1/state", probes.get(0).site).body()).tensors();
    }

    /** Each probe masks a random update as a site would, with the round's mask number and the format its roster names. */
    private static void mask(List<Probe> probes, NamedTensors global, JsonNode roster, int samples, long seed) {
        long maskRound = roster.path("maskRound").asLong();
        org.civitas.federation.core.privacy.secagg.MaskFormat format =
                org.civitas.federation.core.privacy.secagg.MaskFormat.of(roster.path("maskFormat").asText());
        Map<Integer, PublicKey> keys = new TreeMap<>();
        probes.forEach(p -> keys.put(p.index, MaskingSite.publicKeyOf(p.secrets.maskingPublic())));
        java.util.Random random = new java.util.Random(seed);
        for (Probe p : probes) {
            NamedTensors.Builder b = NamedTensors.builder();
            global.forEach((name, t) -> {
                float[] v = new float[t.values().length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (random.nextGaussian() * 0.05);
                }
                b.put(name, new Tensor(t.shape(), v));
            });
            p.update = b.build();
            p.masked = MaskedVector.toBytes(p.masking.mask(MaskedVector.flatten(p.update, samples), keys, maskRound, new FixedPoint(16),
                    format));
        }
    }

    private static String metadata(int samples) {
        return "{\"sampleCount\": " + samples + ", \"trainLoss\": 0.9, \"globalLoss\": 1.6}";
    }

    @Test
    void theCoordinatorLearnsExactlyTheSurvivorsWeightedMeanAndNeverAnIndividualUpdate() throws Exception {
        List<Probe> probes = probes("sa");
        long federation = start(probes, 20);
        NamedTensors global = keysAndShares(probes, federation);
        JsonNode roster = Api.get(probes.get(0).path(federation, "roster"), probes.get(0).site).json();
        assertThat(roster.path("maskFormat").asText()).as("the coordinator names how masks expand").isEqualTo("civitas-mask-aes256ctr-v2");
        mask(probes, global, roster, 40, 1);
        Probe a = probes.get(0);
        Probe b = probes.get(1);

        // A plain update is refused: with secure aggregation the coordinator takes masked vectors only
        Api.Answer plain = Api.upload(federation, 1, a.site, metadata(40), SafeTensors.write(a.update));
        assertThat(plain.status()).as(plain.text()).isEqualTo(422);
        assertThat(plain.json().path("error").asText()).contains("uses secure aggregation: upload the masked update, not a plain one");

        assertThat(Api.upload(federation, 1, a.site, metadata(40), a.masked).status()).isEqualTo(201);
        // Replays: the same site again, and another site sending the first one's masked bytes
        Api.Answer again = Api.upload(federation, 1, a.site, metadata(40), a.masked);
        assertThat(again.status()).isEqualTo(409);
        Api.Answer replay = Api.upload(federation, 1, b.site, metadata(40), a.masked);
        assertThat(replay.status()).as(replay.text()).isEqualTo(409);
        assertThat(replay.json().path("error").asText()).contains("already accepted").contains("from site " + a.site.code())
                .contains("a replayed upload is refused");
        assertThat(Api.upload(federation, 1, b.site, metadata(40), b.masked).status()).isEqualTo(201);
        // The third probe drops out after sending its shares; the round waits for its deadline, then unmasks

        JsonNode survivors = await(a, federation, "survivors", j -> "UNMASKING".equals(j.path("phase").asText()));
        Set<Integer> alive = new TreeSet<>();
        survivors.path("survivors").forEach(n -> alive.add(n.asInt()));
        assertThat(alive).containsExactlyInAnyOrder(a.index, b.index);

        // A site may not reveal a dropped site's seed (that and its key would unmask it)
        int dropped = probes.get(2).index;
        Api.Answer wrong = Api.postJson(a.path(federation, "reveals"), revealsJson(a, Set.of(a.index, b.index, dropped)), a.site);
        assertThat(wrong.status()).as(wrong.text()).isEqualTo(422);
        assertThat(wrong.json().path("error").asText()).contains("member " + dropped + " dropped out: reveal its PRIVATE_KEY");
        for (Probe p : List.of(a, b)) {
            Api.Answer ok = Api.postJson(p.path(federation, "reveals"), revealsJson(p, alive), p.site);
            assertThat(ok.status()).as(ok.text()).isEqualTo(204);
        }

        JsonNode f = Api.awaitFinished(federation, Duration.ofSeconds(60));
        assertThat(f.path("status").asText()).as(f.toString()).isEqualTo("COMPLETED");
        JsonNode round = f.path("rounds").get(0);
        // What the coordinator stored is the masked bytes, nothing else
        Set<String> stored = new TreeSet<>();
        round.path("receipts").forEach(r -> stored.add(r.path("sha256").asText()));
        assertThat(stored).containsExactlyInAnyOrder(sha256(a.masked), sha256(b.masked));
        // Version 1 = version 0 + the sample-weighted mean of the two survivors' updates (equal weights here)
        NamedTensors v1 = SafeTensors.read(Api.get("/federations/" + federation + "/models/1").body()).tensors();
        double tolerance = 2 * 40 * Math.scalb(1.0, -17) / 80 + 1e-6;
        global.forEach((name, t) -> {
            float[] g = t.values();
            float[] x = a.update.get(name).values();
            float[] y = b.update.get(name).values();
            float[] got = v1.get(name).values();
            for (int i = 0; i < g.length; i++) {
                assertThat((double) got[i]).as("%s[%d]", name, i).isCloseTo(g[i] + (x[i] + y[i]) / 2.0, within(tolerance));
            }
        });
    }

    @Test
    void withFewerSurvivorsThanTheThresholdTheRoundFailsAndNothingIsAggregated() throws Exception {
        List<Probe> probes = probes("sb");
        long federation = start(probes, 15);
        NamedTensors global = keysAndShares(probes, federation);
        mask(probes, global, Api.get(probes.get(0).path(federation, "roster"), probes.get(0).site).json(), 10, 2);
        assertThat(Api.upload(federation, 1, probes.get(0).site, metadata(10), probes.get(0).masked).status()).isEqualTo(201);

        JsonNode f = Api.awaitFinished(federation, Duration.ofSeconds(60));
        assertThat(f.path("status").asText()).isEqualTo("FAILED");
        assertThat(f.path("failureReason").asText()).contains("secure aggregation: 1 of 3 masked updates arrived")
                .contains("the round needs 2").contains("(threshold 2)");
        assertThat(f.path("models")).hasSize(1);
    }

    private static String revealsJson(Probe p, Set<Integer> survivors) {
        StringBuilder json = new StringBuilder("{\"reveals\": [");
        new TreeMap<>(p.held).forEach((owner, s) -> {
            boolean alive = survivors.contains(owner);
            var share = alive ? s.selfMaskSeed() : s.privateKey();
            json.append(json.length() > 13 ? ", " : "").append("{\"owner\": ").append(owner).append(", \"secret\": \"")
                    .append(alive ? "SELF_MASK_SEED" : "PRIVATE_KEY").append("\", \"x\": ").append(share.x()).append(", \"y\": \"")
                    .append(share.y().toString(16)).append("\"}");
        });
        return json.append("]}").toString();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void theHostedSitesLearnWithSecureAggregationAndSiteSplitNoise() {
        Api.Answer refused = Api.startFederation("{\"secureAggregation\": {}, \"incentives\": {\"rewardPerRound\": 10}}");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("error").asText()).contains("incentives need each site's contribution");
        Api.Answer robust = Api.startFederation("{\"strategy\": \"median\", \"secureAggregation\": {}}");
        assertThat(robust.json().path("error").asText()).contains("rule median needs individual updates");

        Api.Answer started = Api.startFederation("{\"name\": \"Private check\", \"rounds\": 4, \"roundTimeoutSeconds\": 120,"
                + " \"privacy\": {\"clipNorm\": 1.0, \"noiseMultiplier\": 0.3, \"dataset\": \"private-check\"}, \"secureAggregation\": {}}");
        assertThat(started.status()).as(started.text()).isEqualTo(201);
        JsonNode f = Api.awaitFinished(started.json().path("id").asLong(), Duration.ofMinutes(3));

        assertThat(f.path("status").asText()).as(f.toString()).isEqualTo("COMPLETED");
        JsonNode rounds = f.path("rounds");
        assertThat(rounds.get(3).path("globalLoss").asDouble()).as(rounds.toString())
                .isLessThan(rounds.get(0).path("globalLoss").asDouble() - 0.1);
        assertThat(f.path("secureAggregation").path("threshold").asInt()).isEqualTo(2);
        assertThat(rounds.get(0).path("updates").asInt()).isEqualTo(3);
        // Noise split over 3 sites, guaranteed only for the 2 a round could close with: sigma 0.3 x sqrt(2/3) per round
        double expected = new RdpAccountant().compose(1.0, 0.3 * Math.sqrt(2.0 / 3), 4).epsilon(1e-5);
        assertThat(f.path("privacy").path("epsilonSpent").asDouble()).isCloseTo(expected, within(1e-6));
        JsonNode ledger = budget("civic-operations", "private-check");
        assertThat(ledger.path("spends")).hasSize(4);
        assertThat(ledger.path("spent").asDouble()).isCloseTo(expected, within(1e-6));
        // The enterprises' agreements granted the budget (the first grant for the dataset sets it)
        assertThat(ledger.path("epsilon").asDouble()).as(ledger.toString()).isEqualTo(1000.0);
        assertThat(ledger.path("source").asText()).startsWith("agreement ");
    }

    @Test
    void aDatasetsBudgetHoldsAcrossFederations() {
        double perRound = 0.8;
        RdpAccountant twoRounds = new RdpAccountant().compose(1.0, perRound, 2);
        double afterTwo = twoRounds.epsilon(1e-5);
        double afterThree = new RdpAccountant().compose(1.0, perRound, 3).epsilon(1e-5);
        double afterFour = new RdpAccountant().compose(1.0, perRound, 4).epsilon(1e-5);
        double budget = (afterThree + afterFour) / 2;
        assertThat(afterTwo).isLessThan(afterThree);
        for (String enterprise : List.of("meridian-energy", "harbourview-residential", "civic-operations")) {
            Api.Answer set = Api.putJson("/privacy/budgets/" + enterprise + "/budget-check",
                    "{\"epsilon\": " + budget + ", \"delta\": 1e-5, \"source\": \"integration test\"}");
            assertThat(set.status()).as(set.text()).isEqualTo(200);
        }
        Api.Answer bad = Api.putJson("/privacy/budgets/civic-operations/budget-check", "{\"epsilon\": -1}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("error").asText()).contains("privacy budget epsilon must be a positive number, was -1.0");

        String plan = "{\"rounds\": 2, \"privacy\": {\"clipNorm\": 1.0, \"noiseMultiplier\": " + perRound + ", \"dataset\": \"budget-check\"}}";
        JsonNode first = Api.awaitFinished(Api.startFederation(plan).json().path("id").asLong(), Duration.ofMinutes(2));
        assertThat(first.path("status").asText()).isEqualTo("COMPLETED");
        // The second federation on the same dataset gets one round; the next would pass the budget and never opens
        JsonNode second = Api.awaitFinished(Api.startFederation(plan).json().path("id").asLong(), Duration.ofMinutes(2));
        assertThat(second.path("status").asText()).isEqualTo("STOPPED");
        assertThat(second.path("rounds")).hasSize(1);
        assertThat(second.path("failureReason").asText()).contains("round 2 was not opened").contains("dataset 'budget-check'")
                .contains(String.format(java.util.Locale.ROOT, "from %.4f to", afterThree)).contains("past its budget of " + budget);
        // A third is refused before its first round opens, with nothing stored
        int federations = Api.get("/federations").json().size();
        Api.Answer third = Api.startFederation(plan);
        assertThat(third.status()).isEqualTo(400);
        assertThat(third.json().path("error").asText()).startsWith("privacy budget: round 1 of federation")
                .contains("dataset 'budget-check' of enterprise 'civic-operations'");
        assertThat(Api.get("/federations").json().size()).isEqualTo(federations);

        JsonNode ledger = budget("meridian-energy", "budget-check");
        assertThat(ledger.path("spends")).hasSize(3);
        assertThat(ledger.path("spent").asDouble()).isCloseTo(afterThree, within(1e-6)).isLessThanOrEqualTo(budget);
        assertThat(ledger.path("source").asText()).isEqualTo("integration test");
    }

    private static JsonNode budget(String enterprise, String dataset) {
        for (JsonNode b : Api.get("/privacy/budgets").json()) {
            if (b.path("enterprise").asText().equals(enterprise) && b.path("dataset").asText().equals(dataset)) {
                return b;
            }
        }
        throw new AssertionError("no privacy ledger for " + enterprise + " / " + dataset);
    }
}
