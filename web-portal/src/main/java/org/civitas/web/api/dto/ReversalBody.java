package org.civitas.web.api.dto;

/** Why a ledger transaction is reversed: {@code {"memo": "why"}}. */
public record ReversalBody(String memo) {
}
