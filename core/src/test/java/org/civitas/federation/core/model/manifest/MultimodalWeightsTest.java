package org.civitas.federation.core.model.manifest;

import org.civitas.federation.core.tensor.NamedTensors;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MultimodalWeightsTest {

    private final ModelManifest twoTowers = ModelManifest.citySafetyDefault();

    @Test
    void eachTrainableTensorBelongsToItsModalitysTowerOrToTheSharedLayers() {
        assertThat(MultimodalWeights.towerModality("image.conv1.weight")).contains("image");
        assertThat(MultimodalWeights.towerModality("text_proj.lora_a")).contains("text");
        assertThat(MultimodalWeights.towerModality("fusion.lora_b")).isEmpty();
        assertThat(MultimodalWeights.towerModality("head.weight")).isEmpty();
    }

    @Test
    void aTrainersUpdateOfAnotherModelIsNamedTensorByTensor() {
        NamedTensors own = MultimodalWeights.initialState(twoTowers);
        NamedTensors.Builder foreign = NamedTensors.builder();
        own.forEach((name, t) -> {
            if (name.equals("head.weight")) {
                foreign.put(name, org.civitas.federation.core.tensor.Tensor.zeros(3, 3));
            } else if (!name.equals("fusion.lora_b")) {
                foreign.put(name, t);
            }
        });
        foreign.put("classifier.weight", org.civitas.federation.core.tensor.Tensor.zeros(2, 2));

        assertThat(MultimodalWeights.mismatches(twoTowers, own)).isEmpty();
        assertThat(MultimodalWeights.mismatches(twoTowers, foreign.build())).containsExactly(
                "tensors the model does not have: [classifier.weight]", "tensors missing: [fusion.lora_b]",
                "'head.weight' has shape [3, 3], the manifest's is " + java.util.Arrays.toString(own.get("head.weight").shape()));
    }

    @Test
    void anUpdateOfTextOnlyDataLeavesOutTheImageTowerAndKeepsTheRest() {
        NamedTensors update = MultimodalWeights.initialState(twoTowers);

        NamedTensors textOnly = MultimodalWeights.withoutUntrainedTowers(update, Map.of("text", 40, "image", 0));
        NamedTensors imageOnly = MultimodalWeights.withoutUntrainedTowers(update, Map.of("text", 0, "image", 40));
        NamedTensors both = MultimodalWeights.withoutUntrainedTowers(update, Map.of("text", 3, "image", 40));

        assertThat(textOnly.names()).noneMatch(n -> n.startsWith("image.")).contains("text_proj.lora_a", "fusion.lora_a", "head.weight");
        assertThat(imageOnly.names()).noneMatch(n -> n.startsWith("text_proj.")).contains("image.conv1.weight", "head.bias");
        assertThat(both).isEqualTo(update);
        assertThat(textOnly.get("head.weight")).isEqualTo(update.get("head.weight"));
    }
}
