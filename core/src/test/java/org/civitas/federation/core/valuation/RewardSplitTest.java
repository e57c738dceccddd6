package org.civitas.federation.core.valuation;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RewardSplitTest {

    private static BigDecimal sum(Map<String, BigDecimal> shares) {
        return shares.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    @Test
    void splitsInProportionToPositiveValues() {
        Map<String, BigDecimal> shares = RewardSplit.split(new BigDecimal("100"), Map.of("a", 0.3, "b", 0.1), Set.of(), 4);

        assertThat(shares).containsEntry("a", new BigDecimal("75.0000")).containsEntry("b", new BigDecimal("25.0000"));
    }

    @Test
    void thirdsAddUpExactlyByGivingTheLeftoverUnitToTheLargestRemainder() {
        Map<String, BigDecimal> shares = RewardSplit.split(new BigDecimal("100"), Map.of("a", 1.0, "b", 1.0, "c", 1.0), Set.of(), 4);

        assertThat(sum(shares)).isEqualByComparingTo("100");
        // 33.3333 each and one unit left: ties go to the first name.
        assertThat(shares).containsEntry("a", new BigDecimal("33.3334")).containsEntry("b", new BigDecimal("33.3333"))
                .containsEntry("c", new BigDecimal("33.3333"));
    }

    @Test
    void negativeAndZeroValuesReceiveNothingAndAreNotCharged() {
        Map<String, BigDecimal> shares = RewardSplit.split(new BigDecimal("10"), Map.of("a", 0.2, "b", -0.5, "c", 0.0), Set.of(), 4);

        assertThat(shares).containsEntry("a", new BigDecimal("10.0000")).containsEntry("b", new BigDecimal("0.0000"))
                .containsEntry("c", new BigDecimal("0.0000"));
    }

    @Test
    void ineligibleSitesReceiveNothingEvenWithAPositiveValue() {
        Map<String, BigDecimal> shares = RewardSplit.split(new BigDecimal("9"), Map.of("a", 0.2, "b", 0.4), Set.of("b"), 4);

        assertThat(shares).containsEntry("a", new BigDecimal("9.0000")).containsEntry("b", new BigDecimal("0.0000"));
    }

    @Test
    void nothingIsPaidWhenNoSiteHasAPositiveEligibleValue() {
        Map<String, BigDecimal> shares = RewardSplit.split(new BigDecimal("50"), Map.of("a", -0.1, "b", 0.3), Set.of("b"), 4);

        assertThat(sum(shares)).isEqualByComparingTo("0");
    }

    @Test
    void manySmallUnequalValuesStillAddUpExactly() {
        Map<String, Double> values = new java.util.HashMap<>();
        for (int i = 0; i < 17; i++) {
            values.put("s" + i, Math.pow(1.7, i) * 1e-5);
        }
        Map<String, BigDecimal> shares = RewardSplit.split(new BigDecimal("0.0100"), values, Set.of(), 4);

        assertThat(sum(shares)).isEqualByComparingTo("0.01");
        assertThat(shares.get("s16")).isGreaterThan(shares.get("s0"));
    }

    @Test
    void refusesANegativeReward() {
        assertThatThrownBy(() -> RewardSplit.split(new BigDecimal("-1"), Map.of("a", 1.0), Set.of(), 4))
                .hasMessageContaining("reward must not be negative");
    }

    @Test
    void aParticipationSharePaysEveryEligibleSiteEvenWithANegativeValue() {
        Map<String, BigDecimal> shares = RewardSplit.split(new BigDecimal("100"), Map.of("a", 0.3, "b", 0.1, "c", -0.2, "d", 0.5),
                Set.of("d"), 4, 0.3);

        // 30 in equal parts to a, b, c (d is ineligible); 70 by positive value: a 52.5, b 17.5
        assertThat(shares).containsEntry("a", new BigDecimal("62.5000")).containsEntry("b", new BigDecimal("27.5000"))
                .containsEntry("c", new BigDecimal("10.0000")).containsEntry("d", new BigDecimal("0.0000"));
        assertThat(sum(shares)).isEqualByComparingTo("100");
    }
}
