/**
 * Mutual TLS between the consortium's servers: the SSL context a site (and its readiness check)
 * uses to reach the coordinator with its CA-signed certificate, and reading the site a client
 * certificate names. Lives in this EAR library so both the health checks and the application see it.
 */
package org.civitas.infrastructure.tls;
