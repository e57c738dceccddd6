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
import org.civitas.web.portal.Messages;
import org.civitas.web.portal.Texts;
import org.civitas.web.security.CurrentCaller;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The agreements page's table of every agreement with its decisions, and the revocation of one with a reason. */
@Named
@ViewScoped
public class AgreementList implements Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    AgreementService agreements;

    @Inject
    CurrentCaller caller;

    @Inject
    Event<AgreementsChanged> changed;

    // Revocation reasons, by agreement: each row fills its own entry
    private final HashMap<Long, String> reasons = new HashMap<>();
    private transient List<AgreementService.AgreementView> all;

    public List<AgreementService.AgreementView> getAgreements() {
        if (all == null) {
            all = agreements.agreements();
        }
        return all;
    }

    void reload(@Observes(notifyObserver = Reception.IF_EXISTS) AgreementsChanged event) {
        all = null;
    }

    /** "approved by x (enterprise): comment" lines of an agreement's decisions. */
    public List<String> decisionLines(AgreementService.AgreementView a) {
        return a.decisions().stream().map(d -> Texts.of(d.approved() ? "agreements.decision.approved" : "agreements.decision.rejected",
                d.decidedBy(), d.scope().toLowerCase(java.util.Locale.ROOT), d.comment())).toList();
    }

    public void revoke(long agreementId) {
        try {
            agreements.revoke(caller.get(), agreementId, reasons.get(agreementId));
            Messages.info(Texts.of("agreements.revoked", agreementId), "");
            changed.fire(new AgreementsChanged());
        } catch (InvalidRequestException | ForbiddenException | NotFoundException e) {
            Messages.error(Texts.of("agreements.cannotRevoke", agreementId), e.getMessage());
        }
    }

    public Map<Long, String> getReasons() {
        return reasons;
    }
}
