package org.civitas.federation.core.simulation;

import org.civitas.federation.core.model.LabeledFeatures;
import org.civitas.federation.core.model.LocalTrainer;
import org.civitas.federation.core.model.TrainingConfig;
import org.civitas.federation.core.model.TrainingResult;
import org.civitas.federation.core.tensor.NamedTensors;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sites as local trainers over in-memory data: the transport of simulations and tests. Each site
 * trains with the same hyperparameters and its own LoRA rank, honouring the strategy's round
 * configuration (proximal term, frozen A, heterogeneous ranks) as a real site does.
 */
public final class InMemoryParticipantGateway implements ParticipantGateway {

    /** One simulated site. */
    public record Site(LabeledFeatures data, int loraRank) {
    }

    private final LocalTrainer trainer;
    private final Map<String, Site> sites;
    private final int localEpochs;
    private final double learningRate;
    private final int batchSize;

    public InMemoryParticipantGateway(LocalTrainer trainer, Map<String, Site> sites, int localEpochs, double learningRate,
                                      int batchSize) {
        if (sites.isEmpty()) {
            throw new IllegalArgumentException("a simulation needs at least one site");
        }
        this.trainer = trainer;
        this.sites = new LinkedHashMap<>(sites);
        this.localEpochs = localEpochs;
        this.learningRate = learningRate;
        this.batchSize = batchSize;
    }

    @Override
    public List<String> sites() {
        return List.copyOf(sites.keySet());
    }

    @Override
    public TrainingResult fit(String site, int roundNumber, NamedTensors global, Map<String, Double> extra) {
        Site s = sites.get(site);
        if (s == null) {
            throw new IllegalArgumentException("no site '" + site + "' in this simulation");
        }
        long seed = 31L * roundNumber + site.hashCode();
        boolean heterogeneous = extra.getOrDefault("heterogeneousRanks", 0.0) == 1.0;
        return trainer.train(global, s.data(), new TrainingConfig(localEpochs, learningRate, batchSize, seed,
                extra.getOrDefault("proximalMu", 0.0), extra.getOrDefault("freezeLoraA", 0.0) == 1.0,
                heterogeneous ? s.loraRank() : 0));
    }
}
