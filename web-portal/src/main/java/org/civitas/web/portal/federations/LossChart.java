package org.civitas.web.portal.federations;

import org.civitas.federation.coordinator.Views;
import org.civitas.web.portal.Chart;
import org.civitas.web.portal.Texts;

import java.util.List;

/** A Chart.js line configuration of a federation's loss per round, as PrimeFaces' chart takes it. */
final class LossChart {

    private LossChart() {
    }

    static String of(Views.FederationView federation) {
        List<Views.RoundView> rounds = federation.rounds().stream().filter(r -> r.loss() != null).toList();
        return Chart.line()
                .labels(rounds.stream().map(r -> Integer.toString(r.number())).toList())
                .series(Texts.of("chart.localLoss"), rounds.stream().map(Views.RoundView::loss).toList(), "#2563eb")
                .series(Texts.of("chart.globalLoss"), rounds.stream().map(Views.RoundView::globalLoss).toList(), "#f97316")
                .axisTitle("x", Texts.of("chart.round")).axisTitle("y", Texts.of("chart.crossEntropy"))
                .json();
    }
}
