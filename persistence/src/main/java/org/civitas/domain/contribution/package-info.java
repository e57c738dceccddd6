/** What each site contributed to each round, as valued at the coordinator. */
package org.civitas.domain.contribution;
