/**
 * Mutual TLS between the consortium's servers: the SSL context a site (and its readiness check)
 * uses to reach the coordinator with its CA-signed certificate, and reading the site a client
 * certificate names. In this EAR library so that the health checks, the EJB module and the web
 * module all see it.
 */
package org.civitas.operations.tls;
