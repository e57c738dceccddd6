package org.civitas.federation.core.simulation;

import org.civitas.federation.core.model.TrainingResult;
import org.civitas.federation.core.tensor.NamedTensors;

import java.util.List;
import java.util.Map;

/** How a coordinator reaches its sites, whatever carries the messages. */
public interface ParticipantGateway {

    List<String> sites();

    /**
     * Asks one site to train from the global state.
     *
     * @param extra the strategy's round configuration (e.g. a proximal term)
     */
    TrainingResult fit(String site, int roundNumber, NamedTensors global, Map<String, Double> extra);
}
