package org.civitas.federation.coordinator;

import org.civitas.domain.security.Role;

import org.civitas.federation.common.Caller;

import org.civitas.federation.common.AuditService;
import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.common.ModelCatalog;
import org.civitas.federation.common.NotFoundException;

import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import org.civitas.domain.consortium.Enterprise;
import org.civitas.domain.consortium.Site;
import org.civitas.domain.federation.FederationPlan;
import org.civitas.domain.privacy.PrivacyBudget;
import org.civitas.domain.privacy.PrivacySpend;
import org.civitas.federation.core.privacy.RdpAccountant;
import org.civitas.infrastructure.persistence.ConsortiumRepository;
import org.civitas.infrastructure.persistence.PrivacyBudgetRepository;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.time.Clock;

/**
 * The lifetime privacy-budget ledger. Each enterprise's dataset has one ledger across every
 * federation; a round of a DP plan is charged before it opens, at the noise it is guaranteed to
 * carry (with the noise split across sites, only the least number of sites that can close the
 * round), and refused if that would take the dataset past its budget. Spends compose in RDP, so
 * the lifetime epsilon is exact, not a sum of per-round epsilons.
 */
@Stateless
public class PrivacyBudgetService {

    @Inject
    Clock clock;

    /** A round's charge, as shown. */
    public record SpendView(long federationId, int round, double samplingRate, double noiseMultiplier, double epsilonAfter,
                            Instant recordedAt) {
    }

    /** A dataset's ledger: its budget (null when none is set), what was spent, what is left. */
    public record BudgetView(String enterprise, String dataset, Double epsilon, double delta, String source, double spent,
                             Double remaining, List<SpendView> spends) {
    }

    @Inject
    PrivacyBudgetRepository budgets;

    @Inject
    ConsortiumRepository consortium;

    @jakarta.ejb.EJB
    AuditService audit;

