/**
 * Contribution valuation of a round: how much each site's update improved the global model,
 * measured on a validation split with sub-models rebuilt from the round's updates (no retraining):
 * exact Shapley values for a few sites, leave-one-out, and GTG-Shapley for more.
 */
package org.civitas.federation.core.valuation;
