package org.civitas.batch.retention;

import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.api.BatchProperty;
import jakarta.batch.runtime.context.StepContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.naming.InitialContext;
import javax.naming.NamingException;

/** The steps of {@code data-retention}: {@code coordinator} and {@code sites}, as the {@code place} property says. */
@Dependent
@Named("retentionBatchlet")
public class RetentionBatchlet extends AbstractBatchlet {

    @Inject
    @BatchProperty
    String runId;

    @Inject
    @BatchProperty
    String place;

    @Inject
    StepContext stepContext;

    @Override
    public String process() throws NamingException {
        long run = Long.parseLong(runId);
        stepContext.setExitStatus("sites".equals(place)
                ? InitialContext.<SiteRetentionSteps>doLookup(SiteRetentionSteps.JNDI_NAME).eraseAtSites(run)
                : InitialContext.<CoordinatorRetentionSteps>doLookup(CoordinatorRetentionSteps.JNDI_NAME).eraseAtCoordinator(run));
        return "COMPLETED";
    }
}
