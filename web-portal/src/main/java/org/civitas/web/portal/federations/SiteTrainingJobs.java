package org.civitas.web.portal.federations;

import jakarta.ejb.EJB;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Reception;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Named;
import org.civitas.federation.site.TrainingRuns;

import java.io.Serializable;
import java.util.List;

/** The federations page's area of the hosted sites' recent local training jobs, so an operator sees what each site is doing. */
@Named
@ViewScoped
public class SiteTrainingJobs implements Serializable {

    private static final long serialVersionUID = 1L;

    static final int SHOWN = 30;

    @EJB
    TrainingRuns trainingRuns;

    private transient List<TrainingRuns.RunView> runs;

    public List<TrainingRuns.RunView> getRuns() {
        if (runs == null) {
            runs = trainingRuns.recent(SHOWN);
        }
        return runs;
    }

    void reload(@Observes(notifyObserver = Reception.IF_EXISTS) FederationsChanged event) {
        runs = null;
    }
}
