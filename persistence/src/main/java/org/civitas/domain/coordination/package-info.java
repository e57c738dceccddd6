/** Coordination between coordinator servers that share one database: who leads. */
package org.civitas.domain.coordination;
