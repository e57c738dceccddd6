package org.civitas.web.portal.agreements;

import jakarta.ejb.EJB;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Reception;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.coordinator.AgreementService;
import org.civitas.federation.coordinator.DatasetQualityService;
import org.civitas.web.portal.Messages;
import org.civitas.web.portal.Texts;
import org.civitas.web.security.CurrentCaller;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The agreements page's review queue: a compliance officer sees the requests waiting for their
 * decision, with the attached data-quality reports, and approves or rejects each with a comment.
 */
@Named
@ViewScoped
public class AgreementReviewQueue implements Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    AgreementService agreements;

    @EJB
    DatasetQualityService quality;

    @Inject
    CurrentCaller caller;

    @Inject
    Event<AgreementsChanged> changed;

    // Each row's comment goes to its own entry, so no row can take another's.
    private final HashMap<Long, String> comments = new HashMap<>();
    private transient List<AgreementService.AgreementView> queue;

    /** Whether the caller decides agreements, and so sees this queue. */
    public boolean isShown() {
        return agreements.mayDecide(caller.get());
    }

    public List<AgreementService.AgreementView> getAgreements() {
        if (queue == null) {
            queue = agreements.reviewQueue(caller.get());
        }
        return queue;
    }

    void reload(@Observes(notifyObserver = Reception.IF_EXISTS) AgreementsChanged event) {
        queue = null;
    }

    /** The attached quality reports in a few words, for the officers deciding. */
    public String qualitySummary(AgreementService.AgreementView a) {
        List<String> parts = new ArrayList<>();
        for (Long id : a.qualityReports()) {
            DatasetQualityService.ReportView r = quality.report(id);
            parts.add(Texts.of("agreements.qualityReport", id, r.site(), r.dataset(), r.flaggedItems(), r.items(),
                    r.report().getInt("redactedItems")));
        }
        return String.join("; ", parts);
    }

    public void approve(long agreementId) {
        decide(agreementId, true);
    }

    public void reject(long agreementId) {
        decide(agreementId, false);
    }

    private void decide(long agreementId, boolean approve) {
        try {
            AgreementService.AgreementView a = agreements.decide(caller.get(), agreementId, approve, comments.get(agreementId));
            Messages.info(Texts.of("agreements.decided", agreementId, a.status()), "");
            changed.fire(new AgreementsChanged());
        } catch (InvalidRequestException | ForbiddenException | NotFoundException e) {
            Messages.error(Texts.of("agreements.cannotDecide", agreementId), e.getMessage());
        }
    }

    public Map<Long, String> getComments() {
        return comments;
    }
}
