package org.civitas.domain.ledger;

import org.civitas.domain.consortium.Enterprise;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LedgerTransactionTest {

    private final LedgerAccount issuance = LedgerAccount.issuance();
    private final LedgerAccount pool = LedgerAccount.rewardPool();
    private final LedgerAccount energy = LedgerAccount.of(new Enterprise("meridian-energy", "Meridian Energy", "energy"));
    private final Instant now = Instant.parse("2026-11-27T10:00:00Z");

    private static Map<LedgerAccount, BigDecimal> amounts(Object... accountAndAmount) {
        Map<LedgerAccount, BigDecimal> map = new LinkedHashMap<>();
        for (int i = 0; i < accountAndAmount.length; i += 2) {
            map.put((LedgerAccount) accountAndAmount[i], new BigDecimal((String) accountAndAmount[i + 1]));
        }
        return map;
    }

    @Test
    void aBalancedTransactionMovesEveryBalanceAndRecordsTheBalanceAfter() {
        LedgerTransaction t = new LedgerTransaction(LedgerTransaction.Kind.ROUND_REWARD, "system", "round 1",
                null, amounts(issuance, "-100", pool, "40", energy, "60"), now);

        assertThat(t.getEntries()).hasSize(3);
        assertThat(issuance.getBalance()).isEqualByComparingTo("-100");
        assertThat(pool.getBalance()).isEqualByComparingTo("40");
        assertThat(energy.getBalance()).isEqualByComparingTo("60");
        assertThat(t.getEntries()).allSatisfy(e -> assertThat(e.getBalanceAfter()).isEqualByComparingTo(e.getAccount().getBalance()));
    }

    @Test
    void refusesEntriesThatDoNotSumToZeroAndMovesNothing() {
        assertThatThrownBy(() -> new LedgerTransaction(LedgerTransaction.Kind.ADJUSTMENT, "api", "typo",
                null, amounts(pool, "-10", energy, "10.0001"), now))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("entries must sum to zero, they sum to 0.0001");
        assertThat(pool.getBalance()).isEqualByComparingTo("0");
        assertThat(energy.getBalance()).isEqualByComparingTo("0");
    }

    @Test
    void refusesMoreThanFourDecimalsAMissingMemoAndASingleMovingAccount() {
        assertThatThrownBy(() -> new LedgerTransaction(LedgerTransaction.Kind.ADJUSTMENT, "api", "x",
                null, amounts(pool, "-0.00001", energy, "0.00001"), now))
                .hasMessageContaining("has more than 4 decimals");
        assertThatThrownBy(() -> new LedgerTransaction(LedgerTransaction.Kind.ADJUSTMENT, "api", " ",
                null, amounts(pool, "-1", energy, "1"), now))
                .hasMessageContaining("needs a memo");
        assertThatThrownBy(() -> new LedgerTransaction(LedgerTransaction.Kind.ADJUSTMENT, "api", "nothing moves",
                null, amounts(pool, "0", energy, "0"), now))
                .hasMessageContaining("at least two accounts");
    }

    @Test
    void aReversalPostsTheOppositeEntriesAndCannotItselfBeReversed() {
        LedgerTransaction t = new LedgerTransaction(LedgerTransaction.Kind.ADJUSTMENT, "api", "grant",
                null, amounts(pool, "-25.5", energy, "25.5"), now);

        LedgerTransaction reversal = t.reversal("auditor", "granted twice", now);

        assertThat(reversal.getKind()).isEqualTo(LedgerTransaction.Kind.REVERSAL);
        assertThat(reversal.getMemo()).contains("granted twice");
        assertThat(pool.getBalance()).isEqualByComparingTo("0");
        assertThat(energy.getBalance()).isEqualByComparingTo("0");
        assertThatThrownBy(() -> reversal.reversal("auditor", "again", now)).hasMessageContaining("is itself a reversal");
    }
}
