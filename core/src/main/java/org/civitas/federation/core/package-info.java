/**
 * The pure core of Civitas: tensor I/O, model maths, aggregation strategies and synthetic data.
 * Nothing here imports Jakarta, EJB or JPA types (an ArchUnit test keeps it so), so it can be
 * unit-tested, benchmarked and reused by the model worker without a server.
 */
package org.civitas.federation.core;
