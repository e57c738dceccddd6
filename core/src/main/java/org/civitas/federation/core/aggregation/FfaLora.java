package org.civitas.federation.core.aggregation;

import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.TensorChecks;

/**
 * FFA-LoRA: every LoRA A factor stays frozen at its initial random value and only the B factors
 * (and any non-LoRA trainable tensors) are trained and averaged. With A fixed, the average of the
 * sites' B·A equals (average B)·A, so averaging is exact and the noise of differential privacy is
 * not amplified by a product of two noisy factors.
 *
 * <p>Sun, Li, Li, Ding: "Improving LoRA in Privacy-preserving Federated Learning", ICLR 2024.
 *
 * <p>No parameters. An update that changes a {@code lora_A} tensor is refused. Streams updates.
 */
public final class FfaLora implements Strategy {

    private final FedAvg fedAvg = new FedAvg();

    /** The round-task key that tells sites to keep A frozen. */
    public static final String FREEZE_LORA_A = "freezeLoraA";

    @Override
    public boolean isMeanBased() {
        return true;
    }

    @Override
    public String name() {
        return "ffa-lora";
    }

    @Override
    public java.util.Map<String, Double> configureFit(int roundNumber) {
        return java.util.Map.of(FREEZE_LORA_A, 1.0);
    }

    @Override
    public void validateUpdate(NamedTensors global, NamedTensors update) {
        Strategy.super.validateUpdate(global, update);
        update.forEach((name, t) -> {
            if (LoraTensors.isA(name)) {
                for (float v : t.values()) {
                    if (v != 0f) {
                        throw new TensorChecks.InvalidUpdateException("FFA-LoRA keeps '" + name + "' frozen, but the update changes it");
                    }
                }
            }
        });
    }

    @Override
    public AggregateResult aggregateFit(RoundContext context, NamedTensors global, Iterable<FitResult> results) {
        return fedAvg.aggregateFit(context, global, results);
    }
}
