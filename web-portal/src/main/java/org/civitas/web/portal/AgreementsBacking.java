package org.civitas.web.portal;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.application.FacesMessage;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import org.civitas.federation.coordinator.AgreementService;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.coordinator.PlanRequest;
import org.civitas.web.security.CurrentCaller;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The agreements page: a data steward's request form, a compliance officer's review queue with
 * approve / reject and a comment, every agreement with its decisions, revocation, and one
 * agreement's version history with the changes between versions ({@code id} parameter).
 */
@Named
@RequestScoped
public class AgreementsBacking {

    @EJB
    AgreementService agreements;

    @EJB
    org.civitas.federation.coordinator.DatasetQualityService quality;

    @Inject
    CurrentCaller caller;

    // The request form
    private String plan = "{}";
    private String datasets = "incident-features";
    private List<String> modalities = List.of("features");
    private String purpose;
    private String task;
    private Double epsilon;
    private Double delta;
    private Integer retentionDays = 365;
    private String expires;
    // Decision comments and revocation reasons, by agreement: each row's form fills its own entry
    private final Map<Long, String> comments = new java.util.HashMap<>();
    private final Map<Long, String> reasons = new java.util.HashMap<>();
    // The agreement whose history is shown
    private Long id;

    private List<AgreementService.AgreementView> all;
    private List<AgreementService.AgreementView> queue;

    public boolean isSteward() {
        return agreements.mayRequest(caller.get());
    }

    public boolean isOfficer() {
        return agreements.mayDecide(caller.get());
    }

    public List<AgreementService.AgreementView> getAgreements() {
        if (all == null) {
            all = agreements.agreements();
        }
        return all;
    }

    public List<AgreementService.AgreementView> getReviewQueue() {
        if (queue == null) {
            queue = agreements.reviewQueue(caller.get());
        }
        return queue;
    }

    public List<AgreementService.AgreementView> getHistory() {
        if (id == null) {
            return List.of();
        }
        try {
            return agreements.history(id);
        } catch (NotFoundException e) {
            return List.of();
        }
    }

    /** The changes from each version to the next, oldest first. */
    public List<AgreementService.Change> changesTo(AgreementService.AgreementView version) {
        List<AgreementService.AgreementView> history = getHistory();
        int at = history.indexOf(version);
        return at <= 0 ? List.of() : agreements.diff(history.get(at - 1).id(), version.id());
    }

    public void request() {
        FacesContext faces = FacesContext.getCurrentInstance();
        PlanRequest planRequest;
        try (Jsonb jsonb = JsonbBuilder.create()) {
            planRequest = jsonb.fromJson(plan == null || plan.isBlank() ? "{}" : plan, PlanRequest.class);
        } catch (Exception e) {
            faces.addMessage("request:plan", new FacesMessage(FacesMessage.SEVERITY_ERROR, "The plan is not valid JSON",
                    "Paste the plan as its JSON, for example {\"rounds\": 5}"));
            return;
        }
        Instant expiresAt = expires == null || expires.isBlank() ? null : parseDate(faces);
        if (expires != null && !expires.isBlank() && expiresAt == null) {
            return;
        }
        try {
            java.util.List<String> names = Arrays.stream(datasets.split(",")).map(String::strip).filter(d -> !d.isEmpty()).toList();
            AgreementService.AgreementView a = agreements.request(caller.get(), new AgreementService.AgreementRequest(planRequest,
                    names, new LinkedHashSet<>(modalities), purpose, task, epsilon, delta, retentionDays, expiresAt, false, null));
            faces.addMessage(null, new FacesMessage(FacesMessage.SEVERITY_INFO, "Agreement " + a.id() + " requested for plan "
                    + a.planSha256().substring(0, 12) + "…; it waits for both compliance officers", ""));
            all = null;
        } catch (InvalidRequestException | ForbiddenException e) {
            faces.addMessage(null, new FacesMessage(FacesMessage.SEVERITY_ERROR, "Cannot request the agreement", e.getMessage()));
        }
    }

    public void approve(long agreementId) {
        decide(agreementId, true);
    }

    public void reject(long agreementId) {
        decide(agreementId, false);
    }

