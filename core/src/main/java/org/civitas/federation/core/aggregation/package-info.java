/**
 * Aggregation strategies in the style of Flower: a {@link org.civitas.federation.core.aggregation.Strategy}
 * configures a round and folds the sites' replies into the next global state, separate from the
 * transport that brought the replies and from the records that persist them.
 */
package org.civitas.federation.core.aggregation;
