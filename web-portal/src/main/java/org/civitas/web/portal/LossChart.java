package org.civitas.web.portal;

import org.civitas.federation.application.Views;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** A Chart.js line configuration of a federation's loss per round, as PrimeFaces' chart takes it. */
final class LossChart {

    private LossChart() {
    }

    static String of(Views.FederationView federation) {
        List<Views.RoundView> rounds = federation.rounds().stream().filter(r -> r.loss() != null).toList();
        String labels = rounds.stream().map(r -> "\"" + r.number() + "\"").collect(Collectors.joining(","));
        String train = rounds.stream().map(r -> number(r.loss())).collect(Collectors.joining(","));
        String global = rounds.stream().map(r -> number(r.globalLoss())).collect(Collectors.joining(","));
        return "{\"type\":\"line\",\"data\":{\"labels\":[" + labels + "],\"datasets\":["
                + "{\"label\":\"local training loss\",\"data\":[" + train + "],\"borderColor\":\"#2563eb\",\"tension\":0.2},"
                + "{\"label\":\"global model loss at round start\",\"data\":[" + global + "],\"borderColor\":\"#f97316\",\"tension\":0.2}"
                + "]},\"options\":{\"animation\":false,\"scales\":{\"x\":{\"title\":{\"display\":true,\"text\":\"round\"}},"
                + "\"y\":{\"title\":{\"display\":true,\"text\":\"cross-entropy\"}}}}}";
    }

    private static String number(Double value) {
        return value == null ? "null" : String.format(Locale.ROOT, "%.5f", value);
    }
}
