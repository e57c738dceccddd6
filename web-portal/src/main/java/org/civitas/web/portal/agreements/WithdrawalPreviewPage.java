package org.civitas.web.portal.agreements;

import jakarta.ejb.EJB;
import jakarta.enterprise.event.Event;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.civitas.federation.common.ConflictException;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.coordinator.AgreementService;
import org.civitas.federation.coordinator.WithdrawalService;
import org.civitas.web.portal.Messages;
import org.civitas.web.portal.Texts;
import org.civitas.web.security.CurrentCaller;

import java.io.Serializable;

/**
 * The page of one agreement's contributions ({@code id} parameter): which model versions, releases
 * and federations contain its enterprise's data, what withdrawing it would cost, and the request
 * to withdraw it.
 */
@Named
@ViewScoped
public class WithdrawalPreviewPage implements Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    WithdrawalService withdrawals;

    @EJB
    AgreementService agreements;

    @Inject
    CurrentCaller caller;

    @Inject
    Event<AgreementsChanged> changed;

    private Long id;
    private String reason;
    private transient WithdrawalService.Preview preview;
    private transient AgreementService.AgreementView agreement;

    public WithdrawalService.Preview getPreview() {
        if (preview == null && id != null) {
            try {
                preview = withdrawals.preview(id);
            } catch (NotFoundException e) {
                return null;
            }
        }
        return preview;
    }

    public AgreementService.AgreementView getAgreement() {
        if (agreement == null && id != null) {
            try {
                agreement = agreements.agreement(id);
            } catch (NotFoundException e) {
                return null;
            }
        }
        return agreement;
    }

    /** What retraining would cost, in words. */
    public String getCost() {
        WithdrawalService.Preview p = getPreview();
        return p == null ? "" : Texts.of("withdrawals.cost", p.roundsToRetrain(), p.siteRoundsToRetrain());
    }

    /** Whether the caller may ask: the enterprise's data steward or compliance officer, or the consortium's officer. */
    public boolean isMayRequest() {
        AgreementService.AgreementView a = getAgreement();
        return a != null && withdrawals.mayRequest(caller.get(), a.enterprise());
    }

    public void request() {
        try {
            WithdrawalService.WithdrawalView w = withdrawals.request(caller.get(), id, reason);
            Messages.info(Texts.of("withdrawals.requested", w.id(), w.enterprise()), Texts.of("CONSORTIUM".equals(w.awaiting()) ? "withdrawals.awaitingConsortium" : "withdrawals.awaitingEnterprise"));
            changed.fire(new AgreementsChanged());
            preview = null;
            agreement = null;
            reason = null;
        } catch (InvalidRequestException | ForbiddenException | NotFoundException | ConflictException e) {
            Messages.error(Texts.of("withdrawals.cannotRequest", id), e.getMessage());
        }
    }

    public Long getId() {
        return id;
    }

    public void setId(Long id) {
        this.id = id;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }
}
