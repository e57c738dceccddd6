package org.civitas.federation.coordinator;

import org.civitas.federation.protocol.SiteWindow;

import org.civitas.federation.common.InvalidRequestException;

import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import org.civitas.domain.consortium.Site;
import org.civitas.domain.federation.FederationPlan;
import org.civitas.domain.federation.Round;
import org.civitas.domain.federation.SiteSchedule;
import org.civitas.federation.core.schedule.TrainingCalendar;
import org.civitas.infrastructure.persistence.FederationRepository;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.time.Clock;

/**
 * The coordinator's knowledge of the sites' training windows: each site reports its windows, and
 * a synchronous round's deadline is set so that every site of the plan gets the round timeout
 * inside (or from the start of) one of its windows. A site's windows can push a deadline by at
 * most {@link #MAX_WINDOW_WAIT} beyond the timeout: a site whose next window opens later than that
 * does not extend the round (it misses it), so no site can hold a round open at will.
 */
@Stateless
public class SiteScheduleService {

    @Inject
    Clock clock;

    /** How long a round waits at most for a site's next window to open: a weekly window still fits. */
    public static final Duration MAX_WINDOW_WAIT = Duration.ofDays(7);

    @Inject
    FederationRepository federations;

    @EJB
    ParticipantProtocolService protocol;

    public void report(SiteCaller caller, List<SiteWindow> windows) {
        Site site = protocol.site(caller);
        if (windows == null) {
            throw new InvalidRequestException("send the site's windows as a list");
        }
        try {
            calendar(windows);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidRequestException("invalid windows of site " + site.getCode() + ": " + e.getMessage());
        }
        String json;
        try (Jsonb jsonb = JsonbBuilder.create()) {
            json = jsonb.toJson(windows);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Instant now = clock.instant();
        federations.schedule(site.getCode()).ifPresentOrElse(s -> s.report(json, now),
                () -> federations.add(new SiteSchedule(site.getCode(), json, now)));
    }

    /** The windows a site last reported to this coordinator (none: it may train at any time). */
    public List<SiteWindow> reported(String siteCode) {
        return federations.schedule(siteCode).map(s -> parse(s.getWindowsJson())).orElse(List.of());
    }

    /** Extends a round that just opened so each site's next window (now, if open) plus the timeout fits before its deadline. */
    public void fitDeadline(Round round, Instant openedAt) {
        if (round.getFederation().getPlan().getStrategy().equals("fedbuff")) {
            return; // Asynchronous: sites in different windows contribute to later rounds.
        }
        round.extendDeadline(deadline(round.getFederation().getPlan(), openedAt));
    }

    Instant deadline(FederationPlan plan, Instant openedAt) {
        Duration timeout = plan.getRoundTimeout();
        Instant latest = openedAt.plus(timeout);
        for (Site site : plan.getSites()) {
            TrainingCalendar calendar = federations.schedule(site.getCode()).map(s -> storedCalendar(site.getCode(), s.getWindowsJson()))
                    .orElse(new TrainingCalendar(List.of()));
            Instant start = calendar.isOpen(openedAt) ? openedAt : calendar.nextOpening(openedAt).orElse(openedAt);
            if (start.isAfter(openedAt.plus(MAX_WINDOW_WAIT))) {
                continue; // too far off to wait for: the site misses this round
            }
            if (start.plus(timeout).isAfter(latest)) {
                latest = start.plus(timeout);
            }
        }
        return latest;
    }

    /** A stored schedule; one that today's bounds refuse (stored before them) counts as no windows. */
    private static TrainingCalendar storedCalendar(String site, String json) {
        try {
            return calendar(parse(json));
        } catch (IllegalArgumentException e) {
            java.util.logging.Logger.getLogger(SiteScheduleService.class.getName()).warning(() ->
                    "The stored training windows of site " + site + " are ignored: " + e.getMessage());
            return new TrainingCalendar(List.of());
        }
    }

    private static TrainingCalendar calendar(List<SiteWindow> windows) {
        return new TrainingCalendar(windows.stream().map(w -> new TrainingCalendar.Window(w.cron(),
                Duration.ofSeconds(w.lengthSeconds()), w.timeZone())).toList());
    }

    private static List<SiteWindow> parse(String json) {
        try (Jsonb jsonb = JsonbBuilder.create()) {
            return List.of(jsonb.fromJson(json, SiteWindow[].class));
        } catch (Exception e) {
            throw new IllegalStateException("stored windows are not readable: " + e.getMessage(), e);
        }
    }
}
