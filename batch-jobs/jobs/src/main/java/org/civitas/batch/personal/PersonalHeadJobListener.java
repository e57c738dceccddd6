package org.civitas.batch.personal;

import jakarta.batch.api.BatchProperty;
import jakarta.batch.api.listener.AbstractJobListener;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.naming.InitialContext;

/** Tells the head how its job ended, so that a failed job shows as such. */
@Dependent
@Named("personalHeadJobListener")
public class PersonalHeadJobListener extends AbstractJobListener {

    @Inject
    @BatchProperty
    String headId;

    @Inject
    JobContext jobContext;

    @Override
    public void afterJob() throws Exception {
        PersonalHeadSteps steps = InitialContext.doLookup(PersonalHeadSteps.JNDI_NAME);
        steps.jobEnded(Long.parseLong(headId), String.valueOf(jobContext.getBatchStatus()));
    }
}
