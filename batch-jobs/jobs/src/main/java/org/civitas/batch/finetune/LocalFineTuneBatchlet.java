package org.civitas.batch.finetune;

import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.api.BatchProperty;
import jakarta.batch.runtime.context.JobContext;
import jakarta.batch.runtime.context.StepContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.naming.InitialContext;
import javax.naming.NamingException;

/** Runs one step of {@code local-finetune}: {@code train} or {@code upload}, as its {@code action} property says. */
@Dependent
@Named("localFineTuneBatchlet")
public class LocalFineTuneBatchlet extends AbstractBatchlet {

    @Inject
    @BatchProperty
    String action;

    @Inject
    @BatchProperty
    String runId;

    @Inject
    StepContext stepContext;

    @Inject
    JobContext jobContext;

    private volatile boolean stopRequested;

    @Override
    public String process() throws NamingException {
        LocalFineTuneSteps steps = InitialContext.doLookup(LocalFineTuneSteps.JNDI_NAME);
        long id = Long.parseLong(runId);
        String summary;
        try {
            summary = switch (action) {
                case "train" -> steps.train(id, jobContext.getExecutionId());
                case "upload" -> steps.upload(id);
                default -> throw new IllegalArgumentException("unknown local-finetune action '" + action + "'");
            };
        } catch (RuntimeException e) {
            if (stopRequested) {
                // Stopped on purpose (the training window closed): the job ends STOPPED and is restarted later.
                stepContext.setExitStatus("STOPPED");
                return "STOPPED";
            }
            throw e;
        }
        stepContext.setExitStatus(summary);
        return "COMPLETED";
    }

    /** Called by the batch runtime when the job is stopped while this step runs. */
    @Override
    public void stop() throws NamingException {
        stopRequested = true;
        if ("train".equals(action)) {
            LocalFineTuneSteps steps = InitialContext.doLookup(LocalFineTuneSteps.JNDI_NAME);
            steps.stop(Long.parseLong(runId), jobContext.getExecutionId());
        }
    }
}
