/**
 * Federated rounds without a server: a {@link org.civitas.federation.core.simulation.ParticipantGateway}
 * stands for the transport to the sites (the in-memory one trains local trainers on local data),
 * and {@link org.civitas.federation.core.simulation.FederatedSimulation} drives a strategy through
 * rounds, as Flower's simulation does. Used by tests and benchmarks; the server drives the same
 * strategies through REST and the database.
 */
package org.civitas.federation.core.simulation;
