package org.civitas.web.portal.registry;

import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Named;
import org.civitas.federation.coordinator.AgreementService;
import org.civitas.federation.coordinator.FederationService;
import org.civitas.federation.common.NotFoundException;
import org.civitas.federation.coordinator.Views;

import org.civitas.web.portal.Texts;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The model registry: every federation's model versions with their lineage: the plan (hash and
 * canonical form), the agreements that allowed it, the sites whose updates built each version,
 * its parent, and its metrics ({@code federation} parameter selects one).
 */
@Named
@ViewScoped
public class ModelRegistry implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    FederationService federations;

    @EJB
    AgreementService agreements;

    private Long federation;
    private transient Views.FederationView selected;
    private transient List<Views.FederationView> all;

    public List<Views.FederationView> getFederations() {
        if (all == null) {
            all = federations.federations();
        }
        return all;
    }

    public Views.FederationView getSelected() {
        if (selected == null && federation != null) {
            try {
                selected = federations.federation(federation);
            } catch (NotFoundException e) {
                return null;
            }
        }
        return selected;
    }

    public List<AgreementService.AgreementView> getAgreements() {
        return getSelected() == null ? List.of() : agreements.forPlan(getSelected().planSha256());
    }

    /** The sites whose updates went into a version (those of the round that made it, not excluded). */
    public String sitesOf(Views.ModelVersionView version) {
        if (version.round() == null || getSelected() == null) {
            return Texts.of("registry.initialState");
        }
        return getSelected().rounds().stream().filter(r -> r.number() == version.round()).findFirst()
                .map(r -> String.join(", ", r.receipts().stream().filter(u -> u.excludedReason() == null).map(Views.ReceiptView::site).sorted().toList()))
                .orElse("");
    }

    /** Per version: the round's loss and the version's test-split macro-F1 where it was evaluated. */
    public Map<String, String> metricsOf(Views.ModelVersionView version) {
        Map<String, String> out = new TreeMap<>();
        if (version.evaluation() != null) {
            out.put(Texts.of("registry.metric.testF1"), String.format(java.util.Locale.ROOT, "%.3f", version.evaluation().macroF1()));
            out.put(Texts.of("registry.metric.testAccuracy"), String.format(java.util.Locale.ROOT, "%.3f", version.evaluation().accuracy()));
        }
        if (version.round() != null && getSelected() != null) {
            getSelected().rounds().stream().filter(r -> r.number() == version.round() && r.loss() != null).findFirst()
                    .ifPresent(r -> out.put(Texts.of("registry.metric.trainingLoss"), String.format(java.util.Locale.ROOT, "%.4f", r.loss())));
        }
        return out;
    }

    public Long getFederation() {
        return federation;
    }

    public void setFederation(Long federation) {
        this.federation = federation;
    }
}
