package org.civitas.domain.federation;

import org.civitas.domain.consortium.Enterprise;
import org.civitas.domain.consortium.Site;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FederationPlanTest {

    private final Enterprise enterprise = new Enterprise("meridian-energy", "Meridian Energy", "energy");
    private final Site energy = new Site("energy", "Energy", enterprise, "token-of-energy-site");
    private final Site urban = new Site("urban", "Urban", enterprise, "token-of-urban-site!");

    private FederationPlan.Spec spec(List<Site> sites, double learningRate) {
        return FederationPlan.Spec.of("demo", "softmax-regression", 16, 5, "fedavg", 5, 2, learningRate, 32, sites.size(),
                Duration.ofMinutes(5), sites);
    }

    private FederationPlan plan(List<Site> sites, double learningRate) {
        return new FederationPlan(spec(sites, learningRate));
    }

    @Test
    void hashIsStableAndIndependentOfSiteOrder() {
        FederationPlan a = plan(List.of(energy, urban), 0.1);
        FederationPlan b = plan(List.of(urban, energy), 0.1);

        assertThat(a.getPlanSha256()).isEqualTo(b.getPlanSha256()).hasSize(64);
        assertThat(a.getCanonicalJson()).isEqualTo("{\"batchSize\":32,\"classCount\":5,\"featureCount\":16,"
                + "\"learningRate\":0.1,\"localEpochs\":2,\"minSites\":2,\"model\":\"softmax-regression\",\"name\":\"demo\","
                + "\"roundTimeoutSeconds\":300,\"rounds\":5,\"sites\":[\"energy\",\"urban\"],\"strategy\":\"fedavg\"}");
        assertThat(plan(List.of(energy, urban), 0.2).getPlanSha256()).isNotEqualTo(a.getPlanSha256());
    }

    @Test
    void aFixedSeedEntersTheHashAndAPlanWithoutOneKeepsItsHash() {
        FederationPlan without = plan(List.of(energy, urban), 0.1);
        FederationPlan seeded = new FederationPlan(spec(List.of(energy, urban), 0.1).withSeed(42L));
        FederationPlan otherSeed = new FederationPlan(spec(List.of(energy, urban), 0.1).withSeed(43L));

        assertThat(new FederationPlan(spec(List.of(energy, urban), 0.1).withSeed(null)).getPlanSha256()).isEqualTo(without.getPlanSha256());
        assertThat(seeded.getCanonicalJson()).contains("\"rounds\":5,\"seed\":42,\"sites\"");
        assertThat(seeded.getPlanSha256()).isNotEqualTo(without.getPlanSha256()).isNotEqualTo(otherSeed.getPlanSha256());
        assertThat(seeded.getSeed()).isEqualTo(42L);
        assertThat(without.getSeed()).isNull();
    }

    @Test
    void strategyParametersFiltersAndQuorumEnterTheHashInCanonicalForm() {
        FederationPlan plan = new FederationPlan(FederationPlan.Spec.of("demo", "softmax-regression", 16, 5, "fedadam",
                java.util.Map.of("eta", 0.05, "beta1", 0.9), java.util.Map.of("maxNorm", 10.0), 1, 5, 2, 0.1, 32, 1,
                Duration.ofMinutes(5), List.of(urban, energy)));

        assertThat(plan.getCanonicalJson()).contains("\"filters\":{\"maxNorm\":10},\"learningRate\"")
                .contains("\"quorum\":1,\"roundTimeoutSeconds\"")
                .endsWith("\"strategy\":\"fedadam\",\"strategyParams\":{\"beta1\":0.9,\"eta\":0.05}}");
        assertThat(plan.getStrategyParams()).containsExactly(java.util.Map.entry("beta1", 0.9), java.util.Map.entry("eta", 0.05));
        assertThat(plan.getFilters()).containsEntry("maxNorm", 10.0);
        assertThat(plan.getQuorum()).isEqualTo(1);
        assertThat(plan(List.of(energy, urban), 0.1).getQuorum()).isEqualTo(2);
        assertThatThrownBy(() -> new FederationPlan(FederationPlan.Spec.of("demo", "softmax-regression", 16, 5, "fedavg", java.util.Map.of(),
                java.util.Map.of(), 3, 5, 2, 0.1, 32, 1, Duration.ofMinutes(5), List.of(urban, energy))))
                .hasMessageContaining("quorum must be in [1, 2] for 2 sites, was 3");
    }

    @Test
    void hashesOverRfc8785AndKeepsTheLegacyHashForOlderAgreements() {
        FederationPlan plan = new FederationPlan(FederationPlan.Spec.of("demo", "softmax-regression", 16, 5, "fedadam",
                java.util.Map.of("eta", 0.05, "beta1", 0.9), java.util.Map.of("maxNorm", 10.0), 1, 5, 2, 0.1, 32, 1,
                Duration.ofMinutes(5), List.of(urban, energy)));
        assertThat(plan.getCanonicalForm()).isEqualTo(CanonicalJson.RFC_8785);
        assertThat(plan.getPlanSha256()).isEqualTo(CanonicalJson.sha256(plan.getCanonicalJson()));
        // the text hashed until 2026-12, by hand: numbers as Java printed them
        String legacy = "{\"batchSize\":32,\"classCount\":5,\"featureCount\":16,\"filters\":{\"maxNorm\":10.0},\"learningRate\":0.1,"
                + "\"localEpochs\":2,\"minSites\":1,\"model\":\"softmax-regression\",\"name\":\"demo\",\"quorum\":1,"
                + "\"roundTimeoutSeconds\":300,\"rounds\":5,\"sites\":[\"energy\",\"urban\"],\"strategy\":\"fedadam\","
                + "\"strategyParams\":{\"beta1\":0.9,\"eta\":0.05}}";
        assertThat(plan.sha256In(CanonicalJson.LEGACY)).isEqualTo(CanonicalJson.sha256(legacy)).isNotEqualTo(plan.getPlanSha256());
        assertThat(plan.sha256In(CanonicalJson.RFC_8785)).isEqualTo(plan.getPlanSha256());
    }

    @Test
    void aControlCharacterInANameStillGivesValidCanonicalJson() {
        FederationPlan bell = new FederationPlan(FederationPlan.Spec.of("demo\u0007", "softmax-regression", 16, 5, "fedavg", 5, 2, 0.1, 32, 1,
                Duration.ofMinutes(5), List.of(energy)));
        assertThat(bell.getCanonicalJson()).contains("\"name\":\"demo\\u0007\"");
        assertThat(CanonicalJson.of(bell.getCanonicalJson())).isEqualTo(bell.getCanonicalJson());
        FederationPlan plain = new FederationPlan(FederationPlan.Spec.of("demo", "softmax-regression", 16, 5, "fedavg", 5, 2, 0.1, 32, 1,
                Duration.ofMinutes(5), List.of(energy)));
        assertThat(bell.getPlanSha256()).isNotEqualTo(plain.getPlanSha256());
    }

    @Test
    void listsEveryProblemOfAnInvalidPlan() {
        assertThatThrownBy(() -> new FederationPlan(FederationPlan.Spec.of(" ", "gpt", 16, 1, " ", 0, 0, -1, 0, 3,
                Duration.ZERO, List.of(energy, energy))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name must not be blank")
                .hasMessageContaining("model 'gpt' is not known")
                .hasMessageContaining("classCount must be in [2, 1000], was 1")
                .hasMessageContaining("strategy must not be blank")
                .hasMessageContaining("rounds must be in [1, 1000], was 0")
                .hasMessageContaining("learningRate must be in (0, 10], was -1.0")
                .hasMessageContaining("sites must not repeat")
                .hasMessageContaining("minSites must be in [1, 2] for 2 sites, was 3")
                .hasMessageContaining("roundTimeoutSeconds");
    }

    @Test
    void siteTokensAreCheckedAgainstTheirHashOnly() {
        assertThat(energy.acceptsToken("token-of-energy-site")).isTrue();
        assertThat(energy.acceptsToken("token-of-urban-site!")).isFalse();
        assertThat(energy.acceptsToken(null)).isFalse();
        energy.rotateToken("a-brand-new-token-0001");
        assertThat(energy.acceptsToken("token-of-energy-site")).isFalse();
        assertThat(energy.acceptsToken("a-brand-new-token-0001")).isTrue();
        assertThatThrownBy(() -> new Site("Bad Code", "x", enterprise, "token-of-energy-site"))
                .hasMessageContaining("site code 'Bad Code' must be");
    }

    @Test
    void secureAggregationNeedsThreeSitesAStrictMajorityThresholdAndEntersTheHash() {
        Site community = new Site("community", "Community", enterprise, "token-of-community-site");
        List<Site> three = List.of(energy, urban, community);
        FederationPlan.Spec spec = FederationPlan.Spec.of("demo", "softmax-regression", 16, 5, "fedavg", 5, 2, 0.1, 32, 2,
                Duration.ofMinutes(5), three);
        String before = new FederationPlan(spec).getPlanSha256();
        FederationPlan secure = new FederationPlan(spec.withSecureAggregation(new SecureAggregationTerms(2, 16)));
        assertThat(secure.getCanonicalJson()).contains("\"secureAggregation\":{\"fractionBits\":16,\"threshold\":2}");
        assertThat(secure.getPlanSha256()).isNotEqualTo(before);
        assertThat(secure.isSecureAggregation()).isTrue();
        assertThat(new FederationPlan(spec).isSecureAggregation()).isFalse();

        assertThatThrownBy(() -> new FederationPlan(spec(List.of(energy, urban), 0.1).withSecureAggregation(new SecureAggregationTerms(2, 16))))
                .hasMessageContaining("secure aggregation needs at least 3 sites, the plan has 2");
        assertThatThrownBy(() -> new FederationPlan(FederationPlan.Spec.of("demo", "softmax-regression", 16, 5, "fedavg", 5, 2, 0.1, 32, 3,
                Duration.ofMinutes(5), three).withSecureAggregation(new SecureAggregationTerms(1, 16))))
                .hasMessageContaining("secureAggregation threshold must be in [2, 3] for 3 sites (a strict majority), was 1");
        assertThatThrownBy(() -> new FederationPlan(FederationPlan.Spec.of("demo", "softmax-regression", 16, 5, "fedavg", 5, 2, 0.1, 32, 3,
                Duration.ofMinutes(5), three).withSecureAggregation(new SecureAggregationTerms(2, 30))))
                .hasMessageContaining("secureAggregation fractionBits must be in [8, 24], was 30");
        assertThatThrownBy(() -> new FederationPlan(FederationPlan.Spec.of("demo", "softmax-regression", 16, 5, "fedavg", 5, 2, 0.1, 32, 1,
                Duration.ofMinutes(5), three).withSecureAggregation(new SecureAggregationTerms(3, 16))))
                .hasMessageContaining("secureAggregation threshold 3 exceeds minSites 1");
    }

    @Test
    void aDifferentiallyPrivatePlanNamesTheDatasetItsBudgetIsChargedTo() {
        FederationPlan plan = new FederationPlan(spec(List.of(energy, urban), 0.1)
                .withPrivacy(new PrivacyTerms(1.0, 0.5, 1e-5, "incident-features")));
        assertThat(plan.getCanonicalJson()).contains("\"privacy\":{\"clipNorm\":1,\"dataset\":\"incident-features\",\"delta\":0.00001");
        assertThat(plan.isDifferentiallyPrivate()).isTrue();
        assertThat(plan.getDpDataset()).isEqualTo("incident-features");
        assertThat(plan(List.of(energy, urban), 0.1).isDifferentiallyPrivate()).isFalse();
        assertThatThrownBy(() -> new FederationPlan(spec(List.of(energy, urban), 0.1).withPrivacy(new PrivacyTerms(1.0, 0.5, 1e-5, "Bad Name!"))))
                .hasMessageContaining("privacy dataset");
    }

    @Test
    void theBaseSettingsAreNamedBeforeTheTermsAndTheFirstWrongTermIsNamed() {
        FederationPlan.Spec wrong = FederationPlan.Spec.of("demo", "softmax-regression", 16, 5, "fedavg", 0, 2, 0.1, 32, 2,
                        Duration.ofMinutes(5), List.of(energy, urban))
                .withIncentives(new IncentiveTerms(new java.math.BigDecimal("-1"), null, null))
                .withPrivacy(new PrivacyTerms(-1, 0.5, 1e-5, null));
        assertThatThrownBy(() -> new FederationPlan(wrong)).hasMessageContaining("rounds must be in [1, 1000], was 0")
                .hasMessageNotContaining("rewardPerRound");
        FederationPlan.Spec terms = FederationPlan.Spec.of("demo", "softmax-regression", 16, 5, "fedavg", 5, 2, 0.1, 32, 2,
                        Duration.ofMinutes(5), List.of(energy, urban))
                .withIncentives(new IncentiveTerms(new java.math.BigDecimal("-1"), null, null))
                .withPrivacy(new PrivacyTerms(-1, 0.5, 1e-5, null));
        assertThatThrownBy(() -> new FederationPlan(terms)).hasMessageContaining("rewardPerRound must be in [0, 1e9]")
                .hasMessageNotContaining("clipNorm");
    }

    private static final String HASH_A = "a".repeat(64);
    private static final String HASH_B = "b".repeat(64);

    @Test
    void aTaskAndEachSitesDatasetVersionEnterTheHash() {
        FederationPlan.TaskBinding binding = new FederationPlan.TaskBinding("mail-filter", 2, java.util.Map.of(
                "urban", new FederationPlan.DatasetPin("mail", HASH_A), "energy", new FederationPlan.DatasetPin("inbox", HASH_B)));
        FederationPlan plan = new FederationPlan(spec(List.of(energy, urban), 0.1).withTask(binding));

        assertThat(plan.getCanonicalJson()).contains("\"datasets\":{\"energy\":{\"name\":\"inbox\",\"sha256\":\"" + HASH_B
                + "\"},\"urban\":{\"name\":\"mail\",\"sha256\":\"" + HASH_A + "\"}}")
                .contains("\"task\":{\"name\":\"mail-filter\",\"version\":2}");
        assertThat(plan.getTaskName()).isEqualTo("mail-filter");
        assertThat(plan.getTrainingDatasets()).containsEntry("urban", new FederationPlan.DatasetPin("mail", HASH_A));
        // another version of one site's dataset is another plan
        FederationPlan other = new FederationPlan(spec(List.of(energy, urban), 0.1).withTask(new FederationPlan.TaskBinding("mail-filter", 2,
                java.util.Map.of("urban", new FederationPlan.DatasetPin("mail", HASH_B), "energy", new FederationPlan.DatasetPin("inbox", HASH_B)))));
        assertThat(other.getPlanSha256()).isNotEqualTo(plan.getPlanSha256());
        assertThat(plan(List.of(energy, urban), 0.1).getCanonicalJson()).doesNotContain("datasets").doesNotContain("task");
    }

    @Test
    void aTaskPlanNeedsOneDatasetVersionForEverySite() {
        assertThatThrownBy(() -> new FederationPlan(spec(List.of(energy, urban), 0.1).withTask(new FederationPlan.TaskBinding("t", 1,
                java.util.Map.of("urban", new FederationPlan.DatasetPin("mail", HASH_A))))))
                .hasMessage("invalid federation plan: datasets must name one dataset for each site [energy, urban], named [urban]");
        assertThatThrownBy(() -> new FederationPlan(spec(List.of(energy), 0.1).withTask(new FederationPlan.TaskBinding("t", 1,
                java.util.Map.of("energy", new FederationPlan.DatasetPin("mail", "not-a-hash"))))))
                .hasMessage("invalid federation plan: datasets.energy needs a name and a sha256 of 64 hex digits");
    }
}
