package org.civitas.federation.coordinator;

import org.civitas.federation.common.AuditService;

import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import org.civitas.domain.contribution.ContributionValue;
import org.civitas.domain.federation.FederationPlan;
import org.civitas.domain.federation.Round;
import org.civitas.infrastructure.persistence.ContributionRepository;
import org.civitas.infrastructure.persistence.FederationRepository;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.time.Clock;

/**
 * The plan's contribution rule: once round n is valued, round n + 1 opens, without the sites that
 * were valued under the plan's minimum in round n or flagged as free riders there. Sites that did
 * not take part in round n are not judged by it.
 */
@Stateless
public class IncentiveService {

    @Inject
    Clock clock;

    @Inject
    FederationRepository federations;

    @Inject
    ContributionRepository contributions;

    @EJB
    SiteScheduleService schedules;

    @EJB
    AuditService audit;

    /** Applies the rule to the round after {@code roundNumber}, if it waits for it; a one-line summary. */
    public String admitNextRound(long federationId, int roundNumber) {
        Optional<Round> next = federations.roundForUpdate(federationId, roundNumber + 1);
        if (next.isEmpty() || !next.get().isAwaitingValuation()) {
            return "no round waits for round " + roundNumber;
        }
        Round round = next.get();
        FederationPlan plan = round.getFederation().getPlan();
        Round valued = federations.round(federationId, roundNumber).orElseThrow();
        List<String> withheld = new ArrayList<>();
        for (ContributionValue v : contributions.ofRound(valued.getId())) {
            String reason = LedgerService.belowRule(v, plan);
            if (reason != null) {
                String why = "in round " + roundNumber + ": " + reason;
                round.withhold(v.getSite().getCode(), why);
                withheld.add(v.getSite().getCode());
                audit.record(AuditService.SYSTEM, "federation.model-withheld", "federation " + federationId + " round "
                        + round.getNumber() + " site " + v.getSite().getCode(), why);
            }
        }
        Instant now = clock.instant();
        round.admit(now);
        schedules.fitDeadline(round, now);
        return "round " + round.getNumber() + " opened" + (withheld.isEmpty() ? "" : " without " + withheld);
    }

    /**
     * Opens a round whose predecessor was not valued in time (its valuation failed or is stuck),
     * without the contribution rule, so the federation does not stall; the reason is audited.
     */
    public void admitWithoutValuation(Round round) {
        Instant now = clock.instant();
        round.admit(now);
        // Like any opening, the deadline leaves each site the round timeout from its next training window.
        schedules.fitDeadline(round, now);
        audit.record(AuditService.SYSTEM, "federation.round-admitted-unvalued", "federation " + round.getFederation().getId()
                + " round " + round.getNumber(), "round " + (round.getNumber() - 1) + " was not valued within half the round timeout: "
                + "opened without the contribution rule");
    }
}
