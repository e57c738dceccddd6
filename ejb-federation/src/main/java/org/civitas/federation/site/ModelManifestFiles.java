package org.civitas.federation.site;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.civitas.federation.core.model.manifest.ModelManifest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.StandardCopyOption;

/**
 * The model manifests a site's worker runs, fetched from the coordinator by hash and cached in the
 * site's folder. A manifest is used only once its canonical JSON hashes to the hash the plan
 * announced, whether it was just fetched or read from the cache.
 */
@ApplicationScoped
public class ModelManifestFiles {

    @Inject
    CoordinatorClient coordinator;

    @Inject
    org.civitas.federation.infrastructure.ArtifactFiles artifacts;

    /**
     * The file of the manifest with this hash.
     *
     * @throws IllegalStateException when the round names no manifest, or what the coordinator sent does
     *                               not hash to {@code sha256}
     */
    public Path file(SiteIdentity site, String sha256) {
        if (sha256 == null) {
            throw new IllegalStateException("the round names no model manifest: a multimodal plan trains a registered one");
        }
        Path file = site.home().resolve("models").resolve(sha256 + ".json");
        try {
            if (Files.isRegularFile(file) && verified(Files.readString(file, StandardCharsets.UTF_8), sha256)) {
                fetchArtifacts(site, read(file));
                return file;
            }
            String json = coordinator.modelManifest(site, sha256);
            if (!verified(json, sha256)) {
                throw new IllegalStateException("the model manifest the coordinator sent for sha256 " + sha256
                        + " hashes otherwise: it is not run");
            }
            Files.createDirectories(file.getParent());
            // A name of its own: two partitions of a scoring job may fetch the same manifest at once.
            Path partial = file.resolveSibling(file.getFileName() + "." + java.util.UUID.randomUUID() + ".partial");
            Files.writeString(partial, json, StandardCharsets.UTF_8);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            fetchArtifacts(site, read(file));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep model manifest " + sha256 + " in site " + site.code(), e);
        }
    }

    /**
     * An operator's artifact the manifest names by hash ({@code sha256:<hex>}), fetched from the
     * coordinator into this server's artifact folder unless it is there: kept only if its bytes hash
     * to that name, and checked again by the worker before it runs.
     */
    private void fetchArtifacts(SiteIdentity site, ModelManifest manifest) {
        List<String> named = new ArrayList<>();
        if (manifest.image() != null && manifest.image().artifact() != null) {
            named.add(manifest.image().artifact());
        }
        if (manifest.image() != null && manifest.image().base() != null) {
            named.add(manifest.image().base());
        }
        if (manifest.text() != null) {
            named.add(manifest.text().artifact());
            named.add(manifest.text().tokenizer());
        }
        for (String location : named) {
            if (location.startsWith("sha256:")) {
                String sha256 = location.substring("sha256:".length());
                if (!artifacts.has(sha256)) {
                    coordinator.fetchModelArtifact(site, sha256, artifacts);
                }
            }
        }
    }

    /** The labels-and-modalities check of a manifest file this class returned. */
    public ModelManifest read(Path file) {
        try {
            return ModelManifest.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean verified(String json, String sha256) {
        try {
            return ModelManifest.parse(json).sha256().equals(sha256);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
