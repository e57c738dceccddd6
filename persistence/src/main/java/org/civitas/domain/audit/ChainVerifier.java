package org.civitas.domain.audit;

import java.util.Optional;

/**
 * Checks an audit chain fed to it in sequence order, one entry at a time, so a long chain can be
 * read in pages: every entry's hash must match its fields, link to the entry before, and follow it
 * by one; at the end, the chain must reach the head's last entry.
 */
public final class ChainVerifier {

    private String prev = AuditEntry.GENESIS;
    private long expectedSeq = 1;

    /** Entries checked and found good so far. */
    public long checked() {
        return expectedSeq - 1;
    }

    /** The next entry's sequence number. */
    public long nextSeq() {
        return expectedSeq;
    }

    /** The problem with this entry, or empty when it continues the chain correctly. */
    public Optional<String> accept(AuditEntry e) {
        if (e.getSeq() != expectedSeq) {
            return Optional.of("entry " + expectedSeq + " is missing (the next one is " + e.getSeq() + ")");
        }
        if (!e.getPrevHash().equals(prev)) {
            return Optional.of("entry " + e.getSeq() + " does not link to entry " + (e.getSeq() - 1) + ": it names "
                    + e.getPrevHash() + ", the chain has " + prev);
        }
        String recomputed = e.computeHash();
        if (!recomputed.equals(e.getEntryHash())) {
            return Optional.of("entry " + e.getSeq() + " was altered: its fields hash to " + recomputed + ", it records "
                    + e.getEntryHash());
        }
        prev = e.getEntryHash();
        expectedSeq++;
        return Optional.empty();
    }

    /** The problem with the chain's end, or empty when it ends where the head says. */
    public Optional<String> finish(long headLastSeq) {
        if (headLastSeq != checked()) {
            return Optional.of("the chain ends at entry " + checked() + " but its head records entry " + headLastSeq
                    + ": entries were removed from the end");
        }
        return Optional.empty();
    }
}
