package org.civitas.federation.coordinator;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.civitas.federation.infrastructure.EverySecond;
import org.civitas.infrastructure.persistence.FederationRepository;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.logging.Logger;

/**
 * This server's long polls of a site's tasks ({@link HeldPolls}): the polls held, and the look once a
 * second that answers them. The web layer holds the suspended responses behind {@link HeldPolls.Reply}.
 */
@ApplicationScoped
public class TaskLongPolls {

    private static final Logger LOG = Logger.getLogger(TaskLongPolls.class.getName());

    private final HeldPolls<FederationRepository.RoundsMark, ParticipantProtocolService.Poll> held =
            new HeldPolls<>(poll -> !poll.tasks().isEmpty(), (caller, how) -> this.metrics.heldPollAnswered(caller.code(),
                    how.name().toLowerCase(java.util.Locale.ROOT)));

    @EJB
    ParticipantProtocolService protocol;

    @Inject
    Clock clock;

    @Inject
    org.civitas.federation.infrastructure.CivitasMetrics metrics;

    @Resource
    ManagedScheduledExecutorService scheduler;

    private ScheduledFuture<?> looking;

    /**
     * Holds a poll that found nothing for up to {@code seconds}.
     *
     * @param mark the rounds' mark read before that poll
     */
    public void hold(SiteCaller caller, FederationRepository.RoundsMark mark, int seconds,
                     HeldPolls.Reply<ParticipantProtocolService.Poll> reply) {
        startLooking();
        metrics.pollHeld(caller.code());
        held.hold(caller, mark, clock.instant().plusSeconds(seconds), reply);
    }

    /** What a held poll answers when nothing else can: nothing to do, ask again in a second. */
    public static ParticipantProtocolService.Poll nothingYet() {
        return new ParticipantProtocolService.Poll(List.of(), 1);
    }

    private synchronized void startLooking() {
        if (looking == null) {
            looking = EverySecond.run(scheduler, this::look, LOG, "Answering held polls");
        }
    }

    private void look() {
        if (held.size() > 0) {
            held.tick(protocol.roundsMark(), clock.instant(), protocol::poll);
        }
    }

    @PreDestroy
    synchronized void stop() {
        if (looking != null) {
            looking.cancel(false);
        }
        held.release(caller -> nothingYet());
    }
}
