package org.civitas.federation.core.aggregation;

import java.util.Map;

/**
 * What a strategy asks of every site in a round (Flower's fit configuration): local epochs,
 * learning rate, batch size, and strategy-specific values such as a proximal term.
 */
public record RoundInstructions(int localEpochs, double learningRate, int batchSize, Map<String, Double> extra) {

    public RoundInstructions {
        extra = Map.copyOf(extra);
    }
}
