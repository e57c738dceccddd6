package org.civitas.federation.protocol;

import java.time.Instant;

/**
 * A round task as a site sees it: which global state to start from and how to train.
 *
 * @param seed  shuffling seed for this site and round, so that a rerun trains the same way
 * @param extra strategy-specific values for local training (e.g. {@code proximalMu} of FedProx)
 * @param dataset the dataset the plan's model trains on, which the site must have registered: the
 *                coordinator bounds the sample count an update claims by it
 * @param datasetSha256 the content hash of the dataset version the plan pins for this site; null
 *                for the built-in models' datasets
 * @param manifestSha256 the hash of the model manifest the plan trains (multimodal model); the
 *                site fetches it by this hash and checks it
 */
public record RoundTask(long federationId, int round, String modelKind, int featureCount, int classCount,
                        String strategy, int localEpochs, double learningRate, int batchSize, long seed,
                        Instant deadline, String stateSha256, java.util.Map<String, Double> extra, String dataset,
                        String datasetSha256, String manifestSha256) {
}
