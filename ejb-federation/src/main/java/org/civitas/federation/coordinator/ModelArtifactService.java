package org.civitas.federation.coordinator;

import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import org.civitas.domain.security.Role;
import org.civitas.federation.common.AuditService;
import org.civitas.federation.common.Caller;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.common.UnprocessableException;
import org.civitas.federation.infrastructure.ArtifactFiles;

import java.io.InputStream;
import java.nio.file.Path;

/**
 * Artifacts an operator supplies for a model manifest (an ONNX image encoder): uploaded to the
 * coordinator with the SHA-256 the operator declares, kept only if the bytes have it, and served to
 * the sites by that hash.
 */
@Stateless
public class ModelArtifactService {

    /** What was kept. */
    public record ArtifactView(String sha256, long sizeBytes) {
    }

    @Inject
    ArtifactFiles artifacts;

    @EJB
    AuditService audit;

    /**
     * @throws UnprocessableException when the bytes do not hash to {@code sha256} (nothing kept)
     */
    public ArtifactView upload(Caller caller, String sha256, InputStream bytes) {
        caller.require("upload model artifacts", Role.CONSORTIUM_ADMIN);
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new InvalidRequestException("sha256: declare the artifact's SHA-256 as 64 lowercase hex digits (?sha256=...)");
        }
        long size;
        try {
            size = artifacts.put(bytes, sha256);
        } catch (ArtifactFiles.HashMismatchException e) {
            throw new UnprocessableException("sha256: the uploaded bytes hash to " + e.actual() + ", not the declared " + sha256
                    + "; nothing was kept");
        }
        audit.record(caller.actor(), "model-artifact.uploaded", "model artifact " + sha256, size + " bytes");
        return new ArtifactView(sha256, size);
    }

    public boolean has(String sha256) {
        return artifacts.has(sha256);
    }

    /** Where an uploaded artifact lies, for serving it. */
    public Path file(String sha256) {
        if (!artifacts.has(sha256)) {
            throw new NotFoundException("no model artifact has sha256 " + sha256);
        }
        return artifacts.path(sha256);
    }
}
