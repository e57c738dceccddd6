package org.civitas.domain.quality;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The features the data-quality job measured on one manifest line, encoded by the quality core. */
@Entity
@Table(name = "quality_item")
public class QualityItem {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "run_id", nullable = false)
    private long runId;

    @Column(nullable = false)
    private int line;

    @Column(nullable = false)
    private byte[] features;

    protected QualityItem() {
    }

    public QualityItem(long runId, int line, byte[] features) {
        this.runId = runId;
        this.line = line;
        this.features = features;
    }

    public long getRunId() {
        return runId;
    }

    public int getLine() {
        return line;
    }

    /** The line measured again (a repeated chunk) or completed (its text embedded). */
    public void remeasured(byte[] features) {
        this.features = features;
    }

    public byte[] getFeatures() {
        return features;
    }
}
