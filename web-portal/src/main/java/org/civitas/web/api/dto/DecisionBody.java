package org.civitas.web.api.dto;

import jakarta.validation.constraints.NotNull;

/** A compliance officer's decision on an agreement; the comment is required by the agreement itself. */
public record DecisionBody(@NotNull(message = "say whether you approve: {\"approve\": true|false, \"comment\": \"...\"}") Boolean approve,
                           String comment) {
}
