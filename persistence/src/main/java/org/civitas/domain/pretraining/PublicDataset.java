package org.civitas.domain.pretraining;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * Public data the consortium names for pretraining: a manifest inside the coordinator's folder,
 * checked when registered and known by its content hash, with its own labels (not a task's).
 */
@Entity
@Table(name = "public_dataset")
public class PublicDataset {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, length = 100, unique = true)
    private String name;

    @Column(nullable = false, length = 1000)
    private String description;

    /** The manifest's path relative to the coordinator's folder. */
    @Column(nullable = false, length = 1000)
    private String manifest;

    @Column(name = "content_sha256", nullable = false, length = 64)
    private String contentSha256;

    @Column(nullable = false)
    private int samples;

    /** The labels its samples carry, sorted, as a JSON array. */
    @Column(name = "labels_json", nullable = false, length = 70000)
    private String labelsJson;

    @Column(name = "registered_by", nullable = false, length = 64)
    private String registeredBy;

    @Column(name = "registered_at", nullable = false)
    private Instant registeredAt;

    protected PublicDataset() {
    }

    public PublicDataset(String name, String description, String manifest, String contentSha256, int samples, String labelsJson,
                         String registeredBy, Instant registeredAt) {
        this.name = name;
        this.description = description;
        this.manifest = manifest;
        this.contentSha256 = contentSha256;
        this.samples = samples;
        this.labelsJson = labelsJson;
        this.registeredBy = registeredBy;
        this.registeredAt = registeredAt;
    }

    public Long getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public String getDescription() {
        return description;
    }

    public String getManifest() {
        return manifest;
    }

    public String getContentSha256() {
        return contentSha256;
    }

    public int getSamples() {
        return samples;
    }

    public String getLabelsJson() {
        return labelsJson;
    }

    public String getRegisteredBy() {
        return registeredBy;
    }

    public Instant getRegisteredAt() {
        return registeredAt;
    }
}
