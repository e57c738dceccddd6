package org.civitas.web.portal.registry;

/** A release was proposed, decided or withdrawn: the release table reads again. */
public record ReleasesChanged() {
}
