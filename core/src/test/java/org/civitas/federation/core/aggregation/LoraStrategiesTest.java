package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;
import org.civitas.federation.core.tensor.TensorChecks;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** FFA-LoRA and FLoRA-style stacking on a 2x3 layer adapted at rank 2, with a bias beside it. */
class LoraStrategiesTest {

    private static Tensor t(int[] shape, float... v) {
        return new Tensor(shape, v);
    }

    private static NamedTensors lora(Tensor a, Tensor b, float bias) {
        return NamedTensors.builder().put("fc.lora_A", a).put("fc.lora_B", b).put("fc.bias", t(new int[] {1}, bias)).build();
    }

    private final NamedTensors global = lora(Tensor.zeros(2, 3), Tensor.zeros(2, 2), 1f);

    @Test
    void stackingIsExactlyTheWeightedSumOfTheSitesProducts() {
        // site 1, rank 1: B1 A1 = [1; 3] [1 0 2]; site 2, rank 1: B2 A2 = [2; 1] [0 1 0]; weights 1 and 3
        NamedTensors u1 = lora(t(new int[] {1, 3}, 1, 0, 2), t(new int[] {2, 1}, 1, 3), 2f);
        NamedTensors u2 = lora(t(new int[] {1, 3}, 0, 1, 0), t(new int[] {2, 1}, 2, 1), 6f);
        LoraStacking stacking = new LoraStacking();
        stacking.validateUpdate(global, u1);

        AggregateResult r = stacking.aggregateFit(RoundContext.first(), global,
                List.of(new FitResult("s1", 1, () -> u1), new FitResult("s2", 3, () -> u2)));

        // (1 x [[1,0,2],[3,0,6]] + 3 x [[0,2,0],[0,1,0]]) / 4
        double[] expected = {0.25, 1.5, 0.5, 0.75, 0.75, 1.5};
        assertThat(LoraStacking.product(r.global(), "fc")).containsExactly(expected, within(1e-5));
        assertThat(r.global().get("fc.lora_A").shape()).containsExactly(2, 3);
        assertThat(r.global().get("fc.lora_B").shape()).containsExactly(2, 2);
        // bias: 1 + (1 x 2 + 3 x 6) / 4
        assertThat(r.global().get("fc.bias").values()).containsExactly(6f);
    }

    @Test
    void sitesOfDifferentRanksStackIntoTheGlobalRank() {
        NamedTensors rank1 = lora(t(new int[] {1, 3}, 1, 0, 2), t(new int[] {2, 1}, 1, 3), 0f);
        NamedTensors rank2 = lora(t(new int[] {2, 3}, 1, 0, 2, 0, 1, 0), t(new int[] {2, 2}, 1, 0, 0, 1), 0f);

        AggregateResult r = new LoraStacking().aggregateFit(RoundContext.first(), global,
                List.of(new FitResult("small", 1, () -> rank1), new FitResult("large", 1, () -> rank2)));

        // ([[1,0,2],[3,0,6]] + [[1,0,2],[0,1,0]]) / 2: rank 2, so the re-projection is exact
        assertThat(LoraStacking.product(r.global(), "fc")).containsExactly(new double[] {1, 0, 2, 1.5, 0.5, 3}, within(1e-5));
    }

    @Test
    void stackingBuildsOnTheGlobalFactors() {
        // global B A = [1; 0] [1 1 1]; a rank-1 site adds 1 to B[1][0]: its product is [1; 1] [1 1 1]
        NamedTensors start = lora(t(new int[] {2, 3}, 1, 1, 1, 0, 0, 0), t(new int[] {2, 2}, 1, 0, 0, 0), 0f);
        NamedTensors update = lora(t(new int[] {1, 3}, 0, 0, 0), t(new int[] {2, 1}, 0, 1), 0f);
        AggregateResult r = new LoraStacking().aggregateFit(RoundContext.first(), start, List.of(new FitResult("s", 1, () -> update)));
        assertThat(LoraStacking.product(r.global(), "fc")).containsExactly(new double[] {1, 1, 1, 1, 1, 1}, within(1e-5));
    }

