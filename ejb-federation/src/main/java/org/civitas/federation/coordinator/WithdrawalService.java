package org.civitas.federation.coordinator;

import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import org.civitas.domain.consortium.Site;
import org.civitas.domain.federation.Federation;
import org.civitas.domain.federation.FederationStatus;
import org.civitas.domain.federation.Round;
import org.civitas.domain.governance.AgreementDecision;
import org.civitas.domain.governance.AgreementStatus;
import org.civitas.domain.governance.ContributionWithdrawal;
import org.civitas.domain.governance.DataSharingAgreement;
import org.civitas.domain.registry.ModelRelease;
import org.civitas.domain.registry.ModelVersion;
import org.civitas.domain.security.Role;
import org.civitas.federation.common.AuditService;
import org.civitas.federation.common.Caller;
import org.civitas.federation.common.ConflictException;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.ModelCatalog;
import org.civitas.federation.common.NotFoundException;
import org.civitas.infrastructure.persistence.AgreementRepository;
import org.civitas.infrastructure.persistence.FederationRepository;
import org.civitas.infrastructure.persistence.ModelRegistryRepository;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Withdrawal of an enterprise's contributions from the models trained under one of its agreements,
 * by retraining. Asked for with (or after) the agreement's revocation; approved by the enterprise's
 * and the consortium's compliance officers. Approved, every version whose lineage contains the
 * enterprise is marked, their releases are withdrawn (sites stop serving them), a running affected
 * federation stops, and each affected line is retrained: a new federation under the same plan
 * starts from the last version without the enterprise and runs the plan's remaining rounds with
 * the other sites, with the same seeds.
 *
 * <p>Why retraining rather than replaying the stored updates without the enterprise's: each stored
 * update was trained from a global model that already contained the enterprise's earlier updates,
 * so it carries their influence; a rule that clips, filters or weights updates (or a server
 * optimizer with state) would also have decided differently without them. Only training again from
 * a version the enterprise never touched gives exactly the model the others would have trained.
 */
@Stateless
public class WithdrawalService {

    @Inject
    jakarta.enterprise.event.Event<org.civitas.federation.common.RoundsOpened> roundsOpened;

    @Inject
    Clock clock;

    @Inject
    AgreementRepository agreements;

    @Inject
    FederationRepository federations;

    @Inject
    ModelRegistryRepository registry;

    @EJB
    AuditService audit;

    @EJB
    PrivacyBudgetService privacyBudgets;

    @EJB
    AgreementService agreementService;

    @EJB
    SiteScheduleService schedules;

    public record DecisionView(String scope, String decidedBy, boolean approved, String comment, Instant decidedAt) {
    }

    /** A withdrawal and, once approved, the federations that retrain the affected lines. */
    public record WithdrawalView(long id, long agreement, String enterprise, String planSha256, String status, String reason,
                                 String requestedBy, Instant requestedAt, List<DecisionView> decisions, String awaiting,
                                 Instant closedAt, List<Long> rebuilds) {
    }

    /**
     * A federation of the agreement's plan whose versions contain the enterprise. {@code versions}:
     * those versions. {@code startVersion}: the last version of its line without the enterprise,
     * where retraining starts; {@code rounds} and {@code sites}: what retraining costs (0 rounds when
     * the line is already rebuilt, {@code supersededBy}, or no site is left to train).
     * {@code epsilon}: for a plan with differential privacy, what retraining spends of each remaining
     * enterprise's budget.
     */
    public record AffectedFederation(long federation, String status, List<Integer> versions, int startVersion, int rounds,
                                     List<String> sites, List<Long> supersededBy, Double epsilon) {
    }

    public record AffectedRelease(long release, long federation, int version, String status) {
    }

    /** What withdrawing the enterprise of an agreement would touch and cost; {@code refusal} says why it cannot be asked for now. */
    public record Preview(long agreement, String enterprise, String planSha256, List<AffectedFederation> federations,
                          List<AffectedRelease> releases, int roundsToRetrain, int siteRoundsToRetrain, String refusal) {
    }

    /** What the preview found, with the entities to act on. */
    private record Affected(Federation federation, List<ModelVersion> containing, ModelVersion start, List<Site> sites,
                            List<Long> supersededBy) {

        boolean rebuilt() {
            return supersededBy.isEmpty() && !sites.isEmpty();
        }

        int rounds() {
            return rebuilt() ? federation.getPlan().getRounds() - start.getVersionNumber() : 0;
        }
    }

    public Preview preview(long agreementId) {
        DataSharingAgreement agreement = agreement(agreementId, false);
        List<Affected> affected = affected(agreement);
        return preview(agreement, affected, refusal(agreement, affected));
    }

