package org.civitas.web.portal.privacy;

import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Named;
import org.civitas.federation.coordinator.PrivacyBudgetService;
import org.civitas.web.portal.Chart;
import org.civitas.web.portal.Texts;

import java.util.List;
import java.util.Locale;

/** The privacy page: each enterprise dataset's lifetime budget, what its DP rounds spent, and each round's charge. */
@Named
@ViewScoped
public class PrivacyBudgets implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    PrivacyBudgetService budgets;

    private transient List<PrivacyBudgetService.BudgetView> views;

    public List<PrivacyBudgetService.BudgetView> getBudgets() {
        if (views == null) {
            views = budgets.budgets();
        }
        return views;
    }

    /** "3.1416" or "none set", for a budget's epsilon or what is left of it. */
    public String epsilon(Double value) {
        return value == null ? Texts.of("privacy.noneSet") : String.format(Locale.ROOT, "%.4f", value);
    }

    /** A Chart.js bar chart: spent and remaining epsilon per enterprise dataset (stacked). */
    public String getChart() {
        List<PrivacyBudgetService.BudgetView> all = getBudgets();
        return Chart.bar().horizontal().stacked()
                .labels(all.stream().map(b -> b.enterprise() + " / " + b.dataset()).toList())
                .series(Texts.of("chart.epsilonSpent"), all.stream().map(b -> Math.min(b.spent(), 1e6)).toList(), "#dc2626")
                .series(Texts.of("chart.epsilonLeft"), all.stream().map(b -> b.remaining() == null ? 0.0 : b.remaining()).toList(), "#16a34a")
                .json();
    }
}
