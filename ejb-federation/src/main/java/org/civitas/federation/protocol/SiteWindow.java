package org.civitas.federation.protocol;

/** One training window as a site reports it to the coordinator: a Quartz cron, a length and a time zone. */
public record SiteWindow(String cron, Long lengthSeconds, String timeZone) {
}
