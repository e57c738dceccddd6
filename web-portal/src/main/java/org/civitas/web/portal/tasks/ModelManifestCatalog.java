package org.civitas.web.portal.tasks;

import jakarta.ejb.EJB;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Reception;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Named;
import org.civitas.federation.coordinator.ModelManifestService;

import java.io.Serializable;
import java.util.List;

/** The tasks page's table of model manifests: those registered, and those plans bound to a task's labels. */
@Named
@ViewScoped
public class ModelManifestCatalog implements Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    ModelManifestService manifests;

    private transient List<ModelManifestService.ManifestView> all;

    public List<ModelManifestService.ManifestView> getManifests() {
        if (all == null) {
            all = manifests.manifests();
        }
        return all;
    }

    void reload(@Observes(notifyObserver = Reception.IF_EXISTS) TasksChanged event) {
        all = null;
    }
}
