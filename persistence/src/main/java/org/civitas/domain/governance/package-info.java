/**
 * Governance: data-sharing agreements that bind an enterprise's datasets to one federation plan,
 * decided by two compliance officers (the enterprise's and the consortium's).
 */
package org.civitas.domain.governance;
