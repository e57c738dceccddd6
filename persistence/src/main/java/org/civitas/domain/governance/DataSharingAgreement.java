package org.civitas.domain.governance;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import org.civitas.domain.consortium.Codes;
import org.civitas.domain.consortium.Enterprise;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * What an enterprise agrees to share with one federation plan (bound by the plan's hash): which
 * datasets and modalities, for which purpose and task, under which privacy budget, kept how long,
 * until when. A version of an agreement never changes its terms; a change is a new version of the
 * same series. Approval takes two compliance officers, the enterprise's and the consortium's,
 * neither of them the requester (four eyes); either can reject. An approved agreement is active
 * until it expires or is revoked.
 */
@Entity
@Table(name = "data_sharing_agreement")
public class DataSharingAgreement {

    /** The modalities a dataset can share. */
    public static final Set<String> MODALITIES = Set.of("image", "text", "features");

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, length = 36)
    private String series;

    @Column(name = "series_version", nullable = false)
    private int seriesVersion;

    @ManyToOne(optional = false, fetch = FetchType.EAGER)
    @JoinColumn(name = "enterprise_id", nullable = false)
    private Enterprise enterprise;

    @Column(name = "plan_sha256", nullable = false, length = 64)
    private String planSha256;

    @Column(name = "plan_json", nullable = false, length = 1_000_000)
    private String planJson;

    /** The canonical form the plan hash was taken in: RFC 8785 for agreements made now, legacy for older ones. */
    @Column(name = "plan_canonical_form", nullable = false, length = 20)
    private String planCanonicalForm = org.civitas.domain.federation.CanonicalJson.RFC_8785;

    @Column(nullable = false, length = 1000)
    private String datasets;

    @Column(nullable = false, length = 100)
    private String modalities;

    /** Ids of the data-quality reports attached to the request, comma-separated; null when none. */
    @Column(name = "quality_reports", length = 500)
    private String qualityReports;

    @Column(nullable = false, length = 1000)
    private String purpose;

    @Column(nullable = false, length = 200)
    private String task;

    /** The lifetime privacy budget granted to the datasets for this plan; null when the plan uses no DP. */
    @Column
    private Double epsilon;

    @Column
    private Double delta;

    @Column(name = "retention_days", nullable = false)
    private int retentionDays;

    @Column(name = "expires_at", nullable = false)
    private Instant expiresAt;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 20)
    private AgreementStatus status;

    @Column(name = "requested_by", nullable = false, length = 64)
    private String requestedBy;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "agreement_decision", joinColumns = @JoinColumn(name = "agreement_id"))
    private List<AgreementDecision> decisions = new ArrayList<>();

    /** Who rejected or revoked it (or what superseded it), why, and when. */
    @Column(name = "closed_by", length = 64)
    private String closedBy;

    @Column(name = "closed_reason", length = 2000)
    private String closedReason;

    @Column(name = "closed_at")
    private Instant closedAt;

    @Version
    private long version;

    protected DataSharingAgreement() {
    }

    /** The terms of an agreement, as requested. */
    public record Terms(String planSha256, String planJson, List<String> datasets, Set<String> modalities, String purpose,
                        String task, Double epsilon, Double delta, int retentionDays, Instant expiresAt) {
    }

    /** A new agreement (version 1 of a new series), as a draft. */
    public DataSharingAgreement(Enterprise enterprise, Terms terms, String requestedBy, Instant now) {
        this(enterprise, UUID.randomUUID().toString(), 1, terms, requestedBy, now);
    }

    private DataSharingAgreement(Enterprise enterprise, String series, int seriesVersion, Terms terms, String requestedBy, Instant now) {
        List<String> problems = new ArrayList<>();
        if (terms.planSha256() == null || !terms.planSha256().matches("[0-9a-f]{64}")) {
            problems.add("planSha256 must be 64 lowercase hex digits");
        }
        if (terms.datasets() == null || terms.datasets().isEmpty()) {
            problems.add("datasets must name at least one dataset");
        } else {
            for (String d : terms.datasets()) {
                try {
                    Codes.require(d, "dataset");
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                }
            }
        }
        if (terms.modalities() == null || terms.modalities().isEmpty() || !MODALITIES.containsAll(terms.modalities())) {
            problems.add("modalities must be some of " + new TreeSet<>(MODALITIES) + ", was " + terms.modalities());
        }
        if (terms.purpose() == null || terms.purpose().isBlank() || terms.purpose().length() > 1000) {
            problems.add("purpose must be 1-1000 characters");
        }
        if (terms.task() == null || terms.task().isBlank() || terms.task().length() > 200) {
            problems.add("task must be 1-200 characters");
        }
        if ((terms.epsilon() == null) != (terms.delta() == null)) {
            problems.add("privacy budget needs both epsilon and delta, or neither");
        } else if (terms.epsilon() != null && (!(terms.epsilon() > 0) || !Double.isFinite(terms.epsilon())
                || !(terms.delta() > 0 && terms.delta() < 1))) {
            problems.add("privacy budget needs epsilon > 0 and delta in (0, 1)");
        }
        if (terms.retentionDays() < 1 || terms.retentionDays() > 3650) {
            problems.add("retentionDays must be in [1, 3650], was " + terms.retentionDays());
        }
        if (terms.expiresAt() == null || !terms.expiresAt().isAfter(now)) {
            problems.add("expiresAt must be in the future");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid agreement: " + String.join("; ", problems));
        }
        this.enterprise = enterprise;
        this.series = series;
        this.seriesVersion = seriesVersion;
        this.planSha256 = terms.planSha256();
        this.planJson = terms.planJson() == null ? "" : terms.planJson();
        this.datasets = String.join(",", new TreeSet<>(terms.datasets()));
        this.modalities = String.join(",", new TreeSet<>(terms.modalities()));
        this.purpose = terms.purpose().strip();
        this.task = terms.task().strip();
        this.epsilon = terms.epsilon();
        this.delta = terms.delta();
        this.retentionDays = terms.retentionDays();
        this.expiresAt = terms.expiresAt();
        this.status = AgreementStatus.DRAFT;
        this.requestedBy = requestedBy;
        this.createdAt = now;
    }

    /** The next version of this agreement with new terms, as a draft; this version stays as it is until that one is approved. */
    public DataSharingAgreement nextVersion(Terms terms, String requestedBy, Instant now) {
        return new DataSharingAgreement(enterprise, series, seriesVersion + 1, terms, requestedBy, now);
    }

    public void submit(String by) {
        require(AgreementStatus.DRAFT, "submitted");
        if (!by.equals(requestedBy)) {
            throw new IllegalStateException("only the requester, " + requestedBy + ", submits this draft");
        }
        status = AgreementStatus.SUBMITTED;
    }

    /**
     * Records one compliance officer's decision. The caller has checked the decider's role and
     * enterprise; this checks the four-eyes rule, the state, and that each scope decides once.
     */
    public void decide(AgreementDecision.Scope scope, String decider, boolean approve, String comment, Instant now) {
        require(AgreementStatus.SUBMITTED, "decided");
        if (decider.equals(requestedBy)) {
            throw new IllegalStateException("four eyes: " + decider + " requested this agreement and cannot decide on it");
        }
        if (comment == null || comment.isBlank() || comment.length() > 2000) {
            throw new IllegalArgumentException("a decision needs a comment of 1-2000 characters");
        }
        for (AgreementDecision d : decisions) {
            if (d.getScope() == scope) {
                throw new IllegalStateException("the " + scope.name().toLowerCase() + " compliance officer (" + d.getDecidedBy()
                        + ") has decided already");
            }
            if (d.getDecidedBy().equals(decider)) {
                throw new IllegalStateException("four eyes: " + decider + " has decided already; the other decision needs another officer");
            }
        }
        decisions.add(new AgreementDecision(scope, decider, approve, comment.strip(), now));
        if (!approve) {
            status = AgreementStatus.REJECTED;
            close(decider, comment, now);
        } else if (decisions.size() == 2) {
            status = AgreementStatus.APPROVED;
        }
    }

    /** Withdraws an approved or pending agreement: the site leaves the plan's federations from their next round. */
    public void revoke(String by, String reason, Instant now) {
        AgreementStatus current = statusAt(now);
        if (current != AgreementStatus.ACTIVE && current != AgreementStatus.APPROVED && current != AgreementStatus.SUBMITTED
                && current != AgreementStatus.DRAFT) {
            throw new IllegalStateException("agreement " + id + " is " + current + " and cannot be revoked");
        }
        if (reason == null || reason.isBlank() || reason.length() > 2000) {
            throw new IllegalArgumentException("a revocation needs a reason of 1-2000 characters");
        }
        status = AgreementStatus.REVOKED;
        close(by, reason.strip(), now);
    }

    private void close(String by, String reason, Instant now) {
        this.closedBy = by;
        this.closedReason = reason;
        this.closedAt = now;
    }

    /** The status now: an approved agreement is active until it expires. */
    public AgreementStatus statusAt(Instant now) {
        if (status == AgreementStatus.APPROVED) {
            return now.isBefore(expiresAt) ? AgreementStatus.ACTIVE : AgreementStatus.EXPIRED;
        }
        return status;
    }

    public boolean isActiveFor(String planHash, Instant now) {
        return statusAt(now) == AgreementStatus.ACTIVE && planSha256.equals(planHash);
    }

    /** Whether it is active for this plan, comparing the plan's hash in the form this agreement's hash was taken in. */
    public boolean isActiveFor(org.civitas.domain.federation.FederationPlan plan, Instant now) {
        return isActiveFor(plan.sha256In(planCanonicalForm), now);
    }

    public String getPlanCanonicalForm() {
        return planCanonicalForm;
    }

    /** The terms that differ from another version's: field, that version's value, this version's value. */
    public Map<String, List<String>> diff(DataSharingAgreement other) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        compare(out, "planSha256", other.planSha256, planSha256);
        compare(out, "datasets", other.datasets, datasets);
        compare(out, "modalities", other.modalities, modalities);
        compare(out, "purpose", other.purpose, purpose);
        compare(out, "task", other.task, task);
        compare(out, "epsilon", other.epsilon, epsilon);
        compare(out, "delta", other.delta, delta);
        compare(out, "retentionDays", other.retentionDays, retentionDays);
        compare(out, "expiresAt", other.expiresAt, expiresAt);
        return out;
    }

    private static void compare(Map<String, List<String>> out, String field, Object before, Object after) {
        if (!Objects.equals(before, after)) {
            out.put(field, Arrays.asList(String.valueOf(before), String.valueOf(after)));
        }
    }

    private void require(AgreementStatus expected, String action) {
        if (status != expected) {
            throw new IllegalStateException("agreement " + id + " is " + status + "; only a " + expected + " agreement can be " + action);
        }
    }

    public Long getId() {
        return id;
    }

    public String getSeries() {
        return series;
    }

    public int getSeriesVersion() {
        return seriesVersion;
    }

    public Enterprise getEnterprise() {
        return enterprise;
    }

    public String getPlanSha256() {
        return planSha256;
    }

    public String getPlanJson() {
        return planJson;
    }

    /** Attaches the data-quality reports of the agreement's datasets (checked by the caller), while it awaits its decision. */
    public void attachQualityReports(List<Long> reportIds) {
        if (status != AgreementStatus.DRAFT && status != AgreementStatus.SUBMITTED) {
            throw new IllegalStateException("quality reports are attached to a request, not to an agreement already " + status);
        }
        String joined = String.join(",", reportIds.stream().distinct().sorted().map(String::valueOf).toList());
        if (joined.length() > 500) {
            throw new IllegalArgumentException("too many quality reports attached");
        }
        this.qualityReports = joined.isEmpty() ? null : joined;
    }

    public List<Long> getQualityReports() {
        return qualityReports == null ? List.of() : java.util.Arrays.stream(qualityReports.split(",")).map(Long::valueOf).toList();
    }

    public List<String> getDatasets() {
        return List.of(datasets.split(","));
    }

    public List<String> getModalities() {
        return List.of(modalities.split(","));
    }

    public String getPurpose() {
        return purpose;
    }

    public String getTask() {
        return task;
    }

    public Double getEpsilon() {
        return epsilon;
    }

    public Double getDelta() {
        return delta;
    }

    public int getRetentionDays() {
        return retentionDays;
    }

    public Instant getExpiresAt() {
        return expiresAt;
    }

    public AgreementStatus getStoredStatus() {
        return status;
    }

    public String getRequestedBy() {
        return requestedBy;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public List<AgreementDecision> getDecisions() {
        return List.copyOf(decisions);
    }

    public String getClosedBy() {
        return closedBy;
    }

    public String getClosedReason() {
        return closedReason;
    }

    public Instant getClosedAt() {
        return closedAt;
    }
}
