package org.civitas.batch.pretraining;

import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.api.BatchProperty;
import jakarta.batch.runtime.context.StepContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.naming.InitialContext;
import javax.naming.NamingException;

/** The one step of {@code pretrain-image-tower}: the service does the work, the run records its progress. */
@Dependent
@Named("towerPretrainingBatchlet")
public class TowerPretrainingBatchlet extends AbstractBatchlet {

    @Inject
    @BatchProperty
    String run;

    @Inject
    StepContext stepContext;

    @Override
    public String process() throws NamingException {
        TowerPretrainingSteps steps = InitialContext.doLookup(TowerPretrainingSteps.JNDI_NAME);
        stepContext.setExitStatus(steps.pretrain(Long.parseLong(run)));
        return "COMPLETED";
    }
}
