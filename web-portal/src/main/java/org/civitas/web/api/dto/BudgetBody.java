package org.civitas.web.api.dto;

import jakarta.validation.constraints.NotNull;

/** A dataset's lifetime privacy budget: epsilon, delta (default 1e-5) and who granted it. */
public record BudgetBody(@NotNull(message = "give epsilon (delta defaults to 1e-5)") Double epsilon, Double delta, String source) {
}
