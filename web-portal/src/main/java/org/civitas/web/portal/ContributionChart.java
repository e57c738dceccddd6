package org.civitas.web.portal;

import org.civitas.federation.application.Views;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** A Chart.js stacked bar chart of each site's Shapley contribution per round. */
final class ContributionChart {

    private static final String[] COLOURS = {"#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2"};

    private ContributionChart() {
    }

    static boolean hasData(Views.FederationView f) {
        return f.rounds().stream().anyMatch(r -> !r.contributions().isEmpty());
    }

    static String of(Views.FederationView f) {
        List<Views.RoundView> rounds = f.rounds().stream().filter(r -> !r.contributions().isEmpty()).toList();
        String labels = rounds.stream().map(r -> "\"round " + r.number() + "\"").collect(Collectors.joining(","));
        StringBuilder series = new StringBuilder();
        for (int i = 0; i < f.sites().size(); i++) {
            String site = f.sites().get(i);
            String values = rounds.stream().map(r -> r.contributions().containsKey(site)
                    ? String.format(Locale.ROOT, "%.5f", r.contributions().get(site)) : "null").collect(Collectors.joining(","));
            series.append(i == 0 ? "" : ",").append("{\"label\":\"").append(site).append("\",\"data\":[").append(values)
                    .append("],\"backgroundColor\":\"").append(COLOURS[i % COLOURS.length]).append("\"}");
        }
        return "{\"type\":\"bar\",\"data\":{\"labels\":[" + labels + "],\"datasets\":[" + series + "]},"
                + "\"options\":{\"animation\":false,\"scales\":{\"x\":{\"stacked\":true},"
                + "\"y\":{\"stacked\":true,\"title\":{\"display\":true,\"text\":\"Shapley value (validation loss reduction)\"}}}}}";
    }
}
