package org.civitas.federation.coordinator;

import org.civitas.domain.consortium.Enterprise;
import org.civitas.domain.consortium.Site;
import org.civitas.domain.federation.FederationPlan;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The plan-building rules, without a server: defaults, and what the plan's parts ask of each other. */
class PlanPolicyTest {

    private final Enterprise enterprise = new Enterprise("meridian-energy", "Meridian Energy", "energy");
    private final List<Site> three = List.of(new Site("energy", "Energy", enterprise, "token-of-energy-site"),
            new Site("urban", "Urban", enterprise, "token-of-urban-site!"),
            new Site("community", "Community", enterprise, "token-of-community-site"));

    private static PlanRequest request(String model, String strategy, Integer quorum, Integer minSites, PlanRequest.Privacy privacy,
                                       PlanRequest.Incentives incentives, PlanRequest.SecureAggregation secure) {
        return new PlanRequest("test", null, model, strategy, null, null, quorum, null, null, null, null, minSites, null, privacy,
                incentives, secure, null, null, null, null, null, null);
    }

    @Test
    void anEmptyRequestTakesTheDefaultsAndAValuablePlanGetsTheDefaultReward() {
        FederationPlan plan = PlanPolicy.plan(PlanRequest.defaults(), three);

        assertThat(plan.getName()).isEqualTo("Feature model softmax-regression");
        assertThat(plan.getStrategy()).isEqualTo("fedavg");
        assertThat(plan.getRounds()).isEqualTo(5);
        assertThat(plan.getLocalEpochs()).isEqualTo(2);
        assertThat(plan.getMinSites()).isEqualTo(3);
        assertThat(plan.getRewardPerRound()).isEqualByComparingTo(BigDecimal.valueOf(PlanRequest.DEFAULT_REWARD_PER_ROUND));
        assertThat(plan.getParticipationShare()).isEqualTo(PlanRequest.DEFAULT_PARTICIPATION_SHARE);
        assertThat(plan.isSecureAggregation()).isFalse();
        assertThat(plan.isDifferentiallyPrivate()).isFalse();
        assertThat(PlanPolicy.plan(PlanRequest.defaults(), three).getPlanSha256()).as("the same request, the same plan")
                .isEqualTo(plan.getPlanSha256());
    }

    @Test
    void theMultimodalModelTrainsARegisteredTasksBoundManifestWithItsOwnDefaultsAndNeedsOne() {
        org.civitas.federation.core.model.manifest.ModelManifest bound =
                org.civitas.federation.core.model.manifest.ModelManifest.citySafetyDefault();
        Map<String, FederationPlan.DatasetPin> pins = Map.of("energy", new FederationPlan.DatasetPin("incidents", "a".repeat(64)),
                "urban", new FederationPlan.DatasetPin("incidents", "b".repeat(64)),
                "community", new FederationPlan.DatasetPin("incidents", "c".repeat(64)));
        java.util.Set<String> both = java.util.Set.of("image", "text");
        PlanPolicy.TaskModel task = new PlanPolicy.TaskModel("incidents", 2, bound, pins, null,
                Map.of("energy", both, "urban", both, "community", both));
        FederationPlan plan = PlanPolicy.plan(request(null, null, null, null, null, null, null), three, task);

        assertThat(plan.getModelKind()).isEqualTo("multimodal-lora");
        assertThat(plan.getModelManifestSha256()).isEqualTo(bound.sha256());
        assertThat(plan.getCanonicalJson()).contains("\"modelManifest\":\"" + plan.getModelManifestSha256() + "\"")
                .contains("\"task\":{\"name\":\"incidents\",\"version\":2}");
        assertThat(plan.getLocalEpochs()).isEqualTo(5);
        assertThat(plan.getLearningRate()).isEqualTo(0.01);
        assertThat(PlanPolicy.plan(request(null, "lora-stacking", null, null, null, null, null), three, task).getStrategy())
                .as("LoRA stacking: each site trains at its own rank").isEqualTo("lora-stacking");
        assertThat(PlanPolicy.plan(request(null, "ffa-lora", null, null, null, null, null), three, task).getStrategy())
                .as("FFA-LoRA: the worker keeps every A frozen").isEqualTo("ffa-lora");
        assertThatThrownBy(() -> PlanPolicy.plan(request("multimodal-lora", null, null, null, null, null, null), three))
                .hasMessageStartingWith("task: multimodal-lora trains a registered task's model on each site's dataset of that task");
    }

