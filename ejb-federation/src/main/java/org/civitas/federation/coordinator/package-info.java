/**
 * The coordinator: federations and their rounds, the participant protocol's server side,
 * aggregation, governance (agreements, privacy budgets, incentives, the ledger) and the model
 * registry. Thin {@code @Stateless} beans that mark transaction boundaries and coordinate
 * aggregates, stores and the pure core; views returned to the web tier are plain records. It
 * never reaches into {@code site}: what the two sides share is in {@code protocol}.
 */
package org.civitas.federation.coordinator;
