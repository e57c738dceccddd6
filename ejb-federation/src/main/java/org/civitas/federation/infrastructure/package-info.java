/** Configuration, the file-based blob stores, and the REST client of the participant protocol. */
package org.civitas.federation.infrastructure;
