package org.civitas.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.civitas.domain.audit.AuditEntry;
import org.civitas.domain.audit.AuditHead;
import org.civitas.domain.audit.ChainVerifier;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import jakarta.inject.Inject;
import java.time.Clock;

/** The audit chain: appended under a lock on its head, read in sequence order. */
@ApplicationScoped
public class AuditRepository {

    @Inject
    Clock clock;

    /** Entries read per query while verifying, so a long chain is never held in memory at once. */
    private static final int PAGE = 500;

    @PersistenceContext(unitName = "civitas")
    EntityManager em;

    /** Appends in the caller's transaction: the event and its audit entry commit or roll back together. */
    public AuditEntry append(String actor, String action, String subject, String detail) {
        AuditHead head = EntityLocks.findForUpdate(em, AuditHead.class, AuditHead.ID);
        AuditEntry entry = head.append(clock.instant(), actor, action, subject, detail);
        return GeneratedIds.persist(em, entry);
    }

    /** The newest entries first, optionally only those whose action or subject starts with {@code prefix}. */
    public List<AuditEntry> recent(String prefix, int limit) {
        String filter = prefix == null || prefix.isBlank() ? "" : " where e.action like :p or e.subject like :p";
        var query = em.createQuery("select e from AuditEntry e" + filter + " order by e.seq desc", AuditEntry.class)
                .setMaxResults(limit);
        if (!filter.isEmpty()) {
            query.setParameter("p", prefix.strip() + "%");
        }
        return query.getResultList();
    }

    public long count() {
        return em.createQuery("select count(e) from AuditEntry e", Long.class).getSingleResult();
    }

    /** What verification found: entries checked and the first broken link, if any. */
    public record Verification(long checked, Optional<String> firstBroken) {
    }

    /**
     * Walks the chain in order and reports the first entry whose hash does not match its fields,
     * whose link does not match the entry before, or whose sequence number skips one.
     */
    public Verification verify() {
        ChainVerifier verifier = new ChainVerifier();
        while (true) {
            List<AuditEntry> page = em.createQuery("select e from AuditEntry e where e.seq >= :from order by e.seq", AuditEntry.class)
                    .setParameter("from", verifier.nextSeq()).setMaxResults(PAGE).getResultList();
            for (AuditEntry e : page) {
                Optional<String> broken = verifier.accept(e);
                if (broken.isPresent()) {
                    return new Verification(verifier.checked(), broken);
                }
            }
            em.clear();
            if (page.size() < PAGE) {
                return new Verification(verifier.checked(), verifier.finish(em.find(AuditHead.class, AuditHead.ID).getLastSeq()));
            }
        }
    }
}
