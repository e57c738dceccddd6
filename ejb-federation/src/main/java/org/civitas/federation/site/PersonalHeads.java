package org.civitas.federation.site;

import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.civitas.domain.personal.PersonalHead;
import org.civitas.federation.common.AuditService;
import org.civitas.infrastructure.persistence.PersonalHeadRepository;

import java.time.Clock;
import java.util.Locale;

/** A site's records of its personal heads, each change in its own transaction (they outlive the training that reports them). */
@Stateless
@TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
public class PersonalHeads {

    @Inject
    Clock clock;

    @Inject
    PersonalHeadRepository heads;

    @EJB
    AuditService audit;

    public PersonalHead create(PersonalHead head) {
        PersonalHead created = heads.add(head);
        audit.record(head.getRequestedBy(), "model.personal-head.requested", "site " + head.getSiteCode() + " personal head " + created.getId(),
                "on federation " + head.getFederationId() + " version " + head.getModelVersion() + " (" + head.getModelSha256() + "), "
                        + head.getEpochs() + " epochs on " + head.getDataset());
        return created;
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public PersonalHead get(long id) {
        return heads.find(id).orElseThrow(() -> new IllegalArgumentException("no personal head " + id));
    }

    public void executionIs(long id, long execution) {
        get(id).executionIs(execution);
    }

    public void progress(long id, int done, int total) {
        get(id).progress(done, total);
    }

    public void completed(long id, String stateFile, int trainSamples, Integer heldoutSamples, Double globalMacroF1, Double personalMacroF1,
                          Double globalAccuracy, Double personalAccuracy) {
        PersonalHead head = get(id);
        head.completed(stateFile, trainSamples, heldoutSamples, globalMacroF1, personalMacroF1, globalAccuracy, personalAccuracy,
                clock.instant());
        audit.record(head.getRequestedBy(), "model.personal-head.trained", "site " + head.getSiteCode() + " personal head " + id,
                globalMacroF1 == null ? "no held-out split" : String.format(Locale.ROOT, "held-out macro-F1 %.3f global, %.3f personal",
                        globalMacroF1, personalMacroF1));
    }

    public void failed(long id, String reason) {
        PersonalHead head = get(id);
        if (head.getStatus() == PersonalHead.Status.STARTED) {
            head.failed(reason, clock.instant());
            audit.record(head.getRequestedBy(), "model.personal-head.failed", "site " + head.getSiteCode() + " personal head " + id,
                    head.getMessage());
        }
    }
}
