package org.civitas.web.api.dto;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

import java.math.BigDecimal;

/** A manual ledger adjustment: credits from one account to another, with a memo saying why. */
public record AdjustmentBody(
        @NotBlank(message = "name the account credits come from") String from,
        @NotBlank(message = "name the account credits go to") String to,
        @NotNull(message = "give the amount") @Positive(message = "amount must be positive") BigDecimal amount,
        String memo) {
}
