package org.civitas.web.portal.federations;

/** A federation started, or the page's poll ticked: the areas of the federations page that cache what they show read again. */
public record FederationsChanged() {
}
