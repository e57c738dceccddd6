/** The {@code round-valuation} job: value each site's contribution to an aggregated round, off the round's critical path. */
package org.civitas.batch.valuation;
