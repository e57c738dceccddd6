package org.civitas.domain.governance;

import org.civitas.domain.consortium.Enterprise;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContributionWithdrawalTest {

    private final Instant t0 = Instant.parse("2026-11-01T10:00:00Z");
    private final DataSharingAgreement agreement = new DataSharingAgreement(new Enterprise("civic-operations", "Civic", "urban"),
            new DataSharingAgreement.Terms("a".repeat(64), "{}", List.of("incident-features"), Set.of("features"), "test",
                    "classification", null, null, 30, t0.plusSeconds(86_400)), "urban-steward", t0);

    @Test
    void anOfficerAskingApprovesTheirSideAndTheOtherSideCompletesIt() {
        ContributionWithdrawal w = new ContributionWithdrawal(agreement, "urban-compliance", AgreementDecision.Scope.ENTERPRISE,
                " remove us ", t0);

        assertThat(w.getReason()).isEqualTo("remove us");
        assertThat(w.awaiting()).isEqualTo(AgreementDecision.Scope.CONSORTIUM);
        assertThat(w.getStatus()).isEqualTo(ContributionWithdrawal.Status.REQUESTED);
        assertThat(w.decide(AgreementDecision.Scope.CONSORTIUM, "consortium-compliance", true, "agreed", t0.plusSeconds(5))).isTrue();
        assertThat(w.getStatus()).isEqualTo(ContributionWithdrawal.Status.APPROVED);
        assertThat(w.getClosedAt()).isEqualTo(t0.plusSeconds(5));
        assertThat(w.awaiting()).isNull();
        assertThat(w.getDecisions()).extracting(AgreementDecision::getDecidedBy).containsExactly("urban-compliance", "consortium-compliance");
    }

    @Test
    void oneOfficerAloneNeverApprovesIt() {
        ContributionWithdrawal w = new ContributionWithdrawal(agreement, "urban-steward", null, "remove us", t0);
        assertThat(w.awaiting()).isEqualTo(AgreementDecision.Scope.ENTERPRISE);

        assertThat(w.decide(AgreementDecision.Scope.CONSORTIUM, "consortium-compliance", true, "agreed", t0)).isFalse();
        assertThatThrownBy(() -> w.decide(AgreementDecision.Scope.CONSORTIUM, "consortium-compliance", true, "again", t0))
                .hasMessageContaining("four eyes: the consortium compliance officer (consortium-compliance) has decided");
        assertThatThrownBy(() -> w.decide(AgreementDecision.Scope.ENTERPRISE, "consortium-compliance", true, "both hats", t0))
                .hasMessageContaining("four eyes: consortium-compliance has decided on withdrawal");
        assertThat(w.getStatus()).isEqualTo(ContributionWithdrawal.Status.REQUESTED);
        assertThat(w.getDecisions()).hasSize(1);
    }

    @Test
    void aRejectionClosesItAndNeedsAComment() {
        ContributionWithdrawal w = new ContributionWithdrawal(agreement, "urban-compliance", AgreementDecision.Scope.ENTERPRISE,
                "remove us", t0);
        assertThatThrownBy(() -> w.decide(AgreementDecision.Scope.CONSORTIUM, "consortium-compliance", false, " ", t0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("comment");

        assertThat(w.decide(AgreementDecision.Scope.CONSORTIUM, "consortium-compliance", false, "not covered", t0)).isFalse();
        assertThat(w.getStatus()).isEqualTo(ContributionWithdrawal.Status.REJECTED);
        assertThatThrownBy(() -> w.decide(AgreementDecision.Scope.ENTERPRISE, "urban-compliance-2", true, "late", t0))
                .hasMessageContaining("is REJECTED");
        assertThatThrownBy(() -> new ContributionWithdrawal(agreement, "urban-steward", null, "", t0))
                .hasMessageContaining("a withdrawal needs a reason");
    }
}
