package org.civitas.federation.application;

import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import org.civitas.domain.consortium.Site;
import org.civitas.domain.federation.FederationPlan;
import org.civitas.domain.federation.Round;
import org.civitas.domain.federation.SiteSchedule;
import org.civitas.domain.federation.UpdateRejectedException;
import org.civitas.federation.core.schedule.TrainingCalendar;
import org.civitas.infrastructure.persistence.FederationRepository;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The coordinator's knowledge of the sites' training windows: each site reports its windows, and
 * a synchronous round's deadline is set so that every site of the plan gets the round timeout
 * inside (or from the start of) one of its windows.
 */
@Stateless
public class SiteScheduleService {

    /** One window as a site reports it. */
    public record SiteWindow(String cron, Long lengthSeconds, String timeZone) {
    }

    @Inject
    FederationRepository federations;

    @EJB
    ParticipantProtocolService protocol;

    public void report(String siteCode, String token, List<SiteWindow> windows) {
        Site site = protocol.authenticate(siteCode, token);
        if (windows == null) {
            throw new UpdateRejectedException(UpdateRejectedException.Reason.INVALID_TENSORS, "send the site's windows as a list");
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
        Instant now = Instant.now();
        federations.schedule(site.getCode()).ifPresentOrElse(s -> s.report(json, now),
                () -> federations.add(new SiteSchedule(site.getCode(), json, now)));
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
            TrainingCalendar calendar = federations.schedule(site.getCode()).map(s -> calendar(parse(s.getWindowsJson())))
                    .orElse(new TrainingCalendar(List.of()));
            Instant start = calendar.isOpen(openedAt) ? openedAt : calendar.nextOpening(openedAt).orElse(openedAt);
            if (start.plus(timeout).isAfter(latest)) {
                latest = start.plus(timeout);
            }
        }
        return latest;
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
