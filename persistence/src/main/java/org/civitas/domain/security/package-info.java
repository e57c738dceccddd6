/** Who may use the portal and the API: user accounts, their roles, and the enterprise they act for. */
package org.civitas.domain.security;
