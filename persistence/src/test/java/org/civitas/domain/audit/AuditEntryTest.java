package org.civitas.domain.audit;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditEntryTest {

    private final Instant now = Instant.parse("2026-11-27T10:00:00.123456789Z");

    @Test
    void eachEntryLinksToTheHashOfTheOneBefore() {
        AuditEntry first = new AuditEntry(0, AuditEntry.GENESIS, now, "system", "round.aggregated", "federation 1 round 1", "v1");
        AuditEntry second = new AuditEntry(first.getSeq(), first.getEntryHash(), now, "api", "ledger.adjustment", "pool", "10");

        assertThat(first.getSeq()).isEqualTo(1);
        assertThat(second.getSeq()).isEqualTo(2);
        assertThat(second.getPrevHash()).isEqualTo(first.getEntryHash());
        assertThat(first.getEntryHash()).hasSize(64).isNotEqualTo(second.getEntryHash());
        assertThat(first.getRecordedAt()).isEqualTo(Instant.parse("2026-11-27T10:00:00.123456Z"));
    }

    @Test
    void alteringAnyFieldChangesTheHash() throws ReflectiveOperationException {
        AuditEntry entry = new AuditEntry(0, AuditEntry.GENESIS, now, "system", "ledger.round-reward", "federation 1 round 1",
                "enterprise:meridian-energy +40.0000");
        assertThat(entry.computeHash()).isEqualTo(entry.getEntryHash());

        Field detail = AuditEntry.class.getDeclaredField("detail");
        detail.setAccessible(true);
        detail.set(entry, "enterprise:meridian-energy +400.0000");

        assertThat(entry.computeHash()).isNotEqualTo(entry.getEntryHash());
    }

    @Test
    void fieldBoundariesCannotBeShiftedToForgeTheSameHash() {
        AuditEntry a = new AuditEntry(0, AuditEntry.GENESIS, now, "ab", "c", "s", "d");
        AuditEntry b = new AuditEntry(0, AuditEntry.GENESIS, now, "a", "bc", "s", "d");

        assertThat(a.getEntryHash()).isNotEqualTo(b.getEntryHash());
    }

    @Test
    void refusesAnEntryWithoutActorActionOrSubject() {
        assertThatThrownBy(() -> new AuditEntry(0, AuditEntry.GENESIS, now, " ", "a", "s", "d")).hasMessageContaining("actor must not be blank");
    }

    private java.util.List<AuditEntry> chain(int n) {
        java.util.List<AuditEntry> entries = new java.util.ArrayList<>();
        String prev = AuditEntry.GENESIS;
        for (int i = 0; i < n; i++) {
            AuditEntry e = new AuditEntry(i, prev, now.plusSeconds(i), "system", "round.aggregated", "federation 1 round " + (i + 1), "v" + i);
            entries.add(e);
            prev = e.getEntryHash();
        }
        return entries;
    }

    private static java.util.Optional<String> verify(java.util.List<AuditEntry> entries, long headSeq) {
        ChainVerifier verifier = new ChainVerifier();
        for (AuditEntry e : entries) {
            java.util.Optional<String> broken = verifier.accept(e);
            if (broken.isPresent()) {
                return broken;
            }
        }
        return verifier.finish(headSeq);
    }

    @Test
    void anIntactChainVerifies() {
        assertThat(verify(chain(5), 5)).isEmpty();
    }

    @Test
    void verificationNamesTheFirstAlteredEntry() throws ReflectiveOperationException {
        java.util.List<AuditEntry> entries = chain(5);
        Field subject = AuditEntry.class.getDeclaredField("subject");
        subject.setAccessible(true);
        subject.set(entries.get(2), "federation 1 round 99");

        assertThat(verify(entries, 5)).hasValueSatisfying(m -> assertThat(m).startsWith("entry 3 was altered"));
    }

    @Test
    void verificationNamesARemovedEntryAndATruncatedEnd() {
        java.util.List<AuditEntry> entries = chain(5);
        java.util.List<AuditEntry> gap = new java.util.ArrayList<>(entries);
        gap.remove(1);

        assertThat(verify(gap, 5)).hasValueSatisfying(m -> assertThat(m).isEqualTo("entry 2 is missing (the next one is 3)"));
        assertThat(verify(entries.subList(0, 4), 5)).hasValueSatisfying(m -> assertThat(m).contains("entries were removed from the end"));
    }

    @Test
    void anEntryRehashedAfterAlterationStillBreaksTheNextLink() throws ReflectiveOperationException {
        java.util.List<AuditEntry> entries = chain(4);
        AuditEntry forged = new AuditEntry(1, entries.get(0).getEntryHash(), now, "system", "round.aggregated", "forged", "v1");
        entries.set(1, forged);

        assertThat(verify(entries, 4)).hasValueSatisfying(m -> assertThat(m).startsWith("entry 3 does not link to entry 2"));
    }
}
