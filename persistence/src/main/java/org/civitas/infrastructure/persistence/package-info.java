/**
 * JPA repositories of the domain aggregates, the schema migration runner, and the readiness check
 * that reports whether the schema is in place.
 */
package org.civitas.infrastructure.persistence;
