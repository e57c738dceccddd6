package org.civitas.federation.site;

import org.civitas.federation.infrastructure.BlobStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which manifest a round trains on. The federation's first trained round chooses one and pins it
 * with the SHA-256 of its bytes; every later round reads the pinned one, and one whose bytes have
 * changed since is refused, naming both hashes, rather than trained on.
 */
final class TrainingManifestPin {

    /** What an earlier round of the federation pinned: a path inside the site's folder, its hash, and the round. */
    record Pin(String manifest, String sha256, int round) {
    }

    /** The manifest to train on, as a path and as recorded (inside the site's folder), with the hash of its bytes now. */
    record Choice(Path manifest, String relative, String sha256) {
    }

    private TrainingManifestPin() {
    }

    static Choice choose(Path siteHome, long federationId, Optional<Pin> pinned, Supplier<Path> firstChoice) {
        Path manifest = pinned.map(p -> siteHome.resolve(p.manifest())).orElseGet(firstChoice);
        String sha256;
        try {
            sha256 = BlobStore.sha256(Files.readAllBytes(manifest));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the training manifest " + siteHome.relativize(manifest), e);
        }
        if (pinned.isPresent() && !pinned.get().sha256().equals(sha256)) {
            throw new IllegalStateException("the manifest " + pinned.get().manifest() + " that round " + pinned.get().round()
                    + " of federation " + federationId + " trained on has changed (SHA-256 " + pinned.get().sha256() + ", now " + sha256
                    + "): a federation trains on one version of the data");
        }
        return new Choice(manifest, siteHome.relativize(manifest).toString(), sha256);
    }
}
