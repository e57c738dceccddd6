/** Member enterprises and their sites: who takes part, and how a site proves who it is. */
package org.civitas.domain.consortium;
