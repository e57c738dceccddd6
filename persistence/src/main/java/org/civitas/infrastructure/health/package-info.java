/**
 * The database's readiness check: the datasource answers. The checks of what else a server needs
 * are in the operations module. They live in an EAR library jar because that is where the server
 * discovers them; they run on a management thread (no java:comp).
 */
package org.civitas.infrastructure.health;
