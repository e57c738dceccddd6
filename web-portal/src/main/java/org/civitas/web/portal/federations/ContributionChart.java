package org.civitas.web.portal.federations;

import org.civitas.federation.coordinator.Views;
import org.civitas.web.portal.Chart;
import org.civitas.web.portal.Texts;

import java.util.List;

/** Chart.js charts of each site's Shapley contribution: per round (stacked bars) and cumulative (lines). */
final class ContributionChart {

    private static final String[] COLOURS = {"#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2"};

    private ContributionChart() {
    }

    static boolean hasData(Views.FederationView f) {
        return f.rounds().stream().anyMatch(r -> !r.contributions().isEmpty());
    }

    static String of(Views.FederationView f) {
        List<Views.RoundView> rounds = f.rounds().stream().filter(r -> !r.contributions().isEmpty()).toList();
        Chart chart = Chart.bar().stacked().labels(roundLabels(rounds)).axisTitle("y", Texts.of("chart.shapley"));
        for (int i = 0; i < f.sites().size(); i++) {
            String site = f.sites().get(i);
            chart.series(site, rounds.stream().map(r -> r.contributions().get(site)).toList(), COLOURS[i % COLOURS.length]);
        }
        return chart.json();
    }

    private static List<String> roundLabels(List<Views.RoundView> rounds) {
        return rounds.stream().map(r -> Texts.of("chart.roundNumber", r.number())).toList();
    }

    /** Each site's running total of contribution over the valued rounds. */
    static String cumulative(Views.FederationView f) {
        List<Views.RoundView> rounds = f.rounds().stream().filter(r -> !r.contributions().isEmpty()).toList();
        Chart chart = Chart.line().labels(roundLabels(rounds)).axisTitle("y", Texts.of("chart.shapleyCumulative"));
        for (int i = 0; i < f.sites().size(); i++) {
            String site = f.sites().get(i);
            List<Double> totals = new java.util.ArrayList<>();
            double total = 0;
            for (Views.RoundView r : rounds) {
                total += r.contributions().getOrDefault(site, 0.0);
                totals.add(total);
            }
            chart.series(site, totals, COLOURS[i % COLOURS.length]);
        }
        return chart.json();
    }
}
