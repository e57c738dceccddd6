package org.civitas.federation.coordinator;

import org.civitas.federation.common.AuditService;
import org.civitas.federation.common.Caller;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;

import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import org.civitas.domain.consortium.Enterprise;
import org.civitas.domain.consortium.Site;
import org.civitas.domain.federation.CanonicalJson;
import org.civitas.domain.federation.FederationPlan;
import org.civitas.domain.governance.AgreementDecision;
import org.civitas.domain.governance.AgreementStatus;
import org.civitas.domain.governance.DataSharingAgreement;
import org.civitas.domain.security.Role;
import org.civitas.infrastructure.persistence.AgreementRepository;
import org.civitas.infrastructure.persistence.ConsortiumRepository;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.time.Clock;

/**
 * Data-sharing agreements: a data steward requests one for a plan (bound by the plan's hash); the
 * enterprise's and the consortium's compliance officers decide, neither of them the requester; an
 * approved agreement is active until it expires or is revoked. A federation starts only when every
 * site's enterprise has an active agreement for exactly its plan, and a site whose agreement is no
 * longer active leaves the federation's next round.
 */
@Stateless
public class AgreementService {

    @Inject
    Clock clock;

    /** What a data steward asks for. The plan is given in full; the agreement binds its hash. */
    public record AgreementRequest(PlanRequest plan, List<String> datasets, Set<String> modalities, String purpose, String task,
                                   Double epsilon, Double delta, Integer retentionDays, Instant expiresAt, Boolean draft,
                                   List<Long> qualityReports) {
    }

    public record DecisionView(String scope, String decidedBy, boolean approved, String comment, Instant decidedAt) {
    }

    public record AgreementView(long id, String series, int version, String enterprise, String planSha256, String planJson,
                                List<String> datasets, List<String> modalities, String purpose, String task, Double epsilon,
                                Double delta, int retentionDays, Instant expiresAt, String status, String requestedBy,
                                Instant createdAt, List<DecisionView> decisions, String closedBy, String closedReason,
                                Instant closedAt, List<Long> qualityReports, Long withdrawal) {
    }

    /** One changed term between two versions. */
    public record Change(String field, String before, String after) {
    }

    @Inject
    AgreementRepository agreements;

    @Inject
    ConsortiumRepository consortium;

    @Inject
    org.civitas.infrastructure.persistence.FederationRepository federationRecords;

    @EJB
    FederationService federations;

    @EJB
    PrivacyBudgetService budgets;

    @EJB
    AuditService audit;

    @EJB
    DatasetQualityService quality;

    /** Whether the caller may request agreements: a data steward of an enterprise. */
    public boolean mayRequest(Caller caller) {
        return caller.has(Role.DATA_STEWARD) && !caller.isConsortium();
    }

    /** Whether the caller may decide agreements: a compliance officer (of the agreement's enterprise or of the consortium). */
    public boolean mayDecide(Caller caller) {
        return caller.has(Role.COMPLIANCE_OFFICER);
    }

    /** A data steward requests an agreement for its enterprise; submitted for decision unless asked to stay a draft. */
    public AgreementView request(Caller caller, AgreementRequest request) {
        if (!mayRequest(caller)) {
            throw new ForbiddenException("only a data steward of an enterprise requests data-sharing agreements; " + caller.username()
                    + " is not one");
        }
        Enterprise enterprise = consortium.enterprise(caller.enterprise()).orElseThrow();
        DataSharingAgreement agreement;
        try {
            agreement = agreements.add(new DataSharingAgreement(enterprise, terms(enterprise, request), caller.username(), clock.instant()));
        } catch (IllegalArgumentException e) {
            // The terms' own checks (expiry, retention, modalities, purpose, budget): a bad request, nothing stored.
            throw new InvalidRequestException(e.getMessage());
        }
        return submitted(caller, agreement, request);
    }

