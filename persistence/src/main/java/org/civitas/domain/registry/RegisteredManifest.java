package org.civitas.domain.registry;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * A model manifest registered at the coordinator, known by the SHA-256 of its canonical JSON (the
 * caller checked and canonicalised it). One an operator registers leaves out the labels; the one a
 * plan trains is that manifest bound to a task's labels, kept with its base and task so that sites
 * can fetch it by hash.
 */
@Entity
@Table(name = "model_manifest")
public class RegisteredManifest {

    public static final int MAX_JSON_LENGTH = 16000;

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, length = 100)
    private String name;

    @Column(nullable = false, length = 64)
    private String sha256;

    @Column(name = "canonical_json", nullable = false, length = MAX_JSON_LENGTH)
    private String canonicalJson;

    /** {@code image}, {@code text} or {@code image,text}. */
    @Column(nullable = false, length = 32)
    private String modalities;

    @Column(name = "base_sha256", length = 64)
    private String baseSha256;

    @Column(name = "task_name", length = 64)
    private String taskName;

    @Column(name = "task_version")
    private Integer taskVersion;

    @Column(name = "registered_by", nullable = false, length = 64)
    private String registeredBy;

    @Column(name = "registered_at", nullable = false)
    private Instant registeredAt;

    protected RegisteredManifest() {
    }

    public RegisteredManifest(String name, String sha256, String canonicalJson, String modalities, String registeredBy, Instant now) {
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new IllegalArgumentException("name must be 1 to 100 characters");
        }
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("sha256 must be 64 lowercase hex digits");
        }
        if (canonicalJson == null || canonicalJson.length() > MAX_JSON_LENGTH) {
            throw new IllegalArgumentException("a manifest's canonical JSON holds at most " + MAX_JSON_LENGTH + " characters");
        }
        this.name = name;
        this.sha256 = sha256;
        this.canonicalJson = canonicalJson;
        this.modalities = modalities;
        this.registeredBy = registeredBy;
        this.registeredAt = now;
    }

    /** Marks this manifest as {@code base} bound to a task version's labels. */
    public RegisteredManifest boundTo(String baseSha256, String taskName, int taskVersion) {
        this.baseSha256 = baseSha256;
        this.taskName = taskName;
        this.taskVersion = taskVersion;
        return this;
    }

    public Long getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public String getSha256() {
        return sha256;
    }

    public String getCanonicalJson() {
        return canonicalJson;
    }

    public String getModalities() {
        return modalities;
    }

    public String getBaseSha256() {
        return baseSha256;
    }

    public String getTaskName() {
        return taskName;
    }

    public Integer getTaskVersion() {
        return taskVersion;
    }

    public String getRegisteredBy() {
        return registeredBy;
    }

    public Instant getRegisteredAt() {
        return registeredAt;
    }
}
