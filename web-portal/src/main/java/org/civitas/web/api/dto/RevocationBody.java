package org.civitas.web.api.dto;

/** Why an agreement is revoked; the agreement requires the reason. */
public record RevocationBody(String reason) {
}