    /** A new version of an agreement with changed terms; the version it replaces stays in force until the new one is approved. */
    public AgreementView newVersion(Caller caller, long id, AgreementRequest request) {
        DataSharingAgreement previous = find(id, true);
        if (!caller.has(Role.DATA_STEWARD) || !previous.getEnterprise().getCode().equals(caller.enterprise())) {
            throw new ForbiddenException("only a data steward of " + previous.getEnterprise().getCode() + " versions its agreements");
        }
        List<DataSharingAgreement> series = agreements.series(previous.getSeries());
        DataSharingAgreement latest = series.get(series.size() - 1);
        if (latest.getId() != id) {
            throw new InvalidRequestException("agreement " + id + " is version " + previous.getSeriesVersion() + "; version "
                    + latest.getSeriesVersion() + " (agreement " + latest.getId() + ") is the latest and the one to change");
        }
        DataSharingAgreement next;
        try {
            next = agreements.add(latest.nextVersion(terms(previous.getEnterprise(), request), caller.username(), clock.instant()));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        return submitted(caller, next, request);
    }

    /** The newest quality report of each site's copy of the datasets the agreement names, of its enterprise. */
    private List<Long> newestReports(DataSharingAgreement agreement) {
        java.util.Map<String, Long> newest = new java.util.LinkedHashMap<>();
        for (DatasetQualityService.ReportView r : quality.reports()) {
            if (r.enterprise().equals(agreement.getEnterprise().getCode()) && agreement.getDatasets().contains(r.dataset())) {
                newest.putIfAbsent(r.site() + "/" + r.dataset(), r.id());
            }
        }
        return List.copyOf(newest.values());
    }

    private AgreementView submitted(Caller caller, DataSharingAgreement agreement, AgreementRequest request) {
        // Left out, the officers see the newest quality report of each dataset the request names; [] attaches none.
        List<Long> reports = request.qualityReports() != null ? request.qualityReports() : newestReports(agreement);
        if (!reports.isEmpty()) {
            for (Long id : reports) {
                DatasetQualityService.ReportView report = id == null ? null : quality.reports().stream()
                        .filter(r -> r.id() == id).findFirst().orElse(null);
                if (report == null) {
                    throw new InvalidRequestException("qualityReports: no quality report " + id);
                }
                if (!report.enterprise().equals(agreement.getEnterprise().getCode()) || !agreement.getDatasets().contains(report.dataset())) {
                    throw new InvalidRequestException("qualityReports: report " + id + " is about dataset " + report.site() + "/"
                            + report.dataset() + ", not one of " + agreement.getEnterprise().getCode() + "'s datasets in this request "
                            + agreement.getDatasets());
                }
            }
            agreement.attachQualityReports(reports);
        }
        if (!Boolean.TRUE.equals(request.draft())) {
            agreement.submit(caller.username());
        }
        audit.record(caller.actor(), "agreement.requested", subject(agreement), "enterprise " + agreement.getEnterprise().getCode()
                + ", plan " + agreement.getPlanSha256() + ", datasets " + agreement.getDatasets() + ", " + agreement.getStoredStatus());
        return view(agreement);
    }

    public AgreementView submit(Caller caller, long id) {
        DataSharingAgreement a = find(id, true);
        try {
            a.submit(caller.username());
        } catch (IllegalStateException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        audit.record(caller.actor(), "agreement.submitted", subject(a), "submitted for decision");
        return view(a);
    }

    /**
     * A compliance officer's decision: the enterprise's officer decides for the enterprise, an
     * officer without an enterprise for the consortium.
     */
    public AgreementView decide(Caller caller, long id, boolean approve, String comment) {
        DataSharingAgreement a = find(id, true);
        if (!mayDecide(caller)) {
            throw new ForbiddenException("only compliance officers decide agreements; " + caller.username() + " is not one");
        }
        AgreementDecision.Scope scope;
        if (caller.isConsortium()) {
            scope = AgreementDecision.Scope.CONSORTIUM;
        } else if (caller.enterprise().equals(a.getEnterprise().getCode())) {
            scope = AgreementDecision.Scope.ENTERPRISE;
        } else {
            throw new ForbiddenException("a compliance officer of " + caller.enterprise() + " cannot decide an agreement of "
                    + a.getEnterprise().getCode());
        }
        Instant now = clock.instant();
        try {
            a.decide(scope, caller.username(), approve, comment, now);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        audit.record(caller.actor(), approve ? "agreement.approved" : "agreement.rejected", subject(a),
                scope.name().toLowerCase() + " decision: " + comment.strip() + " → " + a.statusAt(now));
        if (a.statusAt(now) == AgreementStatus.ACTIVE) {
            // The new version replaces the older ones of its series.
            for (DataSharingAgreement older : agreements.series(a.getSeries())) {
                if (older.getSeriesVersion() < a.getSeriesVersion() && older.statusAt(now) == AgreementStatus.ACTIVE) {
                    older.revoke(caller.username(), "superseded by version " + a.getSeriesVersion() + " (agreement " + a.getId() + ")", now);
                    audit.record(caller.actor(), "agreement.superseded", subject(older), "by agreement " + a.getId());
                }
            }
        }
        return view(a);
    }

    /** Revocation by the enterprise's data steward or compliance officer, or the consortium's compliance officer. */
    public AgreementView revoke(Caller caller, long id, String reason) {
        DataSharingAgreement a = find(id, true);
        boolean own = a.getEnterprise().getCode().equals(caller.enterprise())
                && (caller.has(Role.DATA_STEWARD) || caller.has(Role.COMPLIANCE_OFFICER));
        boolean consortiumOfficer = caller.isConsortium() && caller.has(Role.COMPLIANCE_OFFICER);
        if (!own && !consortiumOfficer) {
            throw new ForbiddenException("only the data steward or compliance officer of " + a.getEnterprise().getCode()
                    + ", or the consortium's compliance officer, revokes this agreement");
        }
        try {
            a.revoke(caller.username(), reason, clock.instant());
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        audit.record(caller.actor(), "agreement.revoked", subject(a), a.getClosedReason());
        return view(a);
    }

    public List<AgreementView> agreements() {
        return agreements.agreements().stream().map(this::view).toList();
    }

    /** Every agreement (any version, any state) bound to a plan hash: a model's governance lineage. */
    public List<AgreementView> forPlan(String planSha256) {
        return agreements.forPlan(planSha256).stream().map(this::view).toList();
    }

    public AgreementView agreement(long id) {
        return view(find(id, false));
    }

    /** The agreements awaiting this officer's decision. */
    public List<AgreementView> reviewQueue(Caller caller) {
        if (!caller.has(Role.COMPLIANCE_OFFICER)) {
            return List.of();
        }
        AgreementDecision.Scope scope = caller.isConsortium() ? AgreementDecision.Scope.CONSORTIUM : AgreementDecision.Scope.ENTERPRISE;
        return agreements.agreements().stream()
                .filter(a -> a.getStoredStatus() == AgreementStatus.SUBMITTED)
                .filter(a -> caller.isConsortium() || a.getEnterprise().getCode().equals(caller.enterprise()))
                .filter(a -> !a.getRequestedBy().equals(caller.username()))
                .filter(a -> a.getDecisions().stream().noneMatch(d -> d.getScope() == scope || d.getDecidedBy().equals(caller.username())))
                .map(this::view).toList();
    }

    /** The versions of an agreement's series, oldest first. */
    public List<AgreementView> history(long id) {
        return agreements.series(find(id, false).getSeries()).stream().map(this::view).toList();
    }

    /** What changed from agreement {@code from} to agreement {@code to} (two versions of one series). */
    public List<Change> diff(long from, long to) {
        DataSharingAgreement a = find(from, false);
        DataSharingAgreement b = find(to, false);
        if (!a.getSeries().equals(b.getSeries())) {
            throw new InvalidRequestException("agreements " + from + " and " + to + " are not versions of one agreement");
        }
        List<Change> out = new ArrayList<>();
        b.diff(a).forEach((field, values) -> out.add(new Change(field, values.get(0), values.get(1))));
        return out;
    }

    /**
     * Refuses a plan unless every site's enterprise holds an active agreement for exactly its hash
     * that covers the plan's dataset; the message names each site missing one and why.
     */
    public void requireAgreements(FederationPlan plan, Instant now) {
        Map<String, String> missing = sitesWithoutAgreement(plan, now);
        if (!missing.isEmpty()) {
            StringBuilder b = new StringBuilder("no active data-sharing agreement for plan " + plan.getPlanSha256() + ":");
            missing.forEach((site, why) -> b.append(" site '").append(site).append("': ").append(why).append(';'));
            throw new InvalidRequestException(b.substring(0, b.length() - 1));
        }
    }

    /** The plan's sites whose enterprise holds no active agreement for it now, with the reason. */
    public Map<String, String> sitesWithoutAgreement(FederationPlan plan, Instant now) {
        List<DataSharingAgreement> forPlan = agreementsFor(plan);
        Map<String, String> out = new TreeMap<>();
        for (Site site : plan.getSites()) {
            // What the agreement must cover: a task plan's dataset of this site, else the plan's one dataset (a DP plan's own).
            String dataset = plan.getTaskName() != null ? FederationService.trainingDataset(plan, site.getCode()).name()
                    : FederationService.dataset(plan);
            String enterprise = site.getEnterprise().getCode();
            List<DataSharingAgreement> own = forPlan.stream().filter(a -> a.getEnterprise().getCode().equals(enterprise)).toList();
            if (own.stream().anyMatch(a -> a.isActiveFor(plan, now) && a.getDatasets().contains(dataset))) {
                continue;
            }
            if (own.isEmpty()) {
                out.put(site.getCode(), "enterprise " + enterprise + " has no agreement for this plan hash");
            } else {
                DataSharingAgreement latest = own.get(own.size() - 1);
                AgreementStatus status = latest.statusAt(now);
                out.put(site.getCode(), "agreement " + latest.getId() + " of enterprise " + enterprise + " is " + status
                        + (status == AgreementStatus.ACTIVE ? " but does not cover dataset '" + dataset + "'" : "")
                        + (latest.getClosedReason() == null ? "" : " (" + latest.getClosedReason() + ")"));
            }
        }
        return out;
    }

    /**
     * The agreements made for this plan, whichever canonical form their plan hash was taken in:
     * approved agreements hashed in the legacy form keep covering the same plan.
     */
    private List<DataSharingAgreement> agreementsFor(FederationPlan plan) {
        List<DataSharingAgreement> all = new java.util.ArrayList<>();
        for (String form : List.of(CanonicalJson.RFC_8785, CanonicalJson.LEGACY)) {
            agreements.forPlan(plan.sha256In(form)).stream().filter(a -> a.getPlanCanonicalForm().equals(form)).forEach(all::add);
        }
        all.sort(java.util.Comparator.comparing(DataSharingAgreement::getId));
        return all;
    }

    /** A DP plan's agreements grant the privacy budget of its dataset at each enterprise (where none is set yet). */
    public void grantBudgets(FederationPlan plan, Instant now) {
        if (!plan.isDifferentiallyPrivate()) {
            return;
        }
        Map<String, DataSharingAgreement> byEnterprise = new LinkedHashMap<>();
        agreementsFor(plan).stream().filter(a -> a.isActiveFor(plan, now) && a.getEpsilon() != null)
                .forEach(a -> byEnterprise.put(a.getEnterprise().getCode(), a));
        byEnterprise.values().forEach(a -> budgets.grant(a.getEnterprise(), plan.getDpDataset(), a.getEpsilon(), a.getDelta(),
                "agreement " + a.getId() + " v" + a.getSeriesVersion()));
    }

    private DataSharingAgreement.Terms terms(Enterprise enterprise, AgreementRequest r) {
        if (r == null || r.plan() == null) {
            throw new InvalidRequestException("an agreement request needs the plan it agrees to ('plan'), datasets, modalities,"
                    + " purpose, task, retentionDays and expiresAt");
        }
        FederationPlan plan = federations.plan(r.plan());
        if (plan.getSites().stream().noneMatch(s -> s.getEnterprise().getCode().equals(enterprise.getCode()))) {
            throw new InvalidRequestException("the plan has no site of enterprise " + enterprise.getCode());
        }
        java.util.Set<String> needed = FederationService.datasetsOf(plan, enterprise.getCode());
        if (r.datasets() == null || !r.datasets().containsAll(needed)) {
            throw new InvalidRequestException(needed.size() == 1
                    ? "the plan trains on dataset '" + needed.iterator().next() + "': the agreement's datasets must include it"
                    : "the plan trains on datasets " + needed + " of this enterprise: the agreement's datasets must include them");
        }
        if (plan.isDifferentiallyPrivate() && r.epsilon() == null) {
            throw new InvalidRequestException("the plan uses differential privacy: the agreement must grant a privacy budget (epsilon, delta)");
        }
        String shortRetention = retentionTooShort(plan, r.retentionDays() == null ? DEFAULT_RETENTION_DAYS : r.retentionDays());
        if (shortRetention != null) {
            throw new InvalidRequestException(shortRetention);
        }
        try {
            return new DataSharingAgreement.Terms(plan.getPlanSha256(), plan.getCanonicalJson(), r.datasets(), r.modalities(), r.purpose(),
                    r.task(), r.epsilon(), r.epsilon() != null && r.delta() == null ? Double.valueOf(1e-5) : r.delta(),
                    r.retentionDays() == null ? DEFAULT_RETENTION_DAYS : r.retentionDays(),
                    r.expiresAt() == null ? clock.instant().plus(Duration.ofDays(365)) : r.expiresAt());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }

    static final int DEFAULT_RETENTION_DAYS = 365;

    /**
     * Why a retention is too short for the plan, or null: a running federation of the plan still has
     * rounds to go that may take longer, at its round timeout, than the data may be kept; the
     * retention job would erase what those rounds train on.
     */
    public String retentionTooShort(FederationPlan plan, int retentionDays) {
        for (org.civitas.domain.federation.Federation f : federationRecords.running(plan.getPlanSha256())) {
            long aggregated = f.getRounds().stream().filter(x -> x.getStatus() == org.civitas.domain.federation.RoundStatus.AGGREGATED).count();
            long remaining = plan.getRounds() - aggregated;
            Duration needed = plan.getRoundTimeout().multipliedBy(remaining);
            if (Duration.ofDays(retentionDays).compareTo(needed) < 0) {
                long days = needed.plusDays(1).minusSeconds(1).toDays();
                return "retentionDays " + retentionDays + " is shorter than running federation " + f.getId() + " of this plan may"
                        + " still take: " + remaining + " rounds of up to " + plan.getRoundTimeout().toSeconds() + " s each (" + days
                        + " days); its data would be erased before it finishes. Ask for at least " + days + " days, or wait until"
                        + " it has finished";
            }
        }
        return null;
    }

    private DataSharingAgreement find(long id, boolean forUpdate) {
        return (forUpdate ? agreements.agreementForUpdate(id) : agreements.agreement(id)).orElseThrow(() ->
                new NotFoundException("agreement " + id + " does not exist"));
    }

    private static String subject(DataSharingAgreement a) {
        return "agreement " + a.getId() + " v" + a.getSeriesVersion();
    }

    /** An agreement as the API shows it; {@code withdrawal}: the withdrawal of its enterprise's contributions asked for under it, if any. */
    AgreementView view(DataSharingAgreement a) {
        return new AgreementView(a.getId(), a.getSeries(), a.getSeriesVersion(), a.getEnterprise().getCode(), a.getPlanSha256(),
                a.getPlanJson(), a.getDatasets(), a.getModalities(), a.getPurpose(), a.getTask(), a.getEpsilon(), a.getDelta(),
                a.getRetentionDays(), a.getExpiresAt(), a.statusAt(clock.instant()).name(), a.getRequestedBy(), a.getCreatedAt(),
                a.getDecisions().stream().map(d -> new DecisionView(d.getScope().name(), d.getDecidedBy(), d.isApproved(), d.getComment(),
                        d.getDecidedAt())).toList(), a.getClosedBy(), a.getClosedReason(), a.getClosedAt(), a.getQualityReports(),
                agreements.withdrawalsOf(a.getId()).stream()
                        .filter(w -> w.getStatus() != org.civitas.domain.governance.ContributionWithdrawal.Status.REJECTED)
                        .map(org.civitas.domain.governance.ContributionWithdrawal::getId).findFirst().orElse(null));
    }
}
