package org.civitas.federation.site;

import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import org.civitas.domain.consortium.Site;
import org.civitas.domain.participant.TrainingWindow;
import org.civitas.domain.security.Role;
import org.civitas.federation.common.AuditService;
import org.civitas.federation.common.Caller;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.core.schedule.TrainingCalendar;
import org.civitas.infrastructure.persistence.ConsortiumRepository;
import org.civitas.infrastructure.persistence.LocalTrainingRunRepository;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.time.Clock;

/**
 * The training windows of the sites hosted here, set by each site's IT operator: the site's
 * {@code local-finetune} jobs start only inside a window and are paused (after a checkpoint) when
 * it closes, to resume in the next one.
 */
@Stateless
public class TrainingWindowService {

    @Inject
    Clock clock;

    public record WindowView(String cron, long lengthSeconds, String timeZone, String setBy, Instant setAt) {
    }

    /** A site's windows and where they stand now. */
    public record Schedule(String site, List<WindowView> windows, boolean openNow, Instant openUntil, Instant nextOpening) {
    }

    @Inject
    LocalTrainingRunRepository runs;

    @Inject
    ConsortiumRepository consortium;

    @Inject
    HostedSites hostedSites;

    @EJB
    AuditService audit;

    public Schedule schedule(String siteCode) {
        requireHosted(siteCode);
        List<TrainingWindow> windows = runs.windows(siteCode);
        TrainingCalendar calendar = calendar(windows);
        Instant now = clock.instant();
        return new Schedule(siteCode, windows.stream().map(w -> new WindowView(w.getCron(), w.getLengthSeconds(), w.getTimeZone(),
                w.getSetBy(), w.getSetAt())).toList(), calendar.isOpen(now), calendar.openUntil(now).orElse(null),
                calendar.nextOpening(now).orElse(null));
    }

    /**
     * Replaces the site's windows (an empty list: train at any time). Only the IT operator of the site's
     * enterprise. The windows come checked: a {@link TrainingCalendar.Window} is a valid one.
     */
    public Schedule set(Caller caller, String siteCode, List<TrainingCalendar.Window> calendarWindows) {
        requireHosted(siteCode);
        Site site = consortium.site(siteCode).orElseThrow(() -> new NotFoundException("site '" + siteCode + "' is not registered"));
        if (!caller.has(Role.IT_OPERATOR) || !site.getEnterprise().getCode().equals(caller.enterprise())) {
            throw new ForbiddenException("only an IT operator of " + site.getEnterprise().getCode() + " sets the training windows of site "
                    + siteCode);
        }
        Instant now = clock.instant();
        List<TrainingWindow> windows = calendarWindows.stream().map(w -> new TrainingWindow(siteCode, w.cron(), w.length().toSeconds(),
                w.timeZone(), caller.username(), now)).toList();
        runs.replaceWindows(siteCode, windows);
        audit.record(caller.actor(), "site.windows.set", "site " + siteCode, windows.isEmpty() ? "any time"
                : String.join("; ", windows.stream().map(w -> w.getCron() + " for " + w.getLengthSeconds() + " s (" + w.getTimeZone() + ")").toList()));
        return schedule(siteCode);
    }

    public TrainingCalendar calendar(String siteCode) {
        return calendar(runs.windows(siteCode));
    }

    private static TrainingCalendar calendar(List<TrainingWindow> windows) {
        return new TrainingCalendar(windows.stream().map(w -> new TrainingCalendar.Window(w.getCron(),
                Duration.ofSeconds(w.getLengthSeconds()), w.getTimeZone())).toList());
    }

    private void requireHosted(String siteCode) {
        if (!hostedSites.codes().contains(siteCode)) {
            throw new NotFoundException("site '" + siteCode + "' is not hosted on this server");
        }
    }
}