    @Test
    void refusesARankAboveTheGlobalRankOrMismatchedFactors() {
        LoraStacking stacking = new LoraStacking();
        NamedTensors tooHigh = lora(Tensor.zeros(3, 3), Tensor.zeros(2, 3), 0f);
        assertThatThrownBy(() -> stacking.validateUpdate(global, tooHigh))
                .isInstanceOf(TensorChecks.InvalidUpdateException.class)
                .hasMessageContaining("LoRA factors of 'fc' have shapes [3, 3] and [2, 3]; expected [r, 3] and [2, r] with 1 <= r <= 2");
        NamedTensors mismatched = lora(Tensor.zeros(1, 3), Tensor.zeros(2, 2), 0f);
        assertThatThrownBy(() -> stacking.validateUpdate(global, mismatched)).hasMessageContaining("LoRA factors of 'fc'");
    }

    @Test
    void ffaLoraKeepsAFrozenAndAveragesB() {
        NamedTensors a = NamedTensors.builder().put("fc.lora_A", t(new int[] {2, 3}, 1, 2, 3, 4, 5, 6))
                .put("fc.lora_B", Tensor.zeros(2, 2)).put("fc.bias", t(new int[] {1}, 0)).build();
        NamedTensors u1 = NamedTensors.builder().put("fc.lora_A", Tensor.zeros(2, 3))
                .put("fc.lora_B", t(new int[] {2, 2}, 1, 1, 1, 1)).put("fc.bias", t(new int[] {1}, 1)).build();
        NamedTensors u2 = NamedTensors.builder().put("fc.lora_A", Tensor.zeros(2, 3))
                .put("fc.lora_B", t(new int[] {2, 2}, 3, 3, 3, 3)).put("fc.bias", t(new int[] {1}, 3)).build();
        FfaLora ffa = new FfaLora();
        assertThatCode(() -> ffa.validateUpdate(a, u1)).doesNotThrowAnyException();

        AggregateResult r = ffa.aggregateFit(RoundContext.first(), a, List.of(new FitResult("x", 1, () -> u1), new FitResult("y", 1, () -> u2)));

        assertThat(r.global().get("fc.lora_A")).isEqualTo(a.get("fc.lora_A"));
        assertThat(r.global().get("fc.lora_B").values()).containsExactly(2, 2, 2, 2);
        NamedTensors movesA = NamedTensors.builder().put("fc.lora_A", t(new int[] {2, 3}, 0, 0, 0, 0, 0.5f, 0))
                .put("fc.lora_B", Tensor.zeros(2, 2)).put("fc.bias", t(new int[] {1}, 0)).build();
        assertThatThrownBy(() -> ffa.validateUpdate(a, movesA)).hasMessage("FFA-LoRA keeps 'fc.lora_A' frozen, but the update changes it");
    }

    @Test
    void ffaLoraKnowsTheAFactorsOfThePeftAndTheMultimodalNamings() {
        String peft = "text.encoder.layer.0.attention.self.query.lora_A.weight";
        NamedTensors global = NamedTensors.builder().put(peft, Tensor.zeros(1, 2)).put("fusion.lora_a", Tensor.zeros(1, 2)).build();
        FfaLora ffa = new FfaLora();

        assertThatThrownBy(() -> ffa.validateUpdate(global, NamedTensors.builder().put(peft, t(new int[] {1, 2}, 0, 1))
                .put("fusion.lora_a", Tensor.zeros(1, 2)).build())).hasMessageContaining("keeps '" + peft + "' frozen");
        assertThatThrownBy(() -> ffa.validateUpdate(global, NamedTensors.builder().put(peft, Tensor.zeros(1, 2))
                .put("fusion.lora_a", t(new int[] {1, 2}, 1, 0)).build())).hasMessageContaining("keeps 'fusion.lora_a' frozen");
        assertThat(LoraTensors.isA("text.encoder.layer.0.attention.self.query.lora_B.weight")).isFalse();
    }

