package org.civitas.web.api.dto;

/**
 * Why an agreement is revoked, and whether its enterprise's contributions are to be withdrawn from
 * the models trained under it as well (which two compliance officers then approve).
 */
public record AgreementRevocationBody(String reason, Boolean withdrawContributions) {
}