    /** Sets a dataset's lifetime budget: epsilon, delta (null: 1e-5) and who granted it (null: the caller). */
    public BudgetView set(String enterpriseCode, String dataset, double epsilon, Double deltaOrNull, String sourceOrNull, Caller caller) {
        caller.require("set privacy budgets", Role.CONSORTIUM_ADMIN);
        String actor = caller.actor();
        Enterprise enterprise = consortium.enterprise(enterpriseCode).orElseThrow(() ->
                new NotFoundException("enterprise '" + enterpriseCode + "' does not exist"));
        double delta = deltaOrNull == null ? 1e-5 : deltaOrNull;
        String source = sourceOrNull == null ? "set by " + actor : sourceOrNull;
        Instant now = clock.instant();
        PrivacyBudget budget;
        try {
            var existing = budgets.budgetForSpend(enterprise.getCode(), dataset);
            if (existing.isPresent()) {
                budget = existing.get();
                budget.change(epsilon, delta, source, now);
            } else {
                budget = budgets.add(new PrivacyBudget(enterprise, dataset, epsilon, delta, source, now));
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("invalid privacy budget: " + e.getMessage());
        }
        audit.record(actor, "privacy.budget.set", "enterprise " + enterprise.getCode() + " dataset " + dataset,
                String.format(Locale.ROOT, "epsilon %s at delta %s (%s)", epsilon, delta, source));
        return view(budget);
    }

    /**
     * An approved agreement's privacy grant becomes the dataset's lifetime budget when the dataset
     * has none yet; a budget already set stays (an operator changes it over REST).
     */
    public void grant(Enterprise enterprise, String dataset, double epsilon, double delta, String source) {
        Instant now = clock.instant();
        var existing = budgets.budgetForSpend(enterprise.getCode(), dataset);
        if (existing.isPresent() && existing.get().isLimited()) {
            return;
        }
        if (existing.isPresent()) {
            existing.get().change(epsilon, delta, source, now);
        } else {
            budgets.add(new PrivacyBudget(enterprise, dataset, epsilon, delta, source, now));
        }
        audit.record(AuditService.SYSTEM, "privacy.budget.set", "enterprise " + enterprise.getCode() + " dataset " + dataset,
                String.format(Locale.ROOT, "epsilon %s at delta %s (%s)", epsilon, delta, source));
    }

    public List<BudgetView> budgets() {
        return budgets.budgets().stream().map(this::view).toList();
    }

    /**
     * Charges the round about to open to every participating enterprise's dataset, or answers why
     * it may not open (nothing charged then). Locks the ledgers for the rest of the transaction.
     *
     * @return null when the round may open, else the reason naming the dataset and the numbers
     */
    public String chargeOrRefuse(FederationPlan plan, long federationId, int round) {
        return chargeOrRefuse(plan, federationId, round, java.util.Set.of());
    }

    /** As {@link #chargeOrRefuse(FederationPlan, long, int)}, leaving out the enterprises whose sites take no part (a rebuilt line's). */
    public String chargeOrRefuse(FederationPlan plan, long federationId, int round, java.util.Set<String> excludedEnterprises) {
        String dataset = plan.isDifferentiallyPrivate() ? plan.getDpDataset() : FederationService.defaultDataset(plan.getModelKind());
        TreeSet<String> enterprises = new TreeSet<>();
        for (Site s : plan.getSites()) {
            enterprises.add(s.getEnterprise().getCode());
        }
        enterprises.removeAll(excludedEnterprises);
        Instant now = clock.instant();
        double sigma = plan.isDifferentiallyPrivate() ? ModelCatalog.guaranteedNoiseMultiplier(plan) : 0;
        List<PrivacySpend> charges = new java.util.ArrayList<>();
        for (String code : enterprises) {
            if (!plan.isDifferentiallyPrivate()) {
                // Use without DP is not metered: the compliance officers approved exactly this plan, knowing it has none.
                continue;
            }
            var existing = budgets.budgetForSpend(code, dataset);
            if (dataset == null) {
                return "the plan names no dataset to charge its privacy spend to";
            }
            PrivacyBudget budget = existing.orElseGet(() -> budgets.add(PrivacyBudget.unlimited(
                    consortium.enterprise(code).orElseThrow(), dataset, plan.getDpDelta(), now)));
            List<PrivacySpend> spent = budgets.spends(budget);
            RdpAccountant accountant = composed(spent);
            double before = spent.isEmpty() ? 0 : accountant.epsilon(budget.getDelta());
            double after = accountant.compose(1.0, sigma, 1).epsilon(budget.getDelta());
            if (budget.isLimited() && !(after <= budget.getEpsilon())) {
                return String.format(Locale.ROOT, "round %d of federation %d would raise the lifetime epsilon of dataset '%s' of enterprise"
                                + " '%s' from %.4f to %.4f (delta %s), past its budget of %s (%s)", round, federationId, dataset, code,
                        before, after, budget.getDelta(), budget.getEpsilon(), budget.getSource());
            }
            charges.add(new PrivacySpend(budget, federationId, round, 1.0, sigma, after, now));
        }
        charges.forEach(budgets::add);
        return null;
    }

    private static RdpAccountant composed(List<PrivacySpend> spends) {
        RdpAccountant accountant = new RdpAccountant();
        spends.forEach(s -> accountant.compose(s.getSamplingRate(), s.getNoiseMultiplier(), 1));
        return accountant;
    }

    private BudgetView view(PrivacyBudget b) {
        List<PrivacySpend> spends = b.getId() == null ? List.of() : budgets.spends(b);
        double spent = spends.isEmpty() ? 0 : composed(spends).epsilon(b.getDelta());
        return new BudgetView(b.getEnterprise().getCode(), b.getDatasetName(), b.getEpsilon(), b.getDelta(), b.getSource(), spent,
                b.isLimited() ? Math.max(0, b.getEpsilon() - spent) : null,
                spends.stream().map(s -> new SpendView(s.getFederationId(), s.getRoundNumber(), s.getSamplingRate(),
                        s.getNoiseMultiplier(), s.getEpsilonAfter(), s.getRecordedAt())).toList());
    }
}