    @Test
    void stackingFindsThePairsOfThePeftAndTheProjectionNamingsAtHeterogeneousRanks() {
        String q = "text.encoder.layer.0.attention.self.query";
        NamedTensors start = NamedTensors.builder().put(q + ".lora_A.weight", Tensor.zeros(2, 3)).put(q + ".lora_B.weight", Tensor.zeros(2, 2))
                .put("fusion.lora_a", Tensor.zeros(2, 3)).put("fusion.lora_b", Tensor.zeros(2, 2)).put("head.bias", t(new int[] {1}, 0f)).build();
        assertThat(LoraTensors.pairs(start)).extracting(LoraTensors.Pair::layer).containsExactly(q, "fusion");
        // A rank-1 site and a rank-2 site, in both namings.
        NamedTensors rank1 = NamedTensors.builder().put(q + ".lora_A.weight", t(new int[] {1, 3}, 1, 0, 2))
                .put(q + ".lora_B.weight", t(new int[] {2, 1}, 1, 3)).put("fusion.lora_a", t(new int[] {1, 3}, 1, 0, 2))
                .put("fusion.lora_b", t(new int[] {2, 1}, 1, 3)).put("head.bias", t(new int[] {1}, 2f)).build();
        NamedTensors rank2 = NamedTensors.builder().put(q + ".lora_A.weight", t(new int[] {2, 3}, 1, 0, 2, 0, 1, 0))
                .put(q + ".lora_B.weight", t(new int[] {2, 2}, 1, 0, 0, 1)).put("fusion.lora_a", t(new int[] {2, 3}, 1, 0, 2, 0, 1, 0))
                .put("fusion.lora_b", t(new int[] {2, 2}, 1, 0, 0, 1)).put("head.bias", t(new int[] {1}, 4f)).build();
        LoraStacking stacking = new LoraStacking();
        stacking.validateUpdate(start, rank1);

        AggregateResult r = stacking.aggregateFit(RoundContext.first(), start,
                List.of(new FitResult("small", 1, () -> rank1), new FitResult("large", 1, () -> rank2)));

        for (LoraTensors.Pair pair : LoraTensors.pairs(r.global())) {
            assertThat(LoraStacking.product(r.global(), pair)).as(pair.layer()).containsExactly(new double[] {1, 0, 2, 1.5, 0.5, 3}, within(1e-5));
        }
        assertThat(r.global().get("head.bias").values()).containsExactly(3f);
        NamedTensors.Builder tooHighBuilder = NamedTensors.builder();
        rank1.forEach((name, tensor) -> tooHighBuilder.put(name, "fusion.lora_a".equals(name) ? Tensor.zeros(3, 3) : tensor));
        NamedTensors tooHigh = tooHighBuilder.build();
        assertThatThrownBy(() -> stacking.validateUpdate(start, tooHigh)).hasMessageContaining("LoRA factors of 'fusion'");
    }

    @Test
    void aSiteOfLowerRankStartsWithItsHigherComponentsAtZeroAndSendsItsOwnRank() {
        NamedTensors state = NamedTensors.builder().put("fusion.lora_a", t(new int[] {3, 2}, 1, 2, 3, 4, 5, 6))
                .put("fusion.lora_b", t(new int[] {2, 3}, 1, 2, 3, 4, 5, 6)).put("head.bias", t(new int[] {1}, 7f)).build();

        NamedTensors atRank = LoraTensors.atRank(state, 1);
        assertThat(atRank.get("fusion.lora_a").values()).containsExactly(1, 2, 0, 0, 0, 0);
        assertThat(atRank.get("fusion.lora_b").values()).containsExactly(1, 0, 0, 4, 0, 0);
        assertThat(atRank.get("head.bias").values()).containsExactly(7f);

        NamedTensors sent = LoraTensors.toRank(state, 2);
        assertThat(sent.get("fusion.lora_a").shape()).containsExactly(2, 2);
        assertThat(sent.get("fusion.lora_a").values()).containsExactly(1, 2, 3, 4);
        assertThat(sent.get("fusion.lora_b").shape()).containsExactly(2, 2);
        assertThat(sent.get("fusion.lora_b").values()).containsExactly(1, 2, 4, 5);
        assertThat(LoraTensors.toRank(state, 3).get("fusion.lora_b")).isSameAs(state.get("fusion.lora_b"));
    }
}
