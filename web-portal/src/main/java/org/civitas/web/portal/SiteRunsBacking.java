package org.civitas.web.portal;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Named;
import org.civitas.federation.site.TrainingRuns;

import java.util.List;

/** The hosted sites' recent local-finetune jobs, so an operator sees what each site is doing. */
@Named
@RequestScoped
public class SiteRunsBacking {

    @EJB
    TrainingRuns trainingRuns;

    private List<TrainingRuns.RunView> runs;

    public List<TrainingRuns.RunView> getRuns() {
        if (runs == null) {
            runs = trainingRuns.recent(30);
        }
        return runs;
    }
}
