/**
 * Readiness checks that mean something: the database answers, the coordinator is reachable from
 * this server's sites, the model worker is installed. They live in an EAR library jar because
 * that is where the server discovers them; they run on a management thread (no java:comp).
 */
package org.civitas.infrastructure.health;
