package org.civitas.web.portal.agreements;

import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Named;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.coordinator.AgreementService;

import java.io.Serializable;
import java.util.List;

/** The history page of one agreement ({@code id} parameter): its versions, oldest first, with the changes from each to the next. */
@Named
@ViewScoped
public class AgreementHistory implements Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    AgreementService agreements;

    private Long id;
    private transient List<AgreementService.AgreementView> history;

    public List<AgreementService.AgreementView> getVersions() {
        if (history == null) {
            history = load();
        }
        return history;
    }

    private List<AgreementService.AgreementView> load() {
        if (id == null) {
            return List.of();
        }
        try {
            return agreements.history(id);
        } catch (NotFoundException e) {
            return List.of();
        }
    }

    /** What changed from the version before this one; nothing for the first. */
    public List<AgreementService.Change> changesTo(AgreementService.AgreementView version) {
        List<AgreementService.AgreementView> versions = getVersions();
        int at = versions.indexOf(version);
        return at <= 0 ? List.of() : agreements.diff(versions.get(at - 1).id(), version.id());
    }

    public Long getId() {
        return id;
    }

    public void setId(Long id) {
        this.id = id;
    }
}
