package org.civitas.web.portal;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Named;
import org.civitas.federation.application.PrivacyBudgetService;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The privacy page: each enterprise dataset's lifetime budget, what its DP rounds spent, and each round's charge. */
@Named
@RequestScoped
public class PrivacyBacking {

    @EJB
    PrivacyBudgetService budgets;

    private List<PrivacyBudgetService.BudgetView> views;

    public List<PrivacyBudgetService.BudgetView> getBudgets() {
        if (views == null) {
            views = budgets.budgets();
        }
        return views;
    }

    /** "3.1416" or "none set", for a budget's epsilon or what is left of it. */
    public String epsilon(Double value) {
        return value == null ? "none set" : String.format(Locale.ROOT, "%.4f", value);
    }

    /** A Chart.js bar chart: spent and remaining epsilon per enterprise dataset (stacked). */
    public String getChart() {
        List<PrivacyBudgetService.BudgetView> all = getBudgets();
        String labels = all.stream().map(b -> "\"" + b.enterprise() + " / " + b.dataset() + "\"").collect(Collectors.joining(","));
        String spent = all.stream().map(b -> String.format(Locale.ROOT, "%.4f", Math.min(b.spent(), 1e6))).collect(Collectors.joining(","));
        String left = all.stream().map(b -> String.format(Locale.ROOT, "%.4f", b.remaining() == null ? 0 : b.remaining()))
                .collect(Collectors.joining(","));
        return "{\"type\":\"bar\",\"data\":{\"labels\":[" + labels + "],\"datasets\":["
                + "{\"label\":\"epsilon spent\",\"data\":[" + spent + "],\"backgroundColor\":\"#dc2626\"},"
                + "{\"label\":\"epsilon left\",\"data\":[" + left + "],\"backgroundColor\":\"#16a34a\"}]},"
                + "\"options\":{\"animation\":false,\"indexAxis\":\"y\",\"scales\":{\"x\":{\"stacked\":true},\"y\":{\"stacked\":true}}}}";
    }
}
