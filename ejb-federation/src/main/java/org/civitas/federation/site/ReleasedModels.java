package org.civitas.federation.site;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.civitas.federation.protocol.ReleasedModel;

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
 * within seconds.
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
}
