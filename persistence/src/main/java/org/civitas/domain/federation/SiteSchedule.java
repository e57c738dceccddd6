package org.civitas.domain.federation;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * The training windows a site reported to the coordinator (sites call out; the coordinator never
 * asks into an enterprise), kept as the site sent them: a JSON list of cron, length and zone.
 */
@Entity
@Table(name = "site_schedule")
public class SiteSchedule {

    @Id
    @Column(name = "site_code", length = 64)
    private String siteCode;

    @Column(name = "windows_json", nullable = false, length = 4000)
    private String windowsJson;

    @Column(name = "reported_at", nullable = false)
    private Instant reportedAt;

    protected SiteSchedule() {
    }

    public SiteSchedule(String siteCode, String windowsJson, Instant now) {
        this.siteCode = siteCode;
        report(windowsJson, now);
    }

    public final void report(String json, Instant now) {
        if (json == null || json.length() > 4000) {
            throw new IllegalArgumentException("a site's windows must fit in 4000 characters of JSON");
        }
        this.windowsJson = json;
        this.reportedAt = now;
    }

    public String getSiteCode() {
        return siteCode;
    }

    public String getWindowsJson() {
        return windowsJson;
    }

    public Instant getReportedAt() {
        return reportedAt;
    }
}
