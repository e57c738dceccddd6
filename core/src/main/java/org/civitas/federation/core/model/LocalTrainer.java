package org.civitas.federation.core.model;

import org.civitas.federation.core.tensor.NamedTensors;

/**
 * The trainer contract: global state and local data in, an update out. The multimodal runtime
 * (and an external trainer process) implement the same contract.
 */
public interface LocalTrainer {

    /** The initial global state of a new federation. */
    NamedTensors initialState();

    TrainingResult train(NamedTensors global, LabeledFeatures data, TrainingConfig config);
}
