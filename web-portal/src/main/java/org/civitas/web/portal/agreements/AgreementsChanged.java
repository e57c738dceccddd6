package org.civitas.web.portal.agreements;

/** An agreement was requested, decided or revoked: the areas of the agreements page that cache what they show read again. */
public record AgreementsChanged() {
}
