package org.civitas.federation.core.simulation;

import org.civitas.federation.core.aggregation.Strategy;
import org.civitas.federation.core.aggregation.StrategyCatalog;
import org.civitas.federation.core.aggregation.Updates;
import org.civitas.federation.core.data.SyntheticFeatureData;
import org.civitas.federation.core.model.LocalTrainer;
import org.civitas.federation.core.model.LowRankSoftmax;
import org.civitas.federation.core.model.SoftmaxRegression;
import org.civitas.federation.core.model.TrainingResult;
import org.civitas.federation.core.tensor.NamedTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every rule of the catalogue, driven through rounds over in-memory sites, as the server drives it over REST. */
class FederatedSimulationTest {

    private static Map<String, InMemoryParticipantGateway.Site> sites(int count) {
        double[][] mixes = {{5, 3, 1, 0.5, 0.5}, {0.5, 1, 5, 3, 0.5}, {1, 0.5, 0.5, 2, 5}, {1, 1, 1, 1, 1}, {2, 1, 2, 1, 2}};
        Map<String, InMemoryParticipantGateway.Site> sites = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            sites.put("site-" + i, new InMemoryParticipantGateway.Site(
                    SyntheticFeatureData.generate(16, mixes[i % mixes.length], 200 + 100 * i, 100 + i), 1 + i % 4));
        }
        return sites;
    }

    static List<String> rules() {
        return StrategyCatalog.rules().stream().map(StrategyCatalog.Spec::name).toList();
    }

    @ParameterizedTest
    @MethodSource("rules")
    void everyRuleLowersTheGlobalLoss(String rule) {
        boolean lora = rule.contains("lora");
        LocalTrainer trainer = lora ? new LowRankSoftmax(16, 5, 4) : new SoftmaxRegression(16, 5);
        Strategy strategy = StrategyCatalog.create(rule, "multi-krum".equals(rule) ? Map.of("selected", 3.0) : Map.of(), Map.of());
        ParticipantGateway gateway = new InMemoryParticipantGateway(trainer, sites(5), 2, lora ? 0.3 : 0.1, 32);

        List<FederatedSimulation.RoundOutcome> rounds = FederatedSimulation.run(strategy, gateway, trainer.initialState(), 4);

        assertThat(rounds.get(3).globalLoss()).as("%s: %s", rule, rounds).isLessThan(rounds.get(0).globalLoss() - 0.05);
    }

    @Test
    void robustRulesWithstandASiteThatSendsHugeFlippedUpdates() {
        SoftmaxRegression trainer = new SoftmaxRegression(16, 5);
        InMemoryParticipantGateway honest = new InMemoryParticipantGateway(trainer, sites(5), 2, 0.1, 32);
        ParticipantGateway withAttacker = new ParticipantGateway() {
            @Override
            public List<String> sites() {
                return List.of("site-0", "site-1", "site-2", "site-3", "site-4", "attacker");
            }

            @Override
            public TrainingResult fit(String site, int round, NamedTensors global, Map<String, Double> extra) {
                if (!"attacker".equals(site)) {
                    return honest.fit(site, round, global, extra);
                }
                TrainingResult real = honest.fit("site-0", round, global, extra);
                return new TrainingResult(Updates.scaled(real.delta(), -50f), 10_000, real.trainLoss(), real.globalLoss());
            }
        };
        SyntheticFeatureDataHolder test = new SyntheticFeatureDataHolder();

        double fedavg = finalLoss(StrategyCatalog.create("fedavg", Map.of(), Map.of()), withAttacker, trainer, test);
        double median = finalLoss(StrategyCatalog.create("median", Map.of(), Map.of()), withAttacker, trainer, test);
        double trimmed = finalLoss(StrategyCatalog.create("trimmed-mean", Map.of("beta", 0.2), Map.of()), withAttacker, trainer, test);
        double krum = finalLoss(StrategyCatalog.create("krum", Map.of("byzantine", 1.0), Map.of()), withAttacker, trainer, test);
        // Honest updates have norms of about 1 to 1.5 here; the attacker's is about 50.
        double filtered = finalLoss(StrategyCatalog.create("fedavg", Map.of(), Map.of("maxNorm", 10.0)), withAttacker, trainer, test);
        double clean = finalLoss(StrategyCatalog.create("fedavg", Map.of(), Map.of()), honest, trainer, test);

        assertThat(fedavg).as("FedAvg is ruined by the attacker").isGreaterThan(3 * clean);
        for (double robust : new double[] {median, trimmed, krum, filtered}) {
            assertThat(robust).as("robust %.3f vs clean %.3f, fedavg %.3f", robust, clean, fedavg).isLessThan(1.3 * clean);
        }
    }

    /** A held-out test set drawn like the sites' data. */
    private static final class SyntheticFeatureDataHolder {
        final org.civitas.federation.core.model.LabeledFeatures data =
                SyntheticFeatureData.generate(16, new double[] {1, 1, 1, 1, 1}, 500, 999);
    }

    private static double finalLoss(Strategy strategy, ParticipantGateway gateway, SoftmaxRegression trainer,
                                    SyntheticFeatureDataHolder test) {
        List<FederatedSimulation.RoundOutcome> rounds = FederatedSimulation.run(strategy, gateway, trainer.initialState(), 4);
        return trainer.meanLoss(rounds.get(3).global(), test.data);
    }
}
