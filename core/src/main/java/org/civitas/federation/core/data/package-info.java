/**
 * Local data at a site: deterministic synthetic feature data for the demo and tests, and its
 * on-disk CSV form. Only aggregates of it ever leave the site.
 */
package org.civitas.federation.core.data;
