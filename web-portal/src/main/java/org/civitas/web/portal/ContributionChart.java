package org.civitas.web.portal;

import org.civitas.federation.application.Views;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

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

    /** Each site's running total of contribution over the valued rounds. */
    static String cumulative(Views.FederationView f) {
        List<Views.RoundView> rounds = f.rounds().stream().filter(r -> !r.contributions().isEmpty()).toList();
        String labels = rounds.stream().map(r -> "\"round " + r.number() + "\"").collect(Collectors.joining(","));
        StringBuilder series = new StringBuilder();
        for (int i = 0; i < f.sites().size(); i++) {
            String site = f.sites().get(i);
            double total = 0;
            StringBuilder values = new StringBuilder();
            for (Views.RoundView r : rounds) {
                total += r.contributions().getOrDefault(site, 0.0);
                values.append(values.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.5f", total));
            }
            series.append(i == 0 ? "" : ",").append("{\"label\":\"").append(site).append("\",\"data\":[").append(values)
                    .append("],\"borderColor\":\"").append(COLOURS[i % COLOURS.length]).append("\",\"fill\":false}");
        }
        return "{\"type\":\"line\",\"data\":{\"labels\":[" + labels + "],\"datasets\":[" + series + "]},"
                + "\"options\":{\"animation\":false,\"scales\":{\"y\":{\"title\":{\"display\":true,\"text\":\"cumulative Shapley value\"}}}}}";
    }
}
