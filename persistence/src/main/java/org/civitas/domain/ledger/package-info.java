/**
 * The consortium's double-entry credit ledger: accounts per enterprise, a reward pool and the
 * issuance account credits come from. Every transaction's entries sum to zero; entries are never
 * changed, a correction is a reversing transaction.
 */
package org.civitas.domain.ledger;
