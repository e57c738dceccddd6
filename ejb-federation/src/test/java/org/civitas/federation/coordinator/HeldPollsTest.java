package org.civitas.federation.coordinator;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HeldPollsTest {

    private static final Instant T0 = Instant.parse("2026-12-06T08:00:00Z");

    /** A reply that records what it was sent. */
    private static final class Recorded implements HeldPolls.Reply<List<String>> {
        final List<List<String>> sent = new ArrayList<>();
        RuntimeException failed;
        boolean gone;

        @Override
        public void send(List<String> answer) {
            sent.add(answer);
        }

        @Override
        public void fail(RuntimeException problem) {
            failed = problem;
        }

        @Override
        public boolean done() {
            return gone;
        }
    }

    private final Map<String, List<String>> tasks = new HashMap<>();
    private final List<String> asked = new ArrayList<>();
    private final List<String> hows = new ArrayList<>();
    private final HeldPolls<Integer, List<String>> polls = new HeldPolls<>(answer -> !answer.isEmpty(),
            (caller, how) -> hows.add(caller.code() + " " + how));

    private List<String> poll(SiteCaller caller) {
        asked.add(caller.code());
        return tasks.getOrDefault(caller.code(), List.of());
    }

    @Test
    void whileTheMarkStaysTheSameNoHeldPollIsAskedAgain() {
        Recorded a = new Recorded();
        Recorded b = new Recorded();
        polls.hold(new SiteCaller("a"), 1, T0.plusSeconds(25), a);
        polls.hold(new SiteCaller("b"), 1, T0.plusSeconds(25), b);

        for (int s = 1; s < 25; s++) {
            assertThat(polls.tick(1, T0.plusSeconds(s), this::poll).total()).isZero();
        }
        assertThat(asked).isEmpty();
        assertThat(polls.size()).isEqualTo(2);
    }

    @Test
    void aChangedMarkAnswersThePollsThatNowHaveATaskAndKeepsTheOthersAtTheNewMark() {
        Recorded a = new Recorded();
        Recorded b = new Recorded();
        polls.hold(new SiteCaller("a"), 1, T0.plusSeconds(25), a);
        polls.hold(new SiteCaller("b"), 1, T0.plusSeconds(25), b);
        tasks.put("a", List.of("round 2"));

        assertThat(polls.tick(2, T0.plusSeconds(3), this::poll)).isEqualTo(new HeldPolls.Answered(1, 0, 0));
        assertThat(a.sent).containsExactly(List.of("round 2"));
        assertThat(hows).containsExactly("a TASK");
        assertThat(b.sent).isEmpty();
        assertThat(asked).containsExactly("a", "b");

        // b was asked at mark 2: the same mark does not ask it again.
        asked.clear();
        assertThat(polls.tick(2, T0.plusSeconds(4), this::poll).total()).isZero();
        assertThat(asked).isEmpty();
        assertThat(polls.size()).isEqualTo(1);
    }

    @Test
    void aPollWhoseWaitRanOutIsAnsweredWithWhatItFindsEvenNothing() {
        Recorded a = new Recorded();
        polls.hold(new SiteCaller("a"), 1, T0.plusSeconds(25), a);

        assertThat(polls.tick(1, T0.plusSeconds(24), this::poll).total()).isZero();
        assertThat(polls.tick(1, T0.plusSeconds(25), this::poll)).isEqualTo(new HeldPolls.Answered(0, 1, 0));
        assertThat(a.sent).containsExactly(List.of());
        assertThat(hows).containsExactly("a DEADLINE");
        assertThat(polls.size()).isZero();
    }

    @Test
    void aTaskFoundOnlyWhenTheWaitRanOutCountsAsTheDeadlines() {
        Recorded a = new Recorded();
        polls.hold(new SiteCaller("a"), 1, T0.plusSeconds(25), a);
        tasks.put("a", List.of("round 2"));

        assertThat(polls.tick(1, T0.plusSeconds(25), this::poll)).isEqualTo(new HeldPolls.Answered(0, 1, 0));
        assertThat(a.sent).containsExactly(List.of("round 2"));
        assertThat(hows).containsExactly("a DEADLINE");
    }

    @Test
    void aPollThatCannotBeAnsweredAnyMoreGetsTheErrorAFreshPollWould() {
        Recorded a = new Recorded();
        polls.hold(new SiteCaller("a"), 1, T0.plusSeconds(25), a);
        IllegalStateException revoked = new IllegalStateException("wrong or missing token for site 'a'");

        HeldPolls.Answered answered = polls.tick(2, T0.plusSeconds(1), caller -> {
            throw revoked;
        });

        assertThat(answered).isEqualTo(new HeldPolls.Answered(0, 0, 1));
        assertThat(a.failed).isSameAs(revoked);
        assertThat(a.sent).isEmpty();
        assertThat(polls.size()).isZero();
    }

    @Test
    void aCallThatEndedWithoutUsIsDroppedUnasked() {
        Recorded a = new Recorded();
        polls.hold(new SiteCaller("a"), 1, T0.plusSeconds(25), a);
        a.gone = true;

        assertThat(polls.tick(2, T0.plusSeconds(30), this::poll).total()).isZero();
        assertThat(asked).isEmpty();
        assertThat(a.sent).isEmpty();
        assertThat(polls.size()).isZero();
    }

    @Test
    void releasingAnswersEveryHeldPoll() {
        Recorded a = new Recorded();
        Recorded b = new Recorded();
        polls.hold(new SiteCaller("a"), 1, T0.plusSeconds(25), a);
        polls.hold(new SiteCaller("b"), 1, T0.plusSeconds(25), b);

        polls.release(caller -> List.of());

        assertThat(a.sent).containsExactly(List.of());
        assertThat(b.sent).containsExactly(List.of());
        assertThat(polls.size()).isZero();
    }
}