    private void decide(long agreementId, boolean approve) {
        FacesContext faces = FacesContext.getCurrentInstance();
        try {
            AgreementService.AgreementView a = agreements.decide(caller.get(), agreementId, approve, comments.get(agreementId));
            faces.addMessage(null, new FacesMessage(FacesMessage.SEVERITY_INFO, "Agreement " + agreementId + " is now " + a.status(), ""));
            all = null;
            queue = null;
        } catch (InvalidRequestException | ForbiddenException | NotFoundException e) {
            faces.addMessage(null, new FacesMessage(FacesMessage.SEVERITY_ERROR, "Cannot decide agreement " + agreementId, e.getMessage()));
        }
    }

    public void revoke(long agreementId) {
        FacesContext faces = FacesContext.getCurrentInstance();
        try {
            agreements.revoke(caller.get(), agreementId, reasons.get(agreementId));
            faces.addMessage(null, new FacesMessage(FacesMessage.SEVERITY_INFO, "Agreement " + agreementId
                    + " revoked; its sites leave the plan's next rounds", ""));
            all = null;
        } catch (InvalidRequestException | ForbiddenException | NotFoundException e) {
            faces.addMessage(null, new FacesMessage(FacesMessage.SEVERITY_ERROR, "Cannot revoke agreement " + agreementId, e.getMessage()));
        }
    }

    /** The attached quality reports in a few words, for the officers deciding. */
    public String qualitySummary(AgreementService.AgreementView a) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        for (Long id : a.qualityReports()) {
            org.civitas.federation.coordinator.DatasetQualityService.ReportView r = quality.report(id);
            parts.add("report " + id + " on " + r.site() + "/" + r.dataset() + ": " + r.flaggedItems() + " of " + r.items()
                    + " items flagged, " + r.report().getInt("redactedItems") + " redacted");
        }
        return String.join("; ", parts);
    }

    private Instant parseDate(FacesContext faces) {
        try {
            return LocalDate.parse(expires.strip()).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            faces.addMessage("request:expires", new FacesMessage(FacesMessage.SEVERITY_ERROR, "Expiry must be a date like 2027-06-30", null));
            return null;
        }
    }

    /** "approved by x: comment" lines of an agreement's decisions. */
    public List<String> decisionLines(AgreementService.AgreementView a) {
        return a.decisions().stream().map(d -> (d.approved() ? "approved" : "rejected") + " by " + d.decidedBy() + " ("
                + d.scope().toLowerCase() + "): " + d.comment()).toList();
    }

    public Set<String> getModalityChoices() {
        return new java.util.TreeSet<>(org.civitas.domain.governance.DataSharingAgreement.MODALITIES);
    }

    public Map<String, String> getStatusHelp() {
        return Map.of("SUBMITTED", "waits for both compliance officers", "ACTIVE", "in force", "REJECTED", "rejected",
                "REVOKED", "revoked", "EXPIRED", "expired", "DRAFT", "draft");
    }

    public String getPlan() {
        return plan;
    }

    public void setPlan(String plan) {
        this.plan = plan;
    }

    public String getDatasets() {
        return datasets;
    }

    public void setDatasets(String datasets) {
        this.datasets = datasets;
    }

    public List<String> getModalities() {
        return modalities;
    }

    public void setModalities(List<String> modalities) {
        this.modalities = modalities;
    }

    public String getPurpose() {
        return purpose;
    }

    public void setPurpose(String purpose) {
        this.purpose = purpose;
    }

    public String getTask() {
        return task;
    }

    public void setTask(String task) {
        this.task = task;
    }

    public Double getEpsilon() {
        return epsilon;
    }

    public void setEpsilon(Double epsilon) {
        this.epsilon = epsilon;
    }

    public Double getDelta() {
        return delta;
    }

    public void setDelta(Double delta) {
        this.delta = delta;
    }

    public Integer getRetentionDays() {
        return retentionDays;
    }

    public void setRetentionDays(Integer retentionDays) {
        this.retentionDays = retentionDays;
    }

    public String getExpires() {
        return expires;
    }

    public void setExpires(String expires) {
        this.expires = expires;
    }

    public Map<Long, String> getComments() {
        return comments;
    }

    public Map<Long, String> getReasons() {
        return reasons;
    }

    public Long getId() {
        return id;
    }

    public void setId(Long id) {
        this.id = id;
    }
}
