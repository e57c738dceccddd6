package org.civitas.web.portal.agreements;

import jakarta.ejb.EJB;
import jakarta.enterprise.event.Event;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import org.civitas.domain.governance.DataSharingAgreement;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.coordinator.AgreementService;
import org.civitas.federation.coordinator.PlanRequest;
import org.civitas.web.portal.Messages;
import org.civitas.web.portal.Texts;
import org.civitas.web.security.CurrentCaller;

import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The agreements page's request form: a data steward asks for an agreement binding datasets to a plan. */
@Named
@ViewScoped
public class AgreementRequestForm implements Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    AgreementService agreements;

    @Inject
    CurrentCaller caller;

    @Inject
    Event<AgreementsChanged> changed;

    private String plan = "{}";
    private String datasets = "incident-features";
    private List<String> modalities = List.of("features");
    private String purpose;
    private String task;
    private Double epsilon;
    private Double delta;
    private Integer retentionDays = 365;
    private String expires;

    /** Whether the caller may request agreements, and so sees this form. */
    public boolean isShown() {
        return agreements.mayRequest(caller.get());
    }

    public Set<String> getModalityChoices() {
        return new TreeSet<>(DataSharingAgreement.MODALITIES);
    }

    public void request() {
        PlanRequest planRequest;
        try (Jsonb jsonb = JsonbBuilder.create()) {
            planRequest = jsonb.fromJson(plan == null || plan.isBlank() ? "{}" : plan, PlanRequest.class);
        } catch (Exception e) {
            Messages.errorAt("request:plan", Texts.of("agreements.invalidPlan"), Texts.of("agreements.invalidPlan.detail"));
            return;
        }
        Instant expiresAt = null;
        if (expires != null && !expires.isBlank()) {
            try {
                expiresAt = LocalDate.parse(expires.strip()).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e) {
                Messages.errorAt("request:expires", Texts.of("agreements.invalidExpiry"), null);
                return;
            }
        }
        try {
            List<String> names = Arrays.stream(datasets.split(",")).map(String::strip).filter(d -> !d.isEmpty()).toList();
            AgreementService.AgreementView a = agreements.request(caller.get(), new AgreementService.AgreementRequest(planRequest,
                    names, new LinkedHashSet<>(modalities), purpose, task, epsilon, delta, retentionDays, expiresAt, false, null));
            Messages.info(Texts.of("agreements.requested", a.id(), a.planSha256().substring(0, 12)), "");
            changed.fire(new AgreementsChanged());
        } catch (InvalidRequestException | ForbiddenException e) {
            Messages.error(Texts.of("agreements.cannotRequest"), e.getMessage());
        }
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
}
