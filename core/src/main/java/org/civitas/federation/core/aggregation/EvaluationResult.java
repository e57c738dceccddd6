package org.civitas.federation.core.aggregation;

/**
 * A site's reported loss, weighted by the samples it was measured on.
 *
 * @param site        the reporting site
 * @param sampleCount samples behind the loss
 * @param loss        mean loss over those samples
 */
public record EvaluationResult(String site, long sampleCount, double loss) {
}
