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

import java.util.List;

/** The landing page: federations, their rounds and loss curves, and a button to start the demo plan. */
@Named
@RequestScoped
public class FederationsBacking {

    @jakarta.inject.Inject
    CurrentCaller caller;

    @EJB
    FederationService federationService;

    private List<Views.FederationView> federations;

    public List<Views.FederationView> getFederations() {
        if (federations == null) {
            federations = federationService.federations();
        }
        return federations;
    }

    public boolean isAnyRunning() {
        return getFederations().stream().anyMatch(f -> "RUNNING".equals(f.status()));
    }

    public String lossChart(Views.FederationView federation) {
        return LossChart.of(federation);
    }

    public boolean hasContributions(Views.FederationView federation) {
        return ContributionChart.hasData(federation);
    }

    public String contributionChart(Views.FederationView federation) {
        return ContributionChart.of(federation);
    }

    public String cumulativeContributionChart(Views.FederationView federation) {
        return ContributionChart.cumulative(federation);
    }

    public void startDemo() {
        try {
            Views.FederationView started = federationService.start(PlanRequest.demo(), caller.get());
            FacesContext.getCurrentInstance().addMessage(null, new FacesMessage("Federation " + started.id() + " started"));
            federations = null;
        } catch (InvalidRequestException | ForbiddenException e) {
            FacesContext.getCurrentInstance().addMessage(null,
                    new FacesMessage(FacesMessage.SEVERITY_ERROR, "Cannot start the demo plan", e.getMessage()));
        }
    }
}
