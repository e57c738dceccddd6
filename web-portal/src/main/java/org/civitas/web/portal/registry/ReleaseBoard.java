package org.civitas.web.portal.registry;

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
import org.civitas.federation.coordinator.ReleaseService;
import org.civitas.web.portal.Messages;
import org.civitas.web.portal.Texts;
import org.civitas.web.security.CurrentCaller;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry page's releases of the selected federation: the administrator proposes an evaluated
 * version with a note, a consortium compliance officer approves or rejects it with a comment, and a
 * released version is withdrawn with a reason.
 */
@Named
@ViewScoped
public class ReleaseBoard implements Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    ReleaseService releases;

    @Inject
    CurrentCaller caller;

    @Inject
    Event<ReleasesChanged> changed;

    private Long federation;
    private Integer version;
    private String note;
    // Comments and reasons by release: each row fills its own entry
    private final HashMap<Long, String> comments = new HashMap<>();
    private transient List<ReleaseService.ReleaseView> all;

    /** The releases of the federation the page shows. */
    public List<ReleaseService.ReleaseView> getReleases() {
        if (all == null) {
            all = releases.releases().stream().filter(r -> federation != null && r.federationId() == federation).toList();
        }
        return all;
    }

    void reload(@Observes(notifyObserver = Reception.IF_EXISTS) ReleasesChanged event) {
        all = null;
    }

    public boolean isMayPropose() {
        return releases.mayPropose(caller.get());
    }

    public boolean isMayDecide() {
        return releases.mayDecide(caller.get());
    }

    public void propose() {
        try {
            ReleaseService.ReleaseView r = releases.propose(caller.get(), federation == null ? -1 : federation,
                    version == null ? -1 : version, note);
            Messages.info(Texts.of("releases.proposed", r.id(), r.version()), "");
            changed.fire(new ReleasesChanged());
        } catch (InvalidRequestException | ForbiddenException | NotFoundException | ConflictException e) {
            Messages.error(Texts.of("releases.cannotPropose"), e.getMessage());
        }
    }

    public void approve(long id) {
        decide(id, true);
    }

    public void reject(long id) {
        decide(id, false);
    }

    private void decide(long id, boolean approve) {
        try {
            ReleaseService.ReleaseView r = releases.decide(caller.get(), id, approve, comments.get(id));
            Messages.info(Texts.of("releases.decided", id, r.status()), "");
            changed.fire(new ReleasesChanged());
        } catch (InvalidRequestException | ForbiddenException | NotFoundException | ConflictException e) {
            Messages.error(Texts.of("releases.cannotDecide", id), e.getMessage());
        }
    }

    public void withdraw(long id) {
        try {
            releases.withdraw(caller.get(), id, comments.get(id));
            Messages.info(Texts.of("releases.withdrawn", id), "");
            changed.fire(new ReleasesChanged());
        } catch (InvalidRequestException | ForbiddenException | NotFoundException | ConflictException e) {
            Messages.error(Texts.of("releases.cannotWithdraw", id), e.getMessage());
        }
    }

    public Long getFederation() {
        return federation;
    }

    public void setFederation(Long federation) {
        this.federation = federation;
    }

    public Integer getVersion() {
        return version;
    }

    public void setVersion(Integer version) {
        this.version = version;
    }

    public String getNote() {
        return note;
    }

    public void setNote(String note) {
        this.note = note;
    }

    public Map<Long, String> getComments() {
        return comments;
    }
}
