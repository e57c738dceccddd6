package org.civitas.federation.coordinator;

import java.time.Instant;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * Long polls of sites that have nothing to do, held until a task of theirs appears or their wait runs
 * out. A site that sent its update used to ask every second until the next round opened, so a round
 * cost each site as many polls as it lasted seconds; held, it costs each site one.
 *
 * <p>Which rounds are open and to whom is asked of the database, not learned from events of this
 * server: with two coordinators the next round may open on the other one. Once a second the holder
 * reads a mark of the rounds ({@code M}, a value that changes whenever any site's tasks may); only the
 * polls whose mark differs are asked again, so polls held while nothing changes cost nothing.
 *
 * @param <M> the mark of the rounds
 * @param <P> a poll's answer
 */
public final class HeldPolls<M, P> {

    /** Where a held poll's answer goes: the suspended HTTP response. */
    public interface Reply<P> {
        void send(P answer);

        void fail(RuntimeException problem);

        /** The call ended without us (the client went away, or its own timeout answered it). */
        boolean done();
    }

    private static final class Held<M, P> {
        private final SiteCaller caller;
        private final Instant deadline;
        private final Reply<P> reply;
        private M mark;

        private Held(SiteCaller caller, Instant deadline, Reply<P> reply, M mark) {
            this.caller = caller;
            this.deadline = deadline;
            this.reply = reply;
            this.mark = mark;
        }
    }

    /** How many polls a look answered, by {@link How}. */
    public record Answered(int byTask, int byDeadline, int failed) {
        public int total() {
            return byTask + byDeadline + failed;
        }
    }

    private final ConcurrentLinkedQueue<Held<M, P>> held = new ConcurrentLinkedQueue<>();
    /** How one held poll was answered: a task appeared before its wait ran out, the wait ran out, or the poll failed. */
    public enum How { TASK, DEADLINE, ERROR }

    private final Function<P, Boolean> hasTasks;
    private final java.util.function.BiConsumer<SiteCaller, How> answered;

    /**
     * @param hasTasks whether an answer holds a task, which ends the hold
     * @param answered told of each poll a look answers
     */
    public HeldPolls(Function<P, Boolean> hasTasks, java.util.function.BiConsumer<SiteCaller, How> answered) {
        this.hasTasks = hasTasks;
        this.answered = answered;
    }

    /**
     * Holds a site's poll that found nothing.
     *
     * @param mark the mark read before that poll
     */
    public void hold(SiteCaller caller, M mark, Instant deadline, Reply<P> reply) {
        held.add(new Held<>(caller, deadline, reply, mark));
    }

    public int size() {
        return held.size();
    }

    /**
     * One look: each held poll whose mark is not {@code markNow} is asked again, and answered if it
     * now has a task; a poll whose wait ran out is asked again and answered whatever it finds.
     *
     * @param poll a site's poll, as the call that is held made it
     * @return how the polls answered were answered
     */
    public Answered tick(M markNow, Instant now, Function<SiteCaller, P> poll) {
        int byTask = 0;
        int byDeadline = 0;
        int failed = 0;
        for (Iterator<Held<M, P>> it = held.iterator(); it.hasNext(); ) {
            Held<M, P> h = it.next();
            if (h.reply.done()) {
                it.remove();
                continue;
            }
            boolean due = !now.isBefore(h.deadline);
            if (!due && Objects.equals(h.mark, markNow)) {
                continue;
            }
            P answer;
            try {
                answer = poll.apply(h.caller);
            } catch (RuntimeException e) {
                // The site was removed or its token revoked while it waited: it gets the error a fresh poll would.
                it.remove();
                h.reply.fail(e);
                answered.accept(h.caller, How.ERROR);
                failed++;
                continue;
            }
            boolean task = hasTasks.apply(answer);
            if (due || task) {
                it.remove();
                h.reply.send(answer);
                // A task found only when the wait ran out counts as the deadline's: the change was not seen in time.
                answered.accept(h.caller, due ? How.DEADLINE : How.TASK);
                if (due) {
                    byDeadline++;
                } else {
                    byTask++;
                }
            } else {
                h.mark = markNow;
            }
        }
        return new Answered(byTask, byDeadline, failed);
    }

    /** Answers every held poll with what a poll finds now: the server is stopping. */
    public void release(Function<SiteCaller, P> poll) {
        for (Held<M, P> h; (h = held.poll()) != null; ) {
            try {
                h.reply.send(poll.apply(h.caller));
            } catch (RuntimeException e) {
                h.reply.fail(e);
            }
        }
    }
}
