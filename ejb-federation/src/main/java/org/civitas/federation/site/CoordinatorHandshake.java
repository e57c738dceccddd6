package org.civitas.federation.site;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.civitas.federation.protocol.SiteWindow;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a site tells the coordinator about itself once it reaches it: the key it signs its updates
 * with (once per start), and its training windows (after a start or a change), so that round
 * deadlines leave it time inside one.
 */
@ApplicationScoped
public class CoordinatorHandshake {

    private static final Logger LOG = Logger.getLogger(CoordinatorHandshake.class.getName());

    @Inject
    CoordinatorClient coordinator;

    @EJB
    TrainingWindowService windows;

    private final Map<String, List<SiteWindow>> reported = new ConcurrentHashMap<>();
    private final Set<String> keyRegistered = ConcurrentHashMap.newKeySet();

    /** Registers the site's signing key with the coordinator once per start (the same key again is accepted). */
    void registerSigningKeyOnce(SiteIdentity site) {
        if (keyRegistered.contains(site.code())) {
            return;
        }
        try {
            String fingerprint = coordinator.registerSigningKey(site);
            keyRegistered.add(site.code());
            LOG.info(() -> "Site " + site.code() + " signs its updates with Ed25519 key " + fingerprint);
        } catch (RuntimeException e) {
            // Said once: until the key is registered, uploads are refused as unverifiable or go unsigned.
            keyRegistered.add(site.code());
            LOG.log(Level.WARNING, "Site {0} could not register its signing key: {1}", new Object[] {site.code(), e.getMessage()});
        }
    }

    /** Reports the site's windows when they differ from what the coordinator was last told (nothing after a start). */
    void reportWindowsIfChanged(SiteIdentity site) {
        List<SiteWindow> now = windows.schedule(site.code()).windows().stream()
                .map(w -> new SiteWindow(w.cron(), w.lengthSeconds(), w.timeZone()))
                .toList();
        if (!now.equals(reported.get(site.code()))) {
            try {
                coordinator.reportWindows(site, now);
                reported.put(site.code(), now);
            } catch (RuntimeException e) {
                LOG.log(Level.INFO, "Site {0} could not report its training windows yet: {1}", new Object[] {site.code(), e.getMessage()});
            }
        }
    }
}
