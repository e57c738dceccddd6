package org.civitas.batch.dataset;

import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.api.BatchProperty;
import jakarta.batch.runtime.context.StepContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.naming.InitialContext;
import javax.naming.NamingException;

/** The one step of {@code dataset-import}. */
@Dependent
@Named("datasetImportBatchlet")
public class DatasetImportBatchlet extends AbstractBatchlet {

    @Inject
    @BatchProperty
    String site;

    @Inject
    @BatchProperty
    String name;

    @Inject
    @BatchProperty
    String manifest;

    @Inject
    @BatchProperty
    String task;

    @Inject
    @BatchProperty
    String skipBadLines;

    @Inject
    StepContext stepContext;

    @Override
    public String process() throws NamingException {
        DatasetImportSteps steps = InitialContext.doLookup(DatasetImportSteps.JNDI_NAME);
        stepContext.setExitStatus(steps.importDataset(site, name, manifest, Boolean.parseBoolean(skipBadLines), task));
        return "COMPLETED";
    }
}
