package org.civitas.federation.site;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.civitas.federation.infrastructure.CivitasSettings;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The coordinator's addresses as this server's sites reach it ({@code civitas.coordinator.url}: one,
 * or several comma-separated when coordinator servers share a database). Every call goes to the
 * current one; a call that cannot reach it moves all calls on to the next, in turn. Any coordinator
 * answers the participant protocol; only which one closes rounds is decided among them.
 */
@ApplicationScoped
public class CoordinatorAddresses {

    private static final Logger LOG = Logger.getLogger(CoordinatorAddresses.class.getName());

    @Inject
    CivitasSettings settings;

    private List<String> urls;
    private final AtomicInteger current = new AtomicInteger();

    protected CoordinatorAddresses() {
    }

    CoordinatorAddresses(List<String> urls) {
        this.urls = List.copyOf(urls);
    }

    @PostConstruct
    void read() {
        urls = settings.coordinatorUrls();
    }

    public String current() {
        return urls.get(current.get() % urls.size());
    }

    public List<String> all() {
        return urls;
    }

    /** A call to {@code url} could not reach it: the next call goes to the next address (once, however many calls failed). */
    public void unreachable(String url) {
        if (urls.size() < 2) {
            return;
        }
        int now = current.get();
        if (urls.get(now % urls.size()).equals(url) && current.compareAndSet(now, now + 1)) {
            LOG.warning(() -> "The coordinator at " + url + " cannot be reached; the sites call " + current() + " now");
        }
    }
}
