package org.civitas.web.portal;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.application.FacesMessage;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Named;
import org.civitas.federation.coordinator.FederationService;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.web.security.CurrentCaller;
import org.civitas.federation.coordinator.PlanRequest;
import org.civitas.federation.coordinator.Views;
import org.civitas.federation.core.aggregation.StrategyCatalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The form that starts a federation of the demo sites with a chosen aggregation rule. */
@Named
@RequestScoped
public class StartFederationBacking {

    @jakarta.inject.Inject
    CurrentCaller caller;

    @EJB
    FederationService federationService;

    private String strategy = "fedavg";
    private String model = "softmax-regression";
    private int rounds = 5;
    private String parameters = "";

    public List<StrategyCatalog.Spec> getRules() {
        return StrategyCatalog.rules();
    }

    /** "name = default" for every parameter of every rule, as a hint beside the form. */
    public String parameterHint(StrategyCatalog.Spec spec) {
        return spec.params().stream().map(p -> p.name() + " = " + p.defaultValue()).reduce((a, b) -> a + ", " + b).orElse("none");
    }

    public void start() {
        FacesContext faces = FacesContext.getCurrentInstance();
        try {
            Views.FederationView started = federationService.start(new PlanRequest(null, null, model, strategy, parse(parameters),
                    null, null, rounds, null, null, null, null, null, null, null, null), caller.get());
            faces.addMessage(null, new FacesMessage("Federation " + started.id() + " started with " + strategy));
        } catch (InvalidRequestException | ForbiddenException e) {
            faces.addMessage(null, new FacesMessage(FacesMessage.SEVERITY_ERROR, "Cannot start the federation", e.getMessage()));
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
