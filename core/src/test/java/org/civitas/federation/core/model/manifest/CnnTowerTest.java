package org.civitas.federation.core.model.manifest;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CnnTowerTest {

    private static final String DECLARED = """
            {"name": "scans", "image": {"kind": "cnn", "size": 28, "inputChannels": 1,
              "blocks": [{"channels": 16, "kernel": 5, "pool": 2}, {"channels": 32, "kernel": 3, "stride": 1, "pool": 2},
                         {"channels": 32, "residual": true}],
              "norm": "group", "groups": 4, "dense": [64], "dropout": 0.25},
             "fusion": {"hidden": 32, "seed": 5}, "adapter": {"rank": 4, "alpha": 8, "targets": ["fusion"]},
             "labels": ["a", "b", "c"]}""";

    @Test
    void aDeclaredTowerFederatesItsConvolutionsNormsAndDenseLayersInForwardOrder() {
        ModelManifest m = ModelManifest.parse(DECLARED);
        CnnTower cnn = m.image().cnn();

        assertThat(cnn.sides(28)).containsExactly(14, 7, 7);
        assertThat(cnn.mapFeatures(28)).isEqualTo(32 * 7 * 7);
        assertThat(m.image().outputDim()).isEqualTo(64);
        assertThat(m.trainableShapes().keySet()).startsWith("image.conv1.weight", "image.conv1.bias", "image.norm1.weight",
                "image.norm1.bias", "image.conv2.weight", "image.conv2.bias", "image.norm2.weight", "image.norm2.bias",
                "image.conv3.weight", "image.conv3.bias", "image.norm3.weight", "image.norm3.bias", "image.conv3b.weight",
                "image.conv3b.bias", "image.norm3b.weight", "image.norm3b.bias", "image.dense1.weight", "image.dense1.bias");
        assertThat(m.trainableShapes().get("image.conv1.weight")).containsExactly(16, 1, 5, 5);
        assertThat(m.trainableShapes().get("image.conv3b.weight")).containsExactly(32, 32, 3, 3);
        assertThat(m.trainableShapes().get("image.dense1.weight")).containsExactly(64, 32 * 7 * 7);
        assertThat(m.trainableShapes().get("fusion.lora_a")).containsExactly(4, 64);
        assertThat(cnn.parameters(28)).isEqualTo(16 * 25 + 16 + 32 + 32 * 16 * 9 + 32 + 64 + 2 * (32 * 32 * 9 + 32 + 64)
                + 64 * 1568 + 64);
        assertThat(cnn.multiplyAddsPerImage(28)).isEqualTo(28L * 28 * 16 * 25 + 14L * 14 * 32 * 16 * 9 + 2L * 7 * 7 * 32 * 32 * 9
                + 1568L * 64);
    }

    @Test
    void normScalesStartAtOneExceptAResidualBlocksLastWhichStartsAtZeroSoTheBlockStartsAsTheIdentity() {
        var state = MultimodalWeights.initialState(ModelManifest.parse(DECLARED));

        assertThat(state.get("image.norm3.weight").values()).containsOnly(1f);
        assertThat(state.get("image.norm3b.weight").values()).containsOnly(0f);
        assertThat(state.get("image.norm1.bias").values()).containsOnly(0f);
        double sq = 0;
        float[] dense = state.get("image.dense1.weight").values();
        for (float v : dense) {
            sq += v * v;
        }
        assertThat(Math.sqrt(sq / dense.length)).as("He-scaled: sqrt(2 / 1568)").isBetween(0.030, 0.041);
        assertThat(MultimodalWeights.towerModality("image.dense1.weight")).contains("image");
    }

    @Test
    void theCanonicalFormSpellsOutEveryDefaultAndParsesBackToTheSameHash() {
        ModelManifest m = ModelManifest.parse(DECLARED);
        String canonical = m.canonicalJson();

        assertThat(canonical).contains("\"inputChannels\":1").contains("\"output\":\"flatten\"")
                .contains("{\"channels\":32,\"kernel\":3,\"pool\":1,\"residual\":true,\"stride\":1}");
        ModelManifest again = ModelManifest.parse(canonical);
        assertThat(again.sha256()).isEqualTo(m.sha256());
        assertThat(again.image().cnn()).isEqualTo(m.image().cnn());
        assertThat(ModelManifest.parse(DECLARED.replace("\"groups\": 4", "\"groups\": 8")).sha256()).isNotEqualTo(m.sha256());
    }

    @Test
    void aPresetExpandsToItsBlocksAndHashesAsTheSameTowerDeclaredInFull() {
        String small = """
                {"name": "scans", "image": {"kind": "cnn", "size": 28, "inputChannels": 1, "preset": "small"},
                 "fusion": {"hidden": 32, "seed": 5}, "adapter": {"rank": 4, "alpha": 8, "targets": ["fusion"]}, "labels": ["a", "b"]}""";
        ModelManifest preset = ModelManifest.parse(small);
        String full = small.replace("\"preset\": \"small\"", """
                "blocks": [{"channels": 32, "kernel": 5, "pool": 2}, {"channels": 64, "kernel": 5, "pool": 2}],
                "norm": "group", "groups": 8, "dense": [128]""");

        assertThat(ModelManifest.parse(full).sha256()).isEqualTo(preset.sha256());
        assertThat(preset.image().cnn().parameters(28)).isEqualTo(32 * 25 + 32 + 64 + 64 * 32 * 25 + 64 + 128 + 3136 * 128 + 128);
        CnnTower residual = CnnTower.preset("residual", 3);
        assertThat(residual.outputDim(64)).isEqualTo(128);
        assertThat(residual.sides(128)).containsExactly(64, 32, 32, 16, 16, 16);
    }

    @Test
    void theFirstManifestsChannelsFormKeepsItsTensors() {
        ModelManifest first = ModelManifest.parse("""
                {"name": "first", "image": {"kind": "cnn", "size": 32, "channels": [8, 16]},
                 "fusion": {"hidden": 8, "seed": 5}, "adapter": {"rank": 2, "alpha": 4, "targets": ["fusion"]}, "labels": ["a", "b"]}""");

        assertThat(first.image().cnn()).isEqualTo(CnnTower.ofChannels(List.of(8, 16)));
        assertThat(first.canonicalJson()).contains("\"channels\":[8,16]").doesNotContain("blocks");
        assertThat(first.image().outputDim()).isEqualTo(16);
        assertThat(first.trainableShapes().keySet()).containsExactly("image.conv1.weight", "image.conv1.bias", "image.conv2.weight",
                "image.conv2.bias", "fusion.lora_a", "fusion.lora_b", "head.weight", "head.bias");
        assertThat(first.trainableShapes().get("image.conv2.weight")).containsExactly(16, 8, 3, 3);
    }

    @Test
    void everyBadFieldIsNamed() {
        assertThatThrownBy(() -> ModelManifest.parse(DECLARED.replace("\"kernel\": 5", "\"kernel\": 4")))
                .hasMessageContaining("image.blocks[0].kernel must be odd");
        assertThatThrownBy(() -> ModelManifest.parse(DECLARED.replace("\"channels\": 32, \"residual\": true",
                "\"channels\": 48, \"residual\": true")))
                .hasMessageContaining("image.blocks[2].residual adds the block's input to its output, so it needs stride 1 and as many"
                        + " channels as come in (32), has stride 1 and 48 channels");
        assertThatThrownBy(() -> ModelManifest.parse(DECLARED.replace("\"groups\": 4", "\"groups\": 3")))
                .hasMessageContaining("image.groups 3 must divide image.blocks[0].channels 16");
        assertThatThrownBy(() -> ModelManifest.parse(DECLARED.replace("\"norm\": \"group\"", "\"norm\": \"batch\"")))
                .hasMessageContaining("image.norm 'batch' is not offered");
        assertThatThrownBy(() -> ModelManifest.parse(DECLARED.replace("\"norm\": \"group\", \"groups\": 4", "\"norm\": \"none\", \"groups\": 4")))
                .hasMessageContaining("image.groups is GroupNorm's; it needs image.norm 'group'");
        assertThatThrownBy(() -> ModelManifest.parse(DECLARED.replace("\"dense\": [64], ", "")))
                .hasMessageContaining("image.dropout acts after the dense layers, and image.dense declares none");
        assertThatThrownBy(() -> ModelManifest.parse(DECLARED.replace("\"size\": 28", "\"size\": 8").replace("\"stride\": 1", "\"stride\": 4")))
                .hasMessageContaining("image.blocks[1]: the feature map vanishes there for image.size 8");
        assertThatThrownBy(() -> ModelManifest.parse(DECLARED.replace("\"inputChannels\": 1", "\"inputChannels\": 2")))
                .hasMessageContaining("image.inputChannels must be 1 (grayscale) or 3 (RGB), was 2");
        assertThatThrownBy(() -> ModelManifest.parse(DECLARED.replace("\"pool\": 2}", "\"pool\": 2, \"padding\": 1}")))
                .hasMessageContaining("image.blocks[0].padding is not a known field");
        assertThatThrownBy(() -> ModelManifest.parse(DECLARED.replace("\"dropout\": 0.25", "\"dropout\": 0.25, \"preset\": \"small\"")))
                .hasMessageContaining("image.preset names a whole tower; leave out image.blocks");
        assertThatThrownBy(() -> ModelManifest.parse(DECLARED.replace("\"dense\": [64]", "\"dense\": [4096, 4096]")
                .replace("\"size\": 28", "\"size\": 256")))
                .hasMessageContaining("more than 50000000; pool more");
        assertThatThrownBy(() -> ModelManifest.parse(DECLARED.replace("\"output\"", "\"x\"").replace("\"dropout\": 0.25",
                "\"dropout\": 0.25, \"output\": \"max\"")))
                .hasMessageContaining("image.output must be 'flatten' or 'mean', was 'max'");
    }
}
