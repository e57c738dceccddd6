package org.civitas.domain.federation;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

/** A site's dataset version in a plan: its name and content hash (the plan is keyed by site). */
@Embeddable
public class PlannedDataset {

    @Column(name = "dataset_name", nullable = false, length = 100)
    private String name;

    @Column(name = "content_sha256", nullable = false, length = 64)
    private String contentSha256;

    protected PlannedDataset() {
    }

    PlannedDataset(String name, String contentSha256) {
        this.name = name;
        this.contentSha256 = contentSha256;
    }

    public String getName() {
        return name;
    }

    public String getContentSha256() {
        return contentSha256;
    }
}
