package org.civitas.domain.governance;

/** Where an agreement stands. APPROVED becomes ACTIVE on its own; ACTIVE becomes EXPIRED at the expiry date. */
public enum AgreementStatus {
    DRAFT, SUBMITTED, APPROVED, REJECTED, ACTIVE, EXPIRED, REVOKED
}
