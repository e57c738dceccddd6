package org.civitas.web.portal.agreements;

import jakarta.ejb.EJB;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Reception;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.civitas.federation.common.ConflictException;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.coordinator.WithdrawalService;
import org.civitas.web.portal.Messages;
import org.civitas.web.portal.Texts;
import org.civitas.web.security.CurrentCaller;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The agreements page's withdrawals: every withdrawal with its state and the federations that
 * retrain without the enterprise, and for a compliance officer those waiting for their decision.
 */
@Named
@ViewScoped
public class WithdrawalBoard implements Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    WithdrawalService withdrawals;

    @Inject
    CurrentCaller caller;

    @Inject
    Event<AgreementsChanged> changed;

    private final HashMap<Long, String> comments = new HashMap<>();
    private transient List<WithdrawalService.WithdrawalView> all;
    private transient List<WithdrawalService.WithdrawalView> queue;

    public List<WithdrawalService.WithdrawalView> getWithdrawals() {
        if (all == null) {
            all = withdrawals.withdrawals();
        }
        return all;
    }

    public List<WithdrawalService.WithdrawalView> getQueue() {
        if (queue == null) {
            queue = withdrawals.reviewQueue(caller.get());
        }
        return queue;
    }

    void reload(@Observes(notifyObserver = Reception.IF_EXISTS) AgreementsChanged event) {
        all = null;
        queue = null;
    }

    public void approve(long id) {
        decide(id, true);
    }

    public void reject(long id) {
        decide(id, false);
    }

    private void decide(long id, boolean approve) {
        try {
            WithdrawalService.WithdrawalView w = withdrawals.decide(caller.get(), id, approve, comments.get(id));
            Messages.info(Texts.of("withdrawals.decided", id, w.status()), w.rebuilds().isEmpty() ? ""
                    : Texts.of("withdrawals.rebuilding", w.rebuilds()));
            changed.fire(new AgreementsChanged());
        } catch (InvalidRequestException | ForbiddenException | NotFoundException | ConflictException e) {
            Messages.error(Texts.of("withdrawals.cannotDecide", id), e.getMessage());
        }
    }

    public Map<Long, String> getComments() {
        return comments;
    }
}
