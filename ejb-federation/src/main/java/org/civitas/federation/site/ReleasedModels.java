package org.civitas.federation.site;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.civitas.federation.infrastructure.BlobStore;
import org.civitas.federation.protocol.ReleasedModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The versions the consortium released, as each hosted site last heard them from its coordinator,
 * asked again once the answer is {@link #FRESH_FOR} old. Predictions come many a second; asking the
 * coordinator for each would cost a round trip every time, and a withdrawal still reaches the site
 * within seconds. A released version's state is fetched once and kept in the site's folder, for
 * predictions and batch scoring alike.
 */
@ApplicationScoped
public class ReleasedModels {

    /** How long a site trusts the list it was given. */
    public static final Duration FRESH_FOR = Duration.ofSeconds(5);

    private record Heard(List<ReleasedModel> released, Instant at) {
    }

    private final Map<String, Heard> bySite = new ConcurrentHashMap<>();

    @Inject
    CoordinatorClient coordinator;

    @Inject
    Clock clock;

    /**
     * The released version of that model hash, if there is one. A hash the site's list lacks is asked
     * about again at once: a version released a moment ago is served without waiting for the list to age.
     */
    public java.util.Optional<ReleasedModel> find(SiteIdentity site, String modelSha256) {
        java.util.Optional<ReleasedModel> known = lookup(released(site, false), modelSha256);
        return known.isPresent() ? known : lookup(released(site, true), modelSha256);
    }

    private static java.util.Optional<ReleasedModel> lookup(List<ReleasedModel> released, String modelSha256) {
        return released.stream().filter(r -> r.modelSha256().equals(modelSha256)).findFirst();
    }

    private List<ReleasedModel> released(SiteIdentity site, boolean ask) {
        Instant now = clock.instant();
        Heard heard = bySite.get(site.code());
        if (ask || heard == null || !now.isBefore(heard.at().plus(FRESH_FOR))) {
            heard = new Heard(List.copyOf(coordinator.releases(site)), now);
            bySite.put(site.code(), heard);
        }
        return heard.released();
    }

    /** The released version's state, fetched once from the coordinator into the site's folder and checked against its hash. */
    public Path state(SiteIdentity site, ReleasedModel version) {
        Path file = site.home().resolve("releases").resolve(version.modelSha256() + ".safetensors");
        if (Files.exists(file)) {
            return file;
        }
        byte[] state = coordinator.releasedState(site, version.modelSha256());
        String actual = BlobStore.sha256(state);
        if (!actual.equals(version.modelSha256())) {
            throw new IllegalStateException("the coordinator sent model version " + version.modelSha256() + " with sha256 " + actual);
        }
        try {
            Files.createDirectories(file.getParent());
            // A name of its own: two partitions of a scoring job may fetch the same version at once.
            Path partial = file.resolveSibling(file.getFileName() + "." + java.util.UUID.randomUUID() + ".partial");
            Files.write(partial, state);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("site " + site.code() + " cannot keep released version " + version.modelSha256(), e);
        }
        return file;
    }
}
