package org.civitas.domain.quality;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import org.civitas.domain.dataset.DatasetRegistration;

import java.time.Instant;

/** A site's aggregate quality report about one of its registered datasets, as the coordinator keeps it. */
@Entity
@Table(name = "dataset_quality_report")
public class DatasetQualityReport {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(optional = false, fetch = FetchType.EAGER)
    @JoinColumn(name = "dataset_id", nullable = false)
    private DatasetRegistration dataset;

    @Column(nullable = false)
    private int items;

    @Column(name = "flagged_items", nullable = false)
    private int flaggedItems;

    @Column(name = "report_json", nullable = false, length = 16000)
    private String reportJson;

    @Column(name = "received_at", nullable = false)
    private Instant receivedAt;

    protected DatasetQualityReport() {
    }

    public DatasetQualityReport(DatasetRegistration dataset, int items, int flaggedItems, String reportJson, Instant now) {
        if (items < 0 || flaggedItems < 0 || flaggedItems > items) {
            throw new IllegalArgumentException("a quality report counts " + flaggedItems + " flagged of " + items + " items");
        }
        this.dataset = dataset;
        this.items = items;
        this.flaggedItems = flaggedItems;
        this.reportJson = reportJson;
        this.receivedAt = now;
    }

    public Long getId() {
        return id;
    }

    public DatasetRegistration getDataset() {
        return dataset;
    }

    public int getItems() {
        return items;
    }

    public int getFlaggedItems() {
        return flaggedItems;
    }

    public String getReportJson() {
        return reportJson;
    }

    public Instant getReceivedAt() {
        return receivedAt;
    }
}
