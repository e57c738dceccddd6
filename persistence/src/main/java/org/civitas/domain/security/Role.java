package org.civitas.domain.security;

/** What a user may do. Roles other than the consortium's are scoped to the user's enterprise. */
public enum Role {
    /** Registers enterprises and sites, defines and starts federations. */
    CONSORTIUM_ADMIN,
    /** Reviews and decides data-sharing agreements: of its enterprise, or of the consortium when it has none. */
    COMPLIANCE_OFFICER,
    /** Registers datasets and requests agreements for its enterprise. */
    DATA_STEWARD,
    /** Runs its enterprise's servers: training windows, jobs. */
    IT_OPERATOR,
    /** Reads everything, changes nothing; verifies the audit chain. */
    AUDITOR
}
