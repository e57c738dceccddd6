/**
 * The privacy-budget ledger: the epsilon an enterprise grants each of its datasets over its
 * lifetime, and every round that spent some of it under differential privacy.
 */
package org.civitas.domain.privacy;
