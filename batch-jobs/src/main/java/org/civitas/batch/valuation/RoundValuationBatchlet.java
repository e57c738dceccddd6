package org.civitas.batch.valuation;

import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.api.BatchProperty;
import jakarta.batch.runtime.context.StepContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.naming.InitialContext;
import javax.naming.NamingException;

/** The one step of {@code round-valuation}. */
@Dependent
@Named("roundValuationBatchlet")
public class RoundValuationBatchlet extends AbstractBatchlet {

    @Inject
    @BatchProperty
    String federation;

    @Inject
    @BatchProperty
    String round;

    @Inject
    StepContext stepContext;

    @Override
    public String process() throws NamingException {
        RoundValuationSteps steps = InitialContext.doLookup(RoundValuationSteps.JNDI_NAME);
        stepContext.setExitStatus(steps.valueRound(Long.parseLong(federation), Integer.parseInt(round)));
        return "COMPLETED";
    }
}
