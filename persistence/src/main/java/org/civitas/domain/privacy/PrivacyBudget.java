package org.civitas.domain.privacy;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;
import jakarta.persistence.Version;
import org.civitas.domain.consortium.Codes;
import org.civitas.domain.consortium.Enterprise;

import java.time.Instant;

/**
 * The (epsilon, delta) an enterprise grants one of its datasets (by name, at all its sites) across
 * every federation over the dataset's lifetime. Versioned: two rounds charging the same dataset at
 * once cannot both pass the check on a stale spend.
 */
@Entity
@Table(name = "privacy_budget", uniqueConstraints = @UniqueConstraint(columnNames = {"enterprise_id", "dataset_name"}))
public class PrivacyBudget {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(optional = false, fetch = FetchType.EAGER)
    @JoinColumn(name = "enterprise_id", nullable = false)
    private Enterprise enterprise;

    @Column(name = "dataset_name", nullable = false, length = 100)
    private String datasetName;

    /** The lifetime epsilon granted; null while none is set (spends are recorded all the same). */
    @Column
    private Double epsilon;

    @Column(nullable = false)
    private double delta;

    /** Who granted it: an operator today, the approved data-sharing agreement once agreements exist. */
    @Column(nullable = false, length = 200)
    private String source;

    @Column(name = "set_at", nullable = false)
    private Instant setAt;

    @Version
    private long version;

    protected PrivacyBudget() {
    }

    public PrivacyBudget(Enterprise enterprise, String datasetName, double epsilon, double delta, String source, Instant now) {
        this.enterprise = enterprise;
        this.datasetName = Codes.require(datasetName, "dataset");
        change(epsilon, delta, source, now);
    }

    /** The ledger of a dataset first used under DP before anyone set its budget: spends count, nothing limits them yet. */
    public static PrivacyBudget unlimited(Enterprise enterprise, String datasetName, double delta, Instant now) {
        PrivacyBudget b = new PrivacyBudget();
        b.enterprise = enterprise;
        b.datasetName = Codes.require(datasetName, "dataset");
        b.delta = delta;
        b.source = "no budget set";
        b.setAt = now;
        return b;
    }

    public boolean isLimited() {
        return epsilon != null;
    }

    /**
     * Sets a new budget. It may grow or shrink; spent privacy is never given back, so a budget
     * below what was spent simply refuses every further round.
     */
    public final void change(double epsilon, double delta, String source, Instant now) {
        if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
            throw new IllegalArgumentException("privacy budget epsilon must be a positive number, was " + epsilon);
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("privacy budget delta must be in (0, 1), was " + delta);
        }
        if (source == null || source.isBlank() || source.length() > 200) {
            throw new IllegalArgumentException("privacy budget needs a source of at most 200 characters (who granted it)");
        }
        this.epsilon = epsilon;
        this.delta = delta;
        this.source = source;
        this.setAt = now;
    }

    public Long getId() {
        return id;
    }

    public Enterprise getEnterprise() {
        return enterprise;
    }

    public String getDatasetName() {
        return datasetName;
    }

    public Double getEpsilon() {
        return epsilon;
    }

    public double getDelta() {
        return delta;
    }

    public String getSource() {
        return source;
    }

    public Instant getSetAt() {
        return setAt;
    }
}
