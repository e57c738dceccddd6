/**
 * Application services of the coordinator: thin {@code @Stateless} beans that mark transaction
 * boundaries and coordinate aggregates, stores and the pure core. Views returned to the web tier
 * are plain records.
 */
package org.civitas.federation.application;
