/**
 * Federation plans, federations and their rounds, and the receipts of accepted updates: the
 * round lifecycle open -> aggregated (or failed) and the rules that guard it.
 */
package org.civitas.domain.federation;