    private Preview preview(DataSharingAgreement agreement, List<Affected> affected, String refusal) {
        List<AffectedFederation> out = new ArrayList<>();
        int rounds = 0;
        int siteRounds = 0;
        for (Affected a : affected) {
            var plan = a.federation().getPlan();
            Double epsilon = plan.isDifferentiallyPrivate() && a.rebuilt() ? ModelCatalog.epsilonSpent(plan, a.rounds()) : null;
            out.add(new AffectedFederation(a.federation().getId(), a.federation().getStatus().name(),
                    a.containing().stream().map(ModelVersion::getVersionNumber).toList(), a.start().getVersionNumber(), a.rounds(),
                    a.sites().stream().map(Site::getCode).toList(), a.supersededBy(), epsilon));
            rounds += a.rounds();
            siteRounds += a.rounds() * a.sites().size();
        }
        return new Preview(agreement.getId(), agreement.getEnterprise().getCode(), agreement.getPlanSha256(), out,
                releases(affected).stream().map(r -> new AffectedRelease(r.getId(), r.getVersion().getFederation().getId(),
                        r.getVersion().getVersionNumber(), r.getStatus().name())).toList(), rounds, siteRounds, refusal);
    }

    /** Whether the caller may ask to withdraw an agreement's enterprise: its data steward or compliance officer, or the consortium's officer. */
    public boolean mayRequest(Caller caller, String enterprise) {
        boolean own = enterprise.equals(caller.enterprise()) && (caller.has(Role.COMPLIANCE_OFFICER) || caller.has(Role.DATA_STEWARD));
        return own || (caller.isConsortium() && caller.has(Role.COMPLIANCE_OFFICER));
    }

