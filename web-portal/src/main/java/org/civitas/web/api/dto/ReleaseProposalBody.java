package org.civitas.web.api.dto;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/** A model version proposed for release: which federation and version, and why it is fit for use. */
public record ReleaseProposalBody(
        @NotNull(message = "name the federation") Long federation,
        @NotNull(message = "name the model version") @PositiveOrZero(message = "version must be 0 or more") Integer version,
        @NotBlank(message = "say why this version is fit for use") @Size(max = 1000, message = "note must be 1-1000 characters") String note) {
}
