package org.civitas.federation.core.model.manifest;

import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PretrainedImageTowerTest {

    private static final String BASE = "sha256:" + "ab".repeat(32);

    /** A residual tower on a pretrained base: the first block and the dense layer with LoRA, the residual block trained fully. */
    private static final String ADAPTED = """
            {"name": "scans", "image": {"kind": "cnn", "size": 16, "inputChannels": 1,
              "blocks": [{"channels": 8, "kernel": 3, "pool": 2}, {"channels": 8, "residual": true}],
              "norm": "group", "groups": 4, "dense": [16], "base": "%s"},
             "fusion": {"hidden": 8, "seed": 5}, "adapter": {"rank": 2, "alpha": 4, "targets": ["image.conv1", "image.dense1", "fusion"]},
             "labels": ["a", "b", "c"]}""".formatted(BASE);

    @Test
    void aTargetedLayerTradesItsWeightsForLoraInPeftShapesAndKeepsItsNormTrained() {
        ModelManifest m = ModelManifest.parse(ADAPTED);
        Map<String, int[]> shapes = m.trainableShapes();

        assertThat(m.imageLoraLayers()).containsExactly("image.conv1", "image.dense1");
        assertThat(shapes).doesNotContainKeys("image.conv1.weight", "image.conv1.bias", "image.dense1.weight", "image.dense1.bias");
        assertThat(shapes.get("image.conv1.lora_A.weight")).containsExactly(2, 1, 3, 3);
        assertThat(shapes.get("image.conv1.lora_B.weight")).containsExactly(8, 2, 1, 1);
        assertThat(shapes.get("image.dense1.lora_A.weight")).containsExactly(2, 8 * 8 * 8);
        assertThat(shapes.get("image.dense1.lora_B.weight")).containsExactly(16, 2);
        assertThat(shapes).containsKeys("image.norm1.weight", "image.norm1.bias", "image.conv2.weight", "image.conv2b.weight",
                "image.norm2b.bias");
        assertThat(m.canonicalJson()).contains("\"base\":\"" + BASE + "\"");
        assertThat(ModelManifest.parse(m.canonicalJson()).sha256()).isEqualTo(m.sha256());
        assertThat(ModelManifest.parse(ADAPTED.replace(BASE, "sha256:" + "cd".repeat(32))).sha256()).as("the base is part of what a plan binds")
                .isNotEqualTo(m.sha256());
    }

    @Test
    void versionZeroStartsFromTheBaseWithLoraBAtZeroAndTheTargetedWeightsStayFrozenAtTheBase() {
        ModelManifest m = ModelManifest.parse(ADAPTED);
        NamedTensors base = randomBase(m);

        NamedTensors state = MultimodalWeights.initialState(m, base);
        NamedTensors frozen = MultimodalWeights.frozenImageLayers(m, base);

        assertThat(state.get("image.conv2b.weight").values()).isEqualTo(base.get("image.conv2b.weight").values());
        assertThat(state.get("image.norm2b.weight").values()).as("the base's scale, not the identity start")
                .isEqualTo(base.get("image.norm2b.weight").values());
        assertThat(state.get("image.conv1.lora_B.weight").values()).containsOnly(0f);
        assertThat(state.get("image.conv1.lora_A.weight").values()).as("A starts random, so B gets a gradient")
                .isNotEqualTo(new float[2 * 9]);
        assertThat(frozen.names()).containsExactlyInAnyOrder("image.conv1.weight", "image.conv1.bias", "image.dense1.weight",
                "image.dense1.bias");
        assertThat(frozen.get("image.dense1.weight").values()).isEqualTo(base.get("image.dense1.weight").values());
    }

    @Test
    void aBaseThatIsNotTheTowersIsRefusedNamingEachTensor() {
        ModelManifest m = ModelManifest.parse(ADAPTED);
        NamedTensors.Builder wrong = NamedTensors.builder();
        randomBase(m).forEach((name, t) -> {
            if (name.equals("image.conv2.weight")) {
                wrong.put(name, new Tensor(new int[] {8, 8, 5, 5}, new float[8 * 8 * 25]));
            } else if (!name.equals("image.norm1.bias")) {
                wrong.put(name, t);
            }
        });
        wrong.put("pretraining.head.weight", new Tensor(new int[] {2, 16}, new float[32]));

        assertThat(MultimodalWeights.baseMismatches(m, wrong.build())).containsExactly(
                "image.base: tensors the tower does not have: [pretraining.head.weight]",
                "image.base: tensors missing: [image.norm1.bias]",
                "image.base: image.conv2.weight has shape [8, 8, 5, 5], the tower's is [8, 8, 3, 3]");
        assertThatThrownBy(() -> MultimodalWeights.initialState(m, wrong.build())).hasMessageContaining("image.base: tensors missing");
        assertThatThrownBy(() -> MultimodalWeights.initialState(m)).hasMessageContaining("image.base: the manifest's tower starts"
                + " from pretrained weights " + BASE + ", and they were not given");
    }

    @Test
    void loraOnTheImageTowerNeedsAPretrainedBaseAndALayerTheTowerHas() {
        assertThatThrownBy(() -> ModelManifest.parse(ADAPTED.replace(", \"base\": \"" + BASE + "\"", "")))
                .hasMessageContaining("adapter.targets: 'image.conv1' keeps the layer's weights frozen and trains LoRA beside them,"
                        + " so the weights must be pretrained: name them in image.base");
        assertThatThrownBy(() -> ModelManifest.parse(ADAPTED.replace("\"image.dense1\"", "\"image.conv3\"")))
                .hasMessageContaining("adapter.targets: 'image.conv3' is not a layer of the image tower (its layers: [image.conv1,"
                        + " image.conv2, image.dense1])");
        assertThatThrownBy(() -> ModelManifest.parse(ADAPTED.replace(BASE, "sha256:1234")))
                .hasMessageContaining("image.base names the tower's pretrained weights by their hash, 'sha256:<64 lowercase hex"
                        + " digits>', was 'sha256:1234'");
        assertThatThrownBy(() -> ModelManifest.parse("""
                {"name": "t", "text": {"kind": "onnx", "artifact": "classpath:m.onnx", "tokenizer": "classpath:t.json",
                 "sha256": "%s", "dim": 8, "maxTokens": 16},
                 "fusion": {"hidden": 8, "seed": 5}, "adapter": {"rank": 2, "alpha": 4, "targets": ["image.conv1"]}}
                """.formatted("c".repeat(64))))
                .hasMessageContaining("adapter.targets: 'image.conv1' adapts a layer of a CNN image tower, and the manifest has none");
    }

    @Test
    void aBaseWithoutLoraFineTunesTheWholeTowerFromIt() {
        ModelManifest m = ModelManifest.parse(ADAPTED.replace("\"image.conv1\", \"image.dense1\", ", ""));
        NamedTensors base = randomBase(m);

        NamedTensors state = MultimodalWeights.initialState(m, base);

        assertThat(m.imageLoraLayers()).isEmpty();
        base.forEach((name, t) -> assertThat(state.get(name).values()).as(name).isEqualTo(t.values()));
        assertThat(MultimodalWeights.frozenImageLayers(m, base).names()).isEmpty();
    }

    static NamedTensors randomBase(ModelManifest m) {
        SplittableRandom random = new SplittableRandom(3);
        NamedTensors.Builder b = NamedTensors.builder();
        m.image().cnn().shapes(m.image().size()).forEach((name, shape) -> {
            float[] v = new float[(int) Tensor.elementCount(shape)];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) random.nextGaussian();
            }
            b.put(name, new Tensor(shape, v));
        });
        return b.build();
    }
}
