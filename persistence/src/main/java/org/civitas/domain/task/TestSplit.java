package org.civitas.domain.task;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * A task version's test split at the coordinator: a manifest inside the coordinator's folder,
 * checked against the task's labels and modalities when registered and known by its content hash.
 * The model versions of the task's federations are evaluated on the newest one.
 */
@Entity
@Table(name = "test_split")
public class TestSplit {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "task_name", nullable = false, length = 64)
    private String taskName;

    @Column(name = "task_version", nullable = false)
    private int taskVersion;

    @Column(nullable = false, length = 100)
    private String name;

    /** The manifest's path relative to the coordinator's folder. */
    @Column(nullable = false, length = 1000)
    private String manifest;

    @Column(name = "content_sha256", nullable = false, length = 64)
    private String contentSha256;

    @Column(nullable = false)
    private int samples;

    @Column(name = "registered_by", nullable = false, length = 64)
    private String registeredBy;

    @Column(name = "registered_at", nullable = false)
    private Instant registeredAt;

    protected TestSplit() {
    }

    public TestSplit(String taskName, int taskVersion, String name, String manifest, String contentSha256, int samples,
                     String registeredBy, Instant registeredAt) {
        this.taskName = taskName;
        this.taskVersion = taskVersion;
        this.name = name;
        this.manifest = manifest;
        this.contentSha256 = contentSha256;
        this.samples = samples;
        this.registeredBy = registeredBy;
        this.registeredAt = registeredAt;
    }

    public Long getId() {
        return id;
    }

    public String getTaskName() {
        return taskName;
    }

    public int getTaskVersion() {
        return taskVersion;
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

    public String getRegisteredBy() {
        return registeredBy;
    }

    public Instant getRegisteredAt() {
        return registeredAt;
    }
}
