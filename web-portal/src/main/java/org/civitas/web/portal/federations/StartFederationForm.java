package org.civitas.web.portal.federations;

import jakarta.ejb.EJB;
import jakarta.enterprise.event.Event;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.civitas.federation.coordinator.FederationService;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.web.security.CurrentCaller;
import org.civitas.federation.coordinator.PlanRequest;
import org.civitas.federation.coordinator.Views;
import org.civitas.federation.core.aggregation.StrategyCatalog;
import org.civitas.web.portal.Messages;
import org.civitas.web.portal.Texts;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The federations page's form that starts a federation of the demo sites with a chosen model, rule and number of rounds. */
@Named
@ViewScoped
public class StartFederationForm implements Serializable {

    private static final long serialVersionUID = 1L;

    @Inject
    CurrentCaller caller;

    @Inject
    Event<FederationsChanged> changed;

    @EJB
    FederationService federationService;

    private String strategy = "fedavg";
    private String model = "softmax-regression";
    private int rounds = 5;
    private String parameters = "";

    public List<StrategyCatalog.Spec> getRules() {
        return StrategyCatalog.rules();
    }

    public void start() {
        try {
            Views.FederationView started = federationService.start(new PlanRequest(null, null, model, strategy, parse(parameters),
                    null, null, rounds, null, null, null, null, null, null, null, null, null, null, null, null, null, null), caller.get());
            Messages.info(Texts.of("federations.startedWith", started.id(), strategy), null);
            changed.fire(new FederationsChanged());
        } catch (InvalidRequestException | ForbiddenException e) {
            Messages.error(Texts.of("federations.cannotStart"), e.getMessage());
        }
    }

    /** "eta=0.05, beta1=0.9" into a map; a malformed entry is refused with its text. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> values = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return values;
        }
        for (String entry : text.split(",")) {
            String[] kv = entry.split("=");
            try {
                if (kv.length != 2) {
                    throw new NumberFormatException();
                }
                values.put(kv[0].strip(), Double.parseDouble(kv[1].strip()));
            } catch (NumberFormatException e) {
                throw new InvalidRequestException("parameter '" + entry.strip() + "' is not of the form name=number");
            }
        }
        return values;
    }

    public String getModel() {
        return model;
    }

    public void setModel(String model) {
        this.model = model;
    }

    public String getStrategy() {
        return strategy;
    }

    public void setStrategy(String strategy) {
        this.strategy = strategy;
    }

    public int getRounds() {
        return rounds;
    }

    public void setRounds(int rounds) {
        this.rounds = rounds;
    }

    public String getParameters() {
        return parameters;
    }

    public void setParameters(String parameters) {
        this.parameters = parameters;
    }
}
