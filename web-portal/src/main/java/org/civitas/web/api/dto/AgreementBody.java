package org.civitas.web.api.dto;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import org.civitas.federation.coordinator.AgreementService;
import org.civitas.federation.coordinator.PlanRequest;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A data steward's request for an agreement, or a new version of one: the plan in full (the
 * agreement binds its hash), the datasets and modalities it may use, why, for which task, the
 * privacy budget of a DP plan, how long data is kept (default 365 days) and until when (default a
 * year). Left out, {@code qualityReports} attaches the newest report of each named dataset; [] none.
 * The rules that need the plan or the database (the plan has a site of the enterprise, the reports
 * are its own) stay in {@link AgreementService}.
 */
public record AgreementBody(
        @NotNull(message = "give the plan the agreement binds, as its JSON (for example {\"rounds\": 5})") PlanRequest plan,
        @NotEmpty(message = "datasets must name at least one dataset") List<@NotBlank(message = "a dataset name is blank") String> datasets,
        @NotEmpty(message = "modalities must name at least one modality") Set<@NotBlank(message = "a modality is blank") String> modalities,
        @NotBlank(message = "purpose must be 1-1000 characters") @Size(max = 1000, message = "purpose must be 1-1000 characters") String purpose,
        @NotBlank(message = "task must be 1-200 characters") @Size(max = 200, message = "task must be 1-200 characters") String task,
        @Positive(message = "privacy budget needs epsilon > 0") Double epsilon,
        @Positive(message = "privacy budget needs delta in (0, 1)") @Max(value = 1, message = "privacy budget needs delta in (0, 1)") Double delta,
        @Min(value = 1, message = "retentionDays must be in [1, 3650], was ${validatedValue}")
        @Max(value = 3650, message = "retentionDays must be in [1, 3650], was ${validatedValue}") Integer retentionDays,
        Instant expiresAt,
        Boolean draft,
        List<@NotNull(message = "a quality report id is null") Long> qualityReports) {

    public AgreementService.AgreementRequest toRequest() {
        return new AgreementService.AgreementRequest(plan, datasets, modalities, purpose, task, epsilon, delta, retentionDays, expiresAt,
                draft, qualityReports);
    }
}
