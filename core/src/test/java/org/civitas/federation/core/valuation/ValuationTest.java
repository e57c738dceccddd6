package org.civitas.federation.core.valuation;

import org.civitas.federation.core.data.SyntheticFeatureData;
import org.civitas.federation.core.model.LabeledFeatures;
import org.civitas.federation.core.model.SoftmaxRegression;
import org.civitas.federation.core.model.TrainingConfig;
import org.civitas.federation.core.model.TrainingResult;
import org.civitas.federation.core.tensor.NamedTensors;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ValuationTest {

    /** A hand-computable game on three sites. */
    private static final Map<Set<String>, Double> GAME = Map.of(
            Set.of(), 0.0, Set.of("a"), 1.0, Set.of("b"), 2.0, Set.of("c"), 0.0,
            Set.of("a", "b"), 4.0, Set.of("a", "c"), 1.0, Set.of("b", "c"), 2.0, Set.of("a", "b", "c"), 5.0);

    @Test
    void aCoalitionWhoseSubModelOverflowsGetsTheBrokenScoreAndTheValuationGoesOn() {
        NamedTensors global = NamedTensors.builder().put("w", new org.civitas.federation.core.tensor.Tensor(new int[] {2}, new float[] {3e38f, 1})).build();
        NamedTensors push = NamedTensors.builder().put("w", new org.civitas.federation.core.tensor.Tensor(new int[] {2}, new float[] {3e38f, 0})).build();
        NamedTensors fine = NamedTensors.builder().put("w", new org.civitas.federation.core.tensor.Tensor(new int[] {2}, new float[] {0, 1})).build();
        // the score: minus the second coordinate's distance from 2; "fine" alone reaches it
        CoalitionUtility utility = new SubModelUtility(global, java.util.Map.of("hostile", new SubModelUtility.SiteUpdate(push, 1),
                "honest", new SubModelUtility.SiteUpdate(fine, 1)), state -> -Math.abs(state.get("w").values()[1] - 2), -5);

        assertThat(utility.of(java.util.Set.of("hostile"))).isEqualTo(-5);
        assertThat(utility.of(java.util.Set.of("honest"))).isEqualTo(0);
        java.util.Map<String, Double> values = ExactShapley.values(List.of("hostile", "honest"), utility);
        assertThat(values.values()).allSatisfy(v -> assertThat(v).isFinite());
        assertThat(values.get("hostile")).isLessThan(0);
        assertThat(values.get("honest")).isGreaterThan(0);
    }

    @Test
    void exactShapleyOfAHandComputedGame() {
        // a: 1/3*1 + 1/6*(4-2) + 1/6*(1-0) + 1/3*(5-2) = 11/6; b: 1/3*2 + 1/6*3 + 1/6*2 + 1/3*4 = 17/6; c: 1/3*(5-4) = 1/3
        Map<String, Double> v = ExactShapley.values(List.of("a", "b", "c"), GAME::get);
        assertThat(v.get("a")).isCloseTo(11 / 6.0, within(1e-12));
        assertThat(v.get("b")).isCloseTo(17 / 6.0, within(1e-12));
        assertThat(v.get("c")).isCloseTo(1 / 3.0, within(1e-12));
        assertThat(v.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(5.0, within(1e-12));
    }

    @Test
    void leaveOneOutOfTheSameGame() {
        assertThat(LeaveOneOut.values(List.of("a", "b", "c"), GAME::get)).containsExactly(
                Map.entry("a", 3.0), Map.entry("b", 4.0), Map.entry("c", 1.0));
    }

    @Test
    void anAdditiveGameGivesEverySiteItsOwnWeight() {
        Map<String, Double> weight = Map.of("a", 0.5, "b", 2.0, "c", -1.0, "d", 3.0);
        CoalitionUtility additive = s -> s.stream().mapToDouble(weight::get).sum();
        Map<String, Double> exact = ExactShapley.values(List.of("a", "b", "c", "d"), additive);
        GtgShapley.Result gtg = new GtgShapley(0, 0, 100, 1e-9, 1).values(List.of("a", "b", "c", "d"), additive);
        weight.forEach((site, w) -> {
            assertThat(exact.get(site)).isCloseTo(w, within(1e-12));
            assertThat(gtg.values().get(site)).isCloseTo(w, within(1e-12));
        });
    }

    /** One federated round of softmax regression over sites with their own class mixes. */
    private static final class Round {
        final SoftmaxRegression model = new SoftmaxRegression(16, 5);
        final NamedTensors global = model.initialState();
        final LabeledFeatures validation = SyntheticFeatureData.generate(16, new double[] {1, 1, 1, 1, 1}, 600, 77);
        final Map<String, SubModelUtility.SiteUpdate> updates = new LinkedHashMap<>();

        void site(String name, LabeledFeatures data) {
            TrainingResult r = model.train(global, data, new TrainingConfig(2, 0.1, 32, name.hashCode()));
            updates.put(name, new SubModelUtility.SiteUpdate(r.delta(), r.sampleCount()));
        }

        void freeRider(String name, long claimedSamples) {
            updates.put(name, new SubModelUtility.SiteUpdate(global.plusScaled(global, -1f), claimedSamples));
        }

        CoalitionUtility utility() {
            return new SubModelUtility(global, updates, state -> -model.meanLoss(state, validation), -10).memoized();
        }

        List<String> sites() {
            return List.copyOf(updates.keySet());
        }
    }

    private static LabeledFeatures data(double[] mix, int samples, long seed) {
        return SyntheticFeatureData.generate(16, mix, samples, seed);
    }

    @Test
    void gtgShapleyStaysCloseToExactOnAFederatedRound() {
        Round round = new Round();
        round.site("energy", data(new double[] {5, 3, 1, 0.5, 0.5}, 300, 1));
        round.site("community", data(new double[] {0.5, 1, 5, 3, 0.5}, 200, 2));
        round.site("urban", data(new double[] {1, 0.5, 0.5, 2, 5}, 400, 3));
        round.site("small", data(new double[] {1, 1, 1, 1, 1}, 40, 4));
        CoalitionUtility u = round.utility();

        Map<String, Double> exact = ExactShapley.values(round.sites(), u);
        GtgShapley.Result gtg = new GtgShapley(1e-4, 1e-6, 400, 0.005, 7).values(round.sites(), u);

        double total = exact.values().stream().mapToDouble(Math::abs).sum();
        exact.forEach((site, v) -> assertThat(gtg.values().get(site)).as("%s: gtg %s exact %s", site, gtg.values(), exact)
                .isCloseTo(v, within(0.05 * total)));
        assertThat(gtg.permutations()).isLessThanOrEqualTo(400);
    }

    @Test
    void aSiteThatSendsTheGlobalModelBackGainsNothing() {
        Round round = new Round();
        round.site("energy", data(new double[] {5, 3, 1, 0.5, 0.5}, 300, 1));
        round.site("community", data(new double[] {0.5, 1, 5, 3, 0.5}, 200, 2));
        round.site("urban", data(new double[] {1, 0.5, 0.5, 2, 5}, 400, 3));
        round.freeRider("rider", 300);

        Map<String, Double> v = ExactShapley.values(round.sites(), round.utility());

        double honestMean = (v.get("energy") + v.get("community") + v.get("urban")) / 3;
        // Its zero update, weighted by its claimed samples, only dilutes the others' step: no positive value.
        assertThat(v.get("rider")).as(v.toString()).isLessThan(0.05 * honestMean);
    }

    @Test
    void freeRidersAreFlaggedWithTheirEvidenceAndHonestSitesAreNot() {
        Round round = new Round();
        round.site("energy", data(new double[] {5, 3, 1, 0.5, 0.5}, 300, 1));
        round.site("community", data(new double[] {0.5, 1, 5, 3, 0.5}, 200, 2));
        round.site("urban", data(new double[] {1, 0.5, 0.5, 2, 5}, 400, 3));
        round.freeRider("rider", 300);
        NamedTensors honest = round.updates.get("energy").update();
        NamedTensors noise = honest.plusScaled(honest, -1f);
        java.util.Random random = new java.util.Random(5);
        noise.forEach((name, t) -> {
            for (int i = 0; i < t.values().length; i++) {
                t.values()[i] = (float) (random.nextGaussian() * 0.05);
            }
        });
        round.updates.put("noisy", new SubModelUtility.SiteUpdate(noise, 300));
        Map<String, Double> values = ExactShapley.values(round.sites(), round.utility());

        Map<String, String> evidence = FreeRiderCheck.evidence(round.updates, values);

        assertThat(evidence).containsOnlyKeys("rider", "noisy");
        assertThat(evidence.get("rider")).startsWith("sent the global model back unchanged: update norm 0");
        assertThat(evidence.get("noisy")).startsWith("looks like noise: cosine");
    }

    @Test
    void aSiteWithAnotherSitesDataSharesRatherThanDoublesItsValue() {
        LabeledFeatures energyData = data(new double[] {5, 3, 1, 0.5, 0.5}, 300, 1);
        Round alone = new Round();
        alone.site("energy", energyData);
        alone.site("urban", data(new double[] {1, 0.5, 0.5, 2, 5}, 400, 3));
        Round copied = new Round();
        copied.site("energy", energyData);
        copied.site("urban", data(new double[] {1, 0.5, 0.5, 2, 5}, 400, 3));
        copied.site("copycat", energyData);

        double energyAlone = ExactShapley.values(alone.sites(), alone.utility()).get("energy");
        Map<String, Double> withCopy = ExactShapley.values(copied.sites(), copied.utility());

        // Observed: the two holders of the same data split roughly what one of them was worth.
        assertThat(withCopy.get("energy") + withCopy.get("copycat")).as(withCopy.toString()).isLessThan(1.2 * energyAlone);
        assertThat(withCopy.get("copycat")).isCloseTo(withCopy.get("energy"), within(0.2 * energyAlone));
    }
}
