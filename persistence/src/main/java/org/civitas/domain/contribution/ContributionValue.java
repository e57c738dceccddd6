package org.civitas.domain.contribution;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import org.civitas.domain.consortium.Site;
import org.civitas.domain.federation.Round;

import java.time.Instant;

/** A site's contribution to one aggregated round (for example its Shapley value of validation utility). Immutable. */
@Entity
@Table(name = "contribution_value")
public class ContributionValue {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(optional = false, fetch = FetchType.LAZY)
    @JoinColumn(name = "round_id", nullable = false)
    private Round round;

    @ManyToOne(optional = false, fetch = FetchType.EAGER)
    @JoinColumn(name = "site_id", nullable = false)
    private Site site;

    @Column(nullable = false, length = 40)
    private String method;

    @Column(name = "contribution", nullable = false)
    private double contribution;

    @Column(name = "valued_at", nullable = false)
    private Instant valuedAt;

    @Column(name = "free_rider_evidence", length = 1000)
    private String freeRiderEvidence;

    protected ContributionValue() {
    }

    public ContributionValue(Round round, Site site, String method, double contribution, String freeRiderEvidence, Instant now) {
        if (!Double.isFinite(contribution)) {
            throw new IllegalArgumentException("contribution of site " + site.getCode() + " is not a finite number");
        }
        this.round = round;
        this.site = site;
        this.method = method;
        this.contribution = contribution;
        this.valuedAt = now;
        this.freeRiderEvidence = freeRiderEvidence;
    }

    public String getFreeRiderEvidence() {
        return freeRiderEvidence;
    }

    public Round getRound() {
        return round;
    }

    public Site getSite() {
        return site;
    }

    public String getMethod() {
        return method;
    }

    public double getContribution() {
        return contribution;
    }

    public Instant getValuedAt() {
        return valuedAt;
    }
}
