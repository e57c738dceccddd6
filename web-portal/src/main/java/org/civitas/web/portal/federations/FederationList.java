package org.civitas.web.portal.federations;

import jakarta.ejb.EJB;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Reception;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.civitas.federation.common.ForbiddenException;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.coordinator.FederationService;
import org.civitas.federation.coordinator.PlanRequest;
import org.civitas.federation.coordinator.Views;
import org.civitas.web.portal.Messages;
import org.civitas.web.portal.Texts;
import org.civitas.web.security.CurrentCaller;

import java.io.Serializable;
import java.util.List;

/**
 * The federations page's main area: each federation with its rounds, loss curve, contributions and
 * versions, and the button that starts the demo plan. The list is read once per view and again when
 * the page's poll ticks or a federation starts.
 */
@Named
@ViewScoped
public class FederationList implements Serializable {

    private static final long serialVersionUID = 1L;

    @Inject
    CurrentCaller caller;

    @EJB
    FederationService federationService;

    @Inject
    Event<FederationsChanged> changed;

    private transient List<Views.FederationView> federations;

    public List<Views.FederationView> getFederations() {
        if (federations == null) {
            federations = federationService.federations();
        }
        return federations;
    }

    public boolean isAnyRunning() {
        return getFederations().stream().anyMatch(f -> "RUNNING".equals(f.status()));
    }

    /** The page's poll: every area of the page that shows progress reads again. */
    public void poll() {
        changed.fire(new FederationsChanged());
    }

    void reload(@Observes(notifyObserver = Reception.IF_EXISTS) FederationsChanged event) {
        federations = null;
    }

    /** A task federation's dataset version per site, as "site: name (first 12 hex digits of its content hash)". */
    public String pinnedDatasets(Views.FederationView federation) {
        if (federation.task() == null) {
            return "";
        }
        return federation.task().datasets().entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue().name() + " (" + e.getValue().sha256().substring(0, 12) + "…)")
                .collect(java.util.stream.Collectors.joining(", "));
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

    public void startDefault() {
        try {
            Views.FederationView started = federationService.start(PlanRequest.defaults(), caller.get());
            Messages.info(Texts.of("federations.started", started.id()), null);
            changed.fire(new FederationsChanged());
        } catch (InvalidRequestException | ForbiddenException e) {
            Messages.error(Texts.of("federations.cannotStartDefault"), e.getMessage());
        }
    }
}
