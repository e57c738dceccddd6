/**
 * Readiness checks of what a Civitas server needs besides its database: the coordinator is
 * reachable from this server's sites, the model worker is installed. They live in an EAR library
 * jar because that is where the server discovers them (not in the EJB module); they run on a
 * management thread (no java:comp). The database's own checks sit in the persistence module.
 */
package org.civitas.operations.health;
