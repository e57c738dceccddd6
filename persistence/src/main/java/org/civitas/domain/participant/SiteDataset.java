package org.civitas.domain.participant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * A dataset version a hosted site imported, as the site keeps it: which manifest inside the site's
 * folder it is, with the content hash it had when imported and the task it was checked against. A
 * plan pins a name and a content hash; this record turns them back into the file.
 */
@Entity
@Table(name = "site_dataset")
public class SiteDataset {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "site_code", nullable = false, length = 64)
    private String siteCode;

    @Column(nullable = false, length = 100)
    private String name;

    /** The manifest's path relative to the site's folder. */
    @Column(nullable = false, length = 1000)
    private String manifest;

    @Column(name = "content_sha256", nullable = false, length = 64)
    private String contentSha256;

    @Column(nullable = false)
    private int samples;

    @Column(name = "task_name", nullable = false, length = 64)
    private String taskName;

    @Column(name = "task_version", nullable = false)
    private int taskVersion;

    @Column(name = "imported_by", nullable = false, length = 64)
    private String importedBy;

    @Column(name = "imported_at", nullable = false)
    private Instant importedAt;

    protected SiteDataset() {
    }

    public SiteDataset(String siteCode, String name, String manifest, String contentSha256, int samples, String taskName, int taskVersion,
                       String importedBy, Instant importedAt) {
        this.siteCode = siteCode;
        this.name = name;
        this.manifest = manifest;
        this.contentSha256 = contentSha256;
        this.samples = samples;
        this.taskName = taskName;
        this.taskVersion = taskVersion;
        this.importedBy = importedBy;
        this.importedAt = importedAt;
    }

    public Long getId() {
        return id;
    }

    public String getSiteCode() {
        return siteCode;
    }

    public String getName() {
        return name;
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

    public String getTaskName() {
        return taskName;
    }

    public int getTaskVersion() {
        return taskVersion;
    }

    public String getImportedBy() {
        return importedBy;
    }

    public Instant getImportedAt() {
        return importedAt;
    }
}
