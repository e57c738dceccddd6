/** Personal heads: a site's own head on a released version, trained on its data alone. */
package org.civitas.domain.personal;
