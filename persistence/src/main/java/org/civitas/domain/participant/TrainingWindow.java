package org.civitas.domain.participant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * One training window of a hosted site, as its IT operator set it: a cron expression for when it
 * opens, how long it stays open, and the time zone. The expression is validated by the caller
 * (the training calendar) before it is stored.
 */
@Entity
@Table(name = "site_training_window")
public class TrainingWindow {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "site_code", nullable = false, length = 64)
    private String siteCode;

    @Column(nullable = false, length = 120)
    private String cron;

    @Column(name = "length_seconds", nullable = false)
    private long lengthSeconds;

    @Column(name = "time_zone", nullable = false, length = 64)
    private String timeZone;

    @Column(name = "set_by", nullable = false, length = 64)
    private String setBy;

    @Column(name = "set_at", nullable = false)
    private Instant setAt;

    protected TrainingWindow() {
    }

    public TrainingWindow(String siteCode, String cron, long lengthSeconds, String timeZone, String setBy, Instant now) {
        this.siteCode = siteCode;
        this.cron = cron;
        this.lengthSeconds = lengthSeconds;
        this.timeZone = timeZone;
        this.setBy = setBy;
        this.setAt = now;
    }

    public Long getId() {
        return id;
    }

    public String getSiteCode() {
        return siteCode;
    }

    public String getCron() {
        return cron;
    }

    public long getLengthSeconds() {
        return lengthSeconds;
    }

    public String getTimeZone() {
        return timeZone;
    }

    public String getSetBy() {
        return setBy;
    }

    public Instant getSetAt() {
        return setAt;
    }
}
