package org.civitas.batch.personal;

import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.api.BatchProperty;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.naming.InitialContext;

/** Trains one personal head. */
@Dependent
@Named("personalHeadBatchlet")
public class PersonalHeadBatchlet extends AbstractBatchlet {

    @Inject
    @BatchProperty
    String headId;

    @Override
    public String process() throws Exception {
        PersonalHeadSteps steps = InitialContext.doLookup(PersonalHeadSteps.JNDI_NAME);
        return steps.train(Long.parseLong(headId));
    }
}
