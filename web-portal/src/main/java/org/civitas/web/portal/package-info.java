/** Faces backing beans of the portal; they stay small and delegate to application services. */
package org.civitas.web.portal;
