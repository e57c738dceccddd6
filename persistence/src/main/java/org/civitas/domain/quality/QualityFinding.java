package org.civitas.domain.quality;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One flagged item of a quality run; it names the item, so it stays at the site. */
@Entity
@Table(name = "quality_finding")
public class QualityFinding {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "run_id", nullable = false)
    private long runId;

    @Column(nullable = false)
    private int line;

    @Column(name = "item_id", nullable = false, length = 200)
    private String itemId;

    @Column(name = "check_key", nullable = false, length = 32)
    private String check;

    @Column(nullable = false)
    private double score;

    @Column(nullable = false, length = 1000)
    private String reason;

    @Column(name = "related_id", length = 200)
    private String relatedId;

    protected QualityFinding() {
    }

    public QualityFinding(long runId, int line, String itemId, String check, double score, String reason, String relatedId) {
        this.runId = runId;
        this.line = line;
        this.itemId = itemId.length() > 200 ? itemId.substring(0, 200) : itemId;
        this.check = check;
        this.score = score;
        this.reason = reason.length() > 1000 ? reason.substring(0, 997) + "..." : reason;
        this.relatedId = relatedId;
    }

    public long getRunId() {
        return runId;
    }

    public int getLine() {
        return line;
    }

    public String getItemId() {
        return itemId;
    }

    public String getCheck() {
        return check;
    }

    public double getScore() {
        return score;
    }

    public String getReason() {
        return reason;
    }

    public String getRelatedId() {
        return relatedId;
    }
}
