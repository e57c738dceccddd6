package org.civitas.batch.valuation;

import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.api.BatchProperty;
import jakarta.batch.runtime.context.StepContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import javax.naming.InitialContext;
import javax.naming.NamingException;

/** The steps of {@code round-valuation}: {@code value}, {@code credit}, {@code evaluate}, as the {@code action} property says. */
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
    @BatchProperty
    String action;

    @Inject
    StepContext stepContext;

    @Override
    public String process() throws NamingException {
        RoundValuationSteps steps = InitialContext.doLookup(RoundValuationSteps.JNDI_NAME);
        long federationId = Long.parseLong(federation);
        int roundNumber = Integer.parseInt(round);
        stepContext.setExitStatus(switch (action == null ? "value" : action) {
            case "credit" -> steps.creditRound(federationId, roundNumber);
            case "evaluate" -> steps.evaluateRound(federationId, roundNumber);
            default -> steps.valueRound(federationId, roundNumber);
        });
        return "COMPLETED";
    }
}