    @Test
    void sitesWhoseDataDifferInModalitiesFederateWithTheModalityAwareRuleAndNoOther() {
        org.civitas.federation.core.model.manifest.ModelManifest twoTowers =
                org.civitas.federation.core.model.manifest.ModelManifest.citySafetyDefault();
        Map<String, FederationPlan.DatasetPin> pins = Map.of("energy", new FederationPlan.DatasetPin("reports", "a".repeat(64)),
                "urban", new FederationPlan.DatasetPin("photos", "b".repeat(64)),
                "community", new FederationPlan.DatasetPin("both", "c".repeat(64)));
        PlanPolicy.TaskModel mixed = new PlanPolicy.TaskModel("incidents", 1, twoTowers, pins, null,
                Map.of("energy", java.util.Set.of("text"), "urban", java.util.Set.of("image"), "community", java.util.Set.of("text", "image")));
        PlanPolicy.TaskModel alike = new PlanPolicy.TaskModel("incidents", 1, twoTowers, pins, null,
                Map.of("energy", java.util.Set.of("text"), "urban", java.util.Set.of("text"), "community", java.util.Set.of("text")));

        assertThat(mixed.sitesMissingModalities()).isEqualTo(Map.of("energy", java.util.Set.of("image"), "urban", java.util.Set.of("text")));
        assertThat(PlanPolicy.plan(request(null, null, null, null, null, null, null), three, mixed).getStrategy())
                .as("the default rule for sites of different modalities").isEqualTo("modality-aware");
        assertThat(PlanPolicy.plan(request(null, null, null, null, null, null, null), three, alike).getStrategy())
                .as("sites alike keep FedAvg, even when none of them has images").isEqualTo("fedavg");
        assertThatThrownBy(() -> PlanPolicy.plan(request(null, "fedavg", null, null, null, null, null), three, mixed))
                .hasMessageContaining("strategy: the pinned datasets differ in modalities (site energy has no image, site urban has no text)")
                .hasMessageContaining("not with 'fedavg'");
    }

    @Test
    void securePrivatePlansCloseRoundsAtTheThresholdAndRefuseWhatNeedsSingleUpdates() {
        FederationPlan plan = PlanPolicy.plan(request(null, null, null, null, new PlanRequest.Privacy(1.0, 0.5, 1e-5, null), null,
                new PlanRequest.SecureAggregation(null, null)), three);

        assertThat(plan.getSecaggThreshold()).isEqualTo(2);
        assertThat(plan.getMinSites()).as("a round may lose one site of three").isEqualTo(2);
        assertThat(plan.getSecaggFractionBits()).isEqualTo(PlanRequest.DEFAULT_FRACTION_BITS);
        assertThat(plan.getDpDataset()).isEqualTo("incident-features");
        assertThat(plan.getRewardPerRound()).as("no contribution values under secure aggregation").isNull();

        PlanRequest.SecureAggregation secure = new PlanRequest.SecureAggregation(null, null);
        assertThatThrownBy(() -> PlanPolicy.plan(request(null, "median", null, null, null, null, secure), three))
                .hasMessageContaining("secure aggregation reveals only the sum of the updates; rule median needs individual updates");
        assertThatThrownBy(() -> PlanPolicy.plan(request(null, null, 2, null, null, null, secure), three))
                .hasMessageContaining("a quorum cannot apply");
        assertThatThrownBy(() -> PlanPolicy.plan(request(null, null, null, null, null,
                new PlanRequest.Incentives(BigDecimal.TEN, null, null), secure), three))
                .hasMessageContaining("incentives need each site's contribution");
        assertThatThrownBy(() -> PlanPolicy.plan(request(null, "krum", null, null, new PlanRequest.Privacy(1.0, 0.5, null, null), null,
                null), three)).hasMessageContaining("differential privacy needs a mean-based rule");
    }

    @Test
    void aRuleThatNeedsMoreUpdatesThanARoundMayCloseWithIsRefusedAndBadBaseSettingsComeFirst() {
        assertThatThrownBy(() -> PlanPolicy.plan(request(null, "krum", null, 2, null, null, null), three))
                .hasMessageContaining("strategy krum needs at least 3 updates per round, but this plan may close a round with 2");
        PlanRequest badRoundsAndSecure = new PlanRequest("test", null, null, "median", null, null, null, 0, null, null, null, null,
                null, null, null, new PlanRequest.SecureAggregation(null, null), null, null, null, null, null, null);
        assertThatThrownBy(() -> PlanPolicy.plan(badRoundsAndSecure, three)).hasMessageContaining("rounds must be in [1, 1000], was 0")
                .hasMessageNotContaining("secure aggregation");
        assertThat(PlanPolicy.plan(request(null, null, null, null, null, null, null), three).getCanonicalJson())
                .doesNotContain("secureAggregation").doesNotContain("privacy");
        assertThat(Map.of("threshold", PlanPolicy.secureThreshold(new PlanRequest.SecureAggregation(null, null), 5)))
                .containsEntry("threshold", 3);
    }
}
