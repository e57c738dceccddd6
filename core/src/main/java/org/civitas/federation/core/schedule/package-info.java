/** When a site may train: training windows as cron-like calendars with a length and a time zone. */
package org.civitas.federation.core.schedule;
