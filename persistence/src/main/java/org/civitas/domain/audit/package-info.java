/** The tamper-evident audit chain: every governance and federation event, each entry bound to the one before by its hash. */
package org.civitas.domain.audit;