    /**
     * Asks for the agreement's enterprise to be withdrawn from the models trained under it, revoking
     * the agreement if it is still in force. The enterprise's data steward or compliance officer, or
     * the consortium's compliance officer, asks; an officer's asking is their side's approval.
     */
    public WithdrawalView request(Caller caller, long agreementId, String reason) {
        DataSharingAgreement agreement = agreement(agreementId, true);
        if (!mayRequest(caller, agreement.getEnterprise().getCode())) {
            throw new ForbiddenException("only the data steward or compliance officer of " + agreement.getEnterprise().getCode()
                    + ", or the consortium's compliance officer, asks to withdraw its contributions");
        }
        String refusal = refusal(agreement, affected(agreement));
        if (refusal != null) {
            if (refusal.startsWith("withdrawal ")) {
                throw new ConflictException(refusal);
            }
            throw new InvalidRequestException(refusal);
        }
        Instant now = clock.instant();
        AgreementStatus status = agreement.statusAt(now);
        if (status == AgreementStatus.ACTIVE || status == AgreementStatus.SUBMITTED || status == AgreementStatus.DRAFT) {
            agreementService.revoke(caller, agreementId, reason);
        }
        // An officer's asking is their side's approval; a data steward's asks both officers.
        AgreementDecision.Scope scope = !caller.has(Role.COMPLIANCE_OFFICER) ? null
                : caller.isConsortium() ? AgreementDecision.Scope.CONSORTIUM : AgreementDecision.Scope.ENTERPRISE;
        ContributionWithdrawal withdrawal;
        try {
            withdrawal = agreements.add(new ContributionWithdrawal(agreement, caller.username(), scope, reason, now));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        audit.record(caller.actor(), "withdrawal.requested", subject(withdrawal), "enterprise " + agreement.getEnterprise().getCode()
                + " from the models of plan " + agreement.getPlanSha256() + ": " + withdrawal.getReason()
                + (scope == null ? "" : "; approved for the " + scope.name().toLowerCase() + " by asking"));
        return view(withdrawal);
    }

    /**
     * A compliance officer's decision for their side: the enterprise's or the consortium's. The
     * second approval carries the withdrawal out in the same transaction.
     */
    public WithdrawalView decide(Caller caller, long id, boolean approve, String comment) {
        ContributionWithdrawal w = agreements.withdrawalForUpdate(id)
                .orElseThrow(() -> new NotFoundException("withdrawal " + id + " does not exist"));
        if (!caller.has(Role.COMPLIANCE_OFFICER)) {
            throw new ForbiddenException("only compliance officers decide withdrawals; " + caller.username() + " is not one");
        }
        AgreementDecision.Scope scope;
        if (caller.isConsortium()) {
            scope = AgreementDecision.Scope.CONSORTIUM;
        } else if (w.getEnterpriseCode().equals(caller.enterprise())) {
            scope = AgreementDecision.Scope.ENTERPRISE;
        } else {
            throw new ForbiddenException("a compliance officer of " + caller.enterprise() + " cannot decide a withdrawal of "
                    + w.getEnterpriseCode());
        }
        boolean approved;
        try {
            approved = w.decide(scope, caller.username(), approve, comment, clock.instant());
        } catch (IllegalStateException e) {
            throw new ConflictException(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        audit.record(caller.actor(), approve ? "withdrawal.approved" : "withdrawal.rejected", subject(w),
                scope.name().toLowerCase() + " decision: " + comment.strip() + " → " + w.getStatus());
        List<Long> rebuilds = approved ? carryOut(w) : List.of();
        return view(w, rebuilds);
    }

    public List<WithdrawalView> withdrawals() {
        return agreements.withdrawals().stream().map(this::view).toList();
    }

    public WithdrawalView withdrawal(long id) {
        return view(agreements.withdrawal(id).orElseThrow(() -> new NotFoundException("withdrawal " + id + " does not exist")));
    }

    /** The withdrawals awaiting this officer's decision. */
    public List<WithdrawalView> reviewQueue(Caller caller) {
        if (!caller.has(Role.COMPLIANCE_OFFICER)) {
            return List.of();
        }
        AgreementDecision.Scope scope = caller.isConsortium() ? AgreementDecision.Scope.CONSORTIUM : AgreementDecision.Scope.ENTERPRISE;
        return agreements.withdrawals().stream()
                .filter(w -> w.awaiting() == scope)
                .filter(w -> caller.isConsortium() || w.getEnterpriseCode().equals(caller.enterprise()))
                .filter(w -> w.getDecisions().stream().noneMatch(d -> d.getDecidedBy().equals(caller.username())))
                .map(this::view).toList();
    }

    /**
     * Marks the versions, withdraws their releases, and starts the federations that retrain each
     * affected line; a running affected federation stops. Answers the new federations' ids.
     */
    private List<Long> carryOut(ContributionWithdrawal w) {
        Instant now = clock.instant();
        DataSharingAgreement agreement = w.getAgreement();
        String enterprise = agreement.getEnterprise().getCode();
        List<Affected> affected = affected(agreement);
        String why = "contains data of enterprise " + enterprise + ", withdrawn by withdrawal " + w.getId();
        for (Affected a : affected) {
            a.containing().forEach(v -> v.markWithdrawn(w.getId()));
            audit.record(AuditService.SYSTEM, "model.versions.marked", "federation " + a.federation().getId(),
                    "versions " + a.containing().stream().map(ModelVersion::getVersionNumber).toList() + " " + why);
        }
        for (ModelRelease release : releases(affected)) {
            if (release.getStatus() == ModelRelease.Status.RELEASED) {
                release.withdraw(AuditService.SYSTEM, "the version " + why, now);
                audit.record(AuditService.SYSTEM, "model.release.withdrawn", subject(release), release.getWithdrawalReason());
            } else {
                release.decide(AuditService.SYSTEM, false, "the version " + why, now);
                audit.record(AuditService.SYSTEM, "model.release.rejected", subject(release), release.getDecisionComment());
            }
        }
        List<Long> rebuilds = new ArrayList<>();
        for (Affected a : affected) {
            if (!a.rebuilt()) {
                continue;
            }
            Federation original = a.federation();
            Federation rebuild = federations.add(Federation.rebuild(original, a.start().getVersionNumber(), w.getId(), enterprise, now));
            registry.add(ModelVersion.derived(rebuild, a.start(), now));
            Round first = rebuild.openRound().orElseThrow();
            schedules.fitDeadline(first, now);
            roundsOpened.fire(new org.civitas.federation.common.RoundsOpened(FederationService.sitesOf(original.getPlan())));
            // A remaining site whose own agreement is no longer active sits this line out too, as it would any round.
            agreementService.sitesWithoutAgreement(original.getPlan(), now).forEach((site, reason) -> {
                if (!first.getWithheld().containsKey(site)) {
                    first.withholdAtOpening(site, "no active data-sharing agreement: " + reason);
                }
            });
            String refused = privacyBudgets.chargeOrRefuse(original.getPlan(), rebuild.getId(), first.getNumber(),
                    rebuild.getExcludedEnterprises());
            if (refused != null) {
                // Nothing of the withdrawal is kept: the officers raise the budget, then approve again.
                throw new ConflictException("federation " + original.getId() + " cannot be retrained without " + enterprise + ": "
                        + refused);
            }
            if (original.getStatus() == FederationStatus.RUNNING) {
                original.stop("stopped: its line is retrained without enterprise " + enterprise + " as federation " + rebuild.getId()
                        + " (withdrawal " + w.getId() + ")", now);
                audit.record(AuditService.SYSTEM, "federation.stopped", "federation " + original.getId(), original.getFailureReason());
            }
            audit.record(AuditService.SYSTEM, "federation.rebuild.started", "federation " + rebuild.getId(),
                    "retrains federation " + original.getId() + " without " + enterprise + " from its version "
                            + a.start().getVersionNumber() + " (" + a.start().getSha256() + "), rounds " + first.getNumber() + "-"
                            + original.getPlan().getRounds() + " with sites " + a.sites().stream().map(Site::getCode).toList());
            rebuilds.add(rebuild.getId());
        }
        return rebuilds;
    }

    /**
     * Why the enterprise cannot be withdrawn now, or null: a withdrawal for it under this plan is
     * pending or done, or none of the plan's versions contains it.
     */
    private String refusal(DataSharingAgreement agreement, List<Affected> affected) {
        String enterprise = agreement.getEnterprise().getCode();
        for (ContributionWithdrawal other : agreements.withdrawals()) {
            if (other.getStatus() != ContributionWithdrawal.Status.REJECTED && other.getEnterpriseCode().equals(enterprise)
                    && other.getAgreement().getPlanSha256().equals(agreement.getPlanSha256())) {
                return "withdrawal " + other.getId() + " of enterprise " + enterprise + " from the models of plan "
                        + agreement.getPlanSha256() + " is " + other.getStatus() + " already";
            }
        }
        if (affected.isEmpty()) {
            return "enterprise " + enterprise + " has not contributed to any model version of plan " + agreement.getPlanSha256()
                    + ": there is nothing to withdraw";
        }
        return null;
    }

    /** The federations of the agreement's plan with versions that contain the enterprise, oldest first. */
    private List<Affected> affected(DataSharingAgreement agreement) {
        String enterprise = agreement.getEnterprise().getCode();
        Map<Long, SortedSet<String>> known = new HashMap<>();
        List<Affected> out = new ArrayList<>();
        for (Federation f : federations.federations()) {
            if (!f.getPlan().sha256In(agreement.getPlanCanonicalForm()).equals(agreement.getPlanSha256())) {
                continue;
            }
            List<ModelVersion> versions = registry.versions(f.getId());
            List<ModelVersion> containing = versions.stream().filter(v -> Views.contributors(v, known).contains(enterprise)).toList();
            if (containing.isEmpty()) {
                continue;
            }
            // The last version without the enterprise: back from the newest, through parents and, across
            // lines, the version a rebuilt line derives from. Version 0 of any line holds no one's data.
            ModelVersion start = versions.get(versions.size() - 1);
            while (Views.contributors(start, known).contains(enterprise)) {
                start = Views.before(start);
            }
            Set<String> excluded = new TreeSet<>(f.getExcludedEnterprises());
            excluded.add(enterprise);
            List<Site> sites = f.getPlan().getSites().stream().filter(s -> !excluded.contains(s.getEnterprise().getCode())).toList();
            List<Long> supersededBy = federations.rebuildsOf(f.getId()).stream().map(Federation::getId).toList();
            out.add(new Affected(f, containing, start, sites, supersededBy));
        }
        out.sort(java.util.Comparator.comparing(a -> a.federation().getId()));
        return out;
    }

    /** The proposed and released releases of the affected versions. */
    private List<ModelRelease> releases(List<Affected> affected) {
        Set<Long> versionIds = new java.util.HashSet<>();
        affected.forEach(a -> a.containing().forEach(v -> versionIds.add(v.getId())));
        return registry.releases().stream().filter(r -> versionIds.contains(r.getVersion().getId()))
                .filter(r -> r.getStatus() == ModelRelease.Status.RELEASED || r.getStatus() == ModelRelease.Status.PROPOSED)
                .toList();
    }

    private DataSharingAgreement agreement(long id, boolean forUpdate) {
        return (forUpdate ? agreements.agreementForUpdate(id) : agreements.agreement(id))
                .orElseThrow(() -> new NotFoundException("agreement " + id + " does not exist"));
    }

    private static String subject(ContributionWithdrawal w) {
        return "withdrawal " + w.getId();
    }

    /** As the release workflow names a release in the audit chain. */
    private static String subject(ModelRelease r) {
        return "release " + r.getId() + " of federation " + r.getVersion().getFederation().getId() + " version "
                + r.getVersion().getVersionNumber();
    }

    private WithdrawalView view(ContributionWithdrawal w) {
        return view(w, federations.federations().stream().filter(f -> w.getId().equals(f.getWithdrawalId())).map(Federation::getId).toList());
    }

    private WithdrawalView view(ContributionWithdrawal w, List<Long> rebuilds) {
        return new WithdrawalView(w.getId(), w.getAgreement().getId(), w.getEnterpriseCode(), w.getAgreement().getPlanSha256(),
                w.getStatus().name(), w.getReason(), w.getRequestedBy(), w.getRequestedAt(),
                w.getDecisions().stream().map(d -> new DecisionView(d.getScope().name(), d.getDecidedBy(), d.isApproved(), d.getComment(),
                        d.getDecidedAt())).toList(), w.awaiting() == null ? null : w.awaiting().name(), w.getClosedAt(), rebuilds);
    }
}
