/**
 * Site identity beyond the access token: each site's Ed25519 key signs its updates, so the
 * coordinator knows an update came from the site and was not changed or replayed on the way.
 */
package org.civitas.federation.core.identity;
