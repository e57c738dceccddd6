/** Small JSON reading helpers over Jackson's streaming parser, for the core's own formats. */
package org.civitas.federation.core.json;
