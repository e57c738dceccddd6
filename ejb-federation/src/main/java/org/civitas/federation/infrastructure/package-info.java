/** Configuration, the file-based blob stores, metrics, log context and the every-second scheduling helper. */
package org.civitas.federation.infrastructure;
