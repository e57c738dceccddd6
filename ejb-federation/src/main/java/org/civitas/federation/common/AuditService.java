package org.civitas.federation.common;

import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.domain.audit.AuditEntry;
import org.civitas.infrastructure.persistence.AuditRepository;

import java.time.Instant;
import java.util.List;

/** The audit chain: events are recorded inside the transaction that makes them happen. */
@Stateless
public class AuditService {

    /** The actor of events the platform itself causes (timers, batch jobs). */
    public static final String SYSTEM = "system";

    @Inject
    AuditRepository audit;

    public record EntryView(long seq, Instant recordedAt, String actor, String action, String subject, String detail,
                            String prevHash, String entryHash) {
        static EntryView of(AuditEntry e) {
            return new EntryView(e.getSeq(), e.getRecordedAt(), e.getActor(), e.getAction(), e.getSubject(), e.getDetail(),
                    e.getPrevHash(), e.getEntryHash());
        }
    }

    public record VerificationView(boolean intact, long entriesChecked, String firstBrokenLink) {
    }

    /** Appends to the chain in the caller's transaction, which must exist: no event without its record, and no record without the event. */
    @TransactionAttribute(TransactionAttributeType.MANDATORY)
    public void record(String actor, String action, String subject, String detail) {
        audit.append(actor, action, subject, detail);
    }

    public List<EntryView> recent(String prefix, int limit) {
        if (limit < 1 || limit > 1000) {
            throw new InvalidRequestException("limit must be in [1, 1000], was " + limit);
        }
        return audit.recent(prefix, limit).stream().map(EntryView::of).toList();
    }

    public VerificationView verify() {
        AuditRepository.Verification v = audit.verify();
        return new VerificationView(v.firstBroken().isEmpty(), v.checked(), v.firstBroken().orElse(null));
    }
}
