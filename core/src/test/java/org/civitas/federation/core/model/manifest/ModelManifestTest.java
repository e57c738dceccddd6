package org.civitas.federation.core.model.manifest;

import org.civitas.federation.core.dataset.Taxonomy;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelManifestTest {

    private static final String MINILM_ADAPTED = """
            {"name": "tickets-in-tower", "text": {"kind": "onnx", "artifact": "classpath:all-minilm-l6-v2.onnx",
             "tokenizer": "classpath:all-minilm-l6-v2-tokenizer.json",
             "sha256": "759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e", "dim": 384, "maxTokens": 64,
             "mode": "adapters", "layers": 6, "heads": 12},
             "fusion": {"hidden": 32, "seed": 11}, "adapter": {"rank": 4, "alpha": 8, "targets": ["query", "value", "fusion"]}}""";

    @Test
    void anAdaptedTextTowerFederatesLoraOnItsAttentionUnderPeftNames() {
        ModelManifest manifest = ModelManifest.parse(MINILM_ADAPTED).withLabels(java.util.List.of("urgent", "routine"));

        assertThat(manifest.text().adapted()).isTrue();
        assertThat(manifest.trainableShapes()).containsKey("text.encoder.layer.3.attention.self.query.lora_A.weight")
                .containsKey("text.encoder.layer.5.attention.self.value.lora_B.weight")
                .doesNotContainKey("text.encoder.layer.0.attention.self.key.lora_A.weight").doesNotContainKey("text_proj.lora_a");
        assertThat(manifest.trainableShapes().get("text.encoder.layer.0.attention.self.query.lora_A.weight")).containsExactly(4, 384);
        assertThat(manifest.trainableShapes().get("text.encoder.layer.0.attention.self.query.lora_B.weight")).containsExactly(384, 4);
        assertThat(manifest.trainableShapes().keySet().stream().filter(n -> n.startsWith("text.encoder."))).hasSize(6 * 2 * 2);
        assertThat(manifest.canonicalJson()).contains("\"mode\":\"adapters\"").contains("\"layers\":6").contains("\"heads\":12");
        assertThat(ModelManifest.citySafetyDefault().canonicalJson()).as("a frozen tower's manifest is unchanged").doesNotContain("mode");
        // B starts at zero, so round 0 is the pretrained encoder
        var initial = MultimodalWeights.initialState(manifest);
        for (float v : initial.get("text.encoder.layer.2.attention.self.value.lora_B.weight").values()) {
            assertThat(v).isZero();
        }
        assertThat(MultimodalWeights.towerModality("text.encoder.layer.2.attention.self.value.lora_B.weight")).contains("text");
    }

    @Test
    void attentionTargetsAndTheEncodersShapeNeedAnAdaptedTowerAndAreRefusedByField() {
        String frozenWithQuery = MINILM_ADAPTED.replace("\"mode\": \"adapters\", \"layers\": 6, \"heads\": 12", "\"mode\": \"frozen\"");
        assertThatThrownBy(() -> ModelManifest.parse(frozenWithQuery))
                .hasMessageContaining("adapter.targets: 'query' adapts the text encoder's attention; it needs text.mode 'adapters'");
        assertThatThrownBy(() -> ModelManifest.parse(MINILM_ADAPTED.replace("\"heads\": 12", "\"heads\": 7")))
                .hasMessageContaining("text.heads 7 must divide text.dim 384");
        assertThatThrownBy(() -> ModelManifest.parse(MINILM_ADAPTED.replace("[\"query\", \"value\", \"fusion\"]", "[\"fusion\"]")))
                .hasMessageContaining("text.mode 'adapters' needs an attention projection in adapter.targets");
        assertThatThrownBy(() -> ModelManifest.parse(MINILM_ADAPTED.replace("\"mode\": \"adapters\"", "\"mode\": \"tuned\"")))
                .hasMessageContaining("text.mode must be 'frozen' or 'adapters', was 'tuned'");
        String narrow = MINILM_ADAPTED.replace("\"dim\": 384", "\"dim\": 48").replace("\"rank\": 4", "\"rank\": 64")
                .replace("\"hidden\": 32", "\"hidden\": 128");
        assertThatThrownBy(() -> ModelManifest.parse(narrow))
                .hasMessageContaining("adapter.rank 64 must not exceed text.dim 48, the width of the projections it adapts");
    }

    @Test
    void theShippedModelRegisteredWithoutLabelsAndBoundToTheCitySafetyLabelsIsTheShippedManifestAgain() {
        ModelManifest shipped = ModelManifest.citySafetyDefault();
        ModelManifest registered = shipped.withoutLabels();

        assertThat(registered.hasLabels()).isFalse();
        assertThat(registered.canonicalJson()).doesNotContain("labels");
        assertThat(registered.withLabels(Taxonomy.LABELS).sha256()).isEqualTo(shipped.sha256());
    }

    @Test
    void theShippedManifestIsValidAndFederatesOnlyTheTrainableTensors() {
        ModelManifest m = ModelManifest.citySafetyDefault();

        assertThat(m.labels()).isEqualTo(Taxonomy.LABELS);
        assertThat(m.image().cnn()).as("the small preset on 32 px RGB").isEqualTo(CnnTower.preset("small", 3));
        assertThat(m.trainableShapes()).containsOnlyKeys("image.conv1.weight", "image.conv1.bias", "image.norm1.weight",
                "image.norm1.bias", "image.conv2.weight", "image.conv2.bias", "image.norm2.weight", "image.norm2.bias",
                "image.dense1.weight", "image.dense1.bias", "text_proj.lora_a", "text_proj.lora_b", "fusion.lora_a", "fusion.lora_b",
                "head.weight", "head.bias");
        assertThat(m.trainableShapes().get("image.dense1.weight")).containsExactly(128, 64 * 8 * 8);
        assertThat(m.trainableShapes().get("fusion.lora_a")).containsExactly(4, 64 + 128);
        assertThat(m.trainableShapes().get("head.weight")).containsExactly(12, 64);
        assertThat(m.adapter().scaling()).isEqualTo(2.0);
    }

    @Test
    void theShippedAdaptedManifestIsTheShippedModelWithLoraInsideEveryLayerOfMiniLm() {
        ModelManifest adapted = ModelManifest.citySafetyAdapters();
        ModelManifest frozen = ModelManifest.citySafetyDefault();

        assertThat(adapted.text().adapted()).isTrue();
        assertThat(adapted.labels()).isEqualTo(frozen.labels());
        java.util.Map<String, int[]> shapes = adapted.trainableShapes();
        assertThat(shapes.keySet()).containsAll(frozen.trainableShapes().keySet());
        assertThat(shapes.keySet().stream().filter(n -> n.startsWith("text.encoder."))).hasSize(6 * 2 * 2)
                .contains("text.encoder.layer.5.attention.self.value.lora_B.weight");
        assertThat(shapes.get("text.encoder.layer.0.attention.self.query.lora_A.weight")).containsExactly(4, 384);
        assertThat(adapted.sha256()).isNotEqualTo(frozen.sha256());
    }

    @Test
    void theCanonicalFormRoundTripsAndHashesStably() {
        ModelManifest m = ModelManifest.citySafetyDefault();

        ModelManifest again = ModelManifest.parse(m.canonicalJson());

        assertThat(again).isEqualTo(m);
        assertThat(again.sha256()).isEqualTo(m.sha256()).hasSize(64);
    }

    @Test
    void namesThatDifferOnlyByASpaceHashApartOverRfc8785() {
        String json = ModelManifest.citySafetyDefault().canonicalJson();
        String name = ModelManifest.citySafetyDefault().name();
        ModelManifest spaced = ModelManifest.parse(json.replace("\"name\":\"" + name + "\"", "\"name\":\"city safety\""));
        ModelManifest joined = ModelManifest.parse(json.replace("\"name\":\"" + name + "\"", "\"name\":\"citysafety\""));

        assertThat(spaced.sha256()).isNotEqualTo(joined.sha256());
        assertThat(spaced.canonicalJson()).contains("\"name\":\"city safety\"");
        // the legacy form removed every space and merged them; it stays only for plans approved under it
        assertThat(spaced.legacySha256()).isEqualTo(joined.legacySha256());
        assertThat(org.civitas.federation.core.json.CanonicalJson.of(spaced.canonicalJson())).isEqualTo(spaced.canonicalJson());
    }

    @Test
    void everyBadFieldIsNamed() {
        String json = """
                {"name": "x",
                 "text": {"kind": "tflite", "artifact": "a.onnx", "tokenizer": "t.json", "sha256": "ABC", "dim": 0, "maxTokens": 128},
                 "image": {"kind": "cnn", "size": 32, "channels": [8, 999]},
                 "fusion": {"hidden": 4, "seed": 1, "depth": 2},
                 "adapter": {"rank": 8, "alpha": 16, "targets": ["fusion", "attention"]},
                 "labels": ["a", "a"]}
                """;

        assertThatThrownBy(() -> ModelManifest.parse(json))
                .isInstanceOf(ModelManifest.InvalidManifestException.class)
                .satisfies(e -> assertThat(((ModelManifest.InvalidManifestException) e).problems()).containsExactlyInAnyOrder(
                        "text.kind must be 'onnx', was 'tflite'",
                        "text.sha256 must be 64 lowercase hex digits",
                        "text.dim must be an integer in [1, 4096], was 0",
                        "image.channels must hold integers in [1, 256], found 999",
                        "fusion.depth is not a known field",
                        "adapter.targets: 'attention' is not a layer (layers: fusion, text_proj, with text.mode 'adapters' query, key, value,"
                                + " and with a pretrained image.base the CNN's image.conv<i> and image.dense<j>)",
                        "adapter.rank 8 must not exceed fusion.hidden 4",
                        "labels must not repeat"));
    }

    @Test
    void missingSectionsAndMalformedJsonAreReported() {
        assertThatThrownBy(() -> ModelManifest.parse("{\"name\": \"x\", \"labels\": [\"a\", \"b\"]}"))
                .hasMessageContaining("text and image are both missing: a model needs at least one tower")
                .hasMessageContaining("adapter is missing");
        assertThatThrownBy(() -> ModelManifest.parse("{\"name\": "))
                .hasMessageStartingWith("invalid model manifest: not valid JSON");
    }

    private static final String TEXT_ONLY = """
            {"name": "reports",
             "text": {"kind": "onnx", "artifact": "classpath:all-minilm-l6-v2.onnx", "tokenizer": "classpath:all-minilm-l6-v2-tokenizer.json",
                      "sha256": "759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e", "dim": 384, "maxTokens": 64},
             "fusion": {"hidden": 32, "seed": 7},
             "adapter": {"rank": 4, "alpha": 8, "targets": ["text_proj", "fusion"]}}
            """;

    @Test
    void aTextOnlyManifestWithoutLabelsIsBoundToATasksLabelsBeforeItHasTensors() {
        ModelManifest registered = ModelManifest.parse(TEXT_ONLY);

        assertThat(registered.image()).isNull();
        assertThat(registered.modalities()).containsExactly("text");
        assertThat(registered.hasLabels()).isFalse();
        assertThat(registered.canonicalJson()).doesNotContain("image").doesNotContain("labels");
        assertThatThrownBy(registered::trainableShapes).hasMessageContaining("bind it to a task first");

        ModelManifest bound = registered.withLabels(java.util.List.of("spam", "ham"));

        assertThat(bound.trainableShapes()).containsOnlyKeys("text_proj.lora_a", "text_proj.lora_b", "fusion.lora_a", "fusion.lora_b",
                "head.weight", "head.bias");
        // the fusion layer reads the projected text only: no image features, no placeholder
        assertThat(bound.trainableShapes().get("fusion.lora_a")).containsExactly(4, 32);
        assertThat(bound.trainableShapes().get("head.weight")).containsExactly(2, 32);
        assertThat(MultimodalWeights.frozenBase(bound).names()).containsExactly("text_proj.base", "fusion.base");
        assertThat(ModelManifest.parse(bound.canonicalJson())).isEqualTo(bound);
        assertThat(bound.sha256()).isNotEqualTo(registered.sha256());
    }

    @Test
    void anImageOnlyManifestHasNoTextProjection() {
        ModelManifest m = ModelManifest.parse("""
                {"name": "digits", "image": {"kind": "cnn", "size": 16, "channels": [8, 16]},
                 "fusion": {"hidden": 32, "seed": 7}, "adapter": {"rank": 2, "alpha": 4, "targets": ["fusion"]},
                 "labels": ["0", "1", "2"]}
                """);

        assertThat(m.modalities()).containsExactly("image");
        assertThat(m.trainableShapes().get("fusion.lora_a")).containsExactly(2, 16);
        assertThat(m.trainableShapes()).doesNotContainKey("text_proj.lora_a").containsKey("image.conv2.weight");
        assertThat(MultimodalWeights.frozenBase(m).names()).containsExactly("fusion.base");
        assertThat(MultimodalWeights.frozenBase(m).get("fusion.base").shape()).containsExactly(32, 16);
    }

    @Test
    void aTextAdapterWithoutATextTowerIsRefused() {
        assertThatThrownBy(() -> ModelManifest.parse("""
                {"name": "digits", "image": {"kind": "cnn", "size": 16, "channels": [8]},
                 "fusion": {"hidden": 8, "seed": 7}, "adapter": {"rank": 2, "alpha": 4, "targets": ["text_proj"]}}
                """)).hasMessageContaining("adapter.targets: 'text_proj' needs a text tower, and the manifest has none");
    }

    @Test
    void theFirstShippedManifestKeepsTheHashItsPlansWereApprovedUnder() {
        ModelManifest first = ModelManifest.parse(FIRST_SHIPPED);

        assertThat(first.sha256()).isEqualTo(FIRST_SHIPPED_SHA256);
        assertThat(first.image().cnn()).isEqualTo(CnnTower.ofChannels(java.util.List.of(8, 16)));
        assertThat(first.canonicalJson()).contains("\"channels\":[8,16]").doesNotContain("blocks");
        assertThat(first.trainableShapes().get("fusion.lora_a")).containsExactly(4, 64 + 16);
        assertThat(ModelManifest.citySafetyDefault().sha256()).as("the default tower is the small preset now").isNotEqualTo(FIRST_SHIPPED_SHA256);
    }

    /**
     * The manifest shipped before the tower family, with its first tower ({@code channels}): federations
     * started on it keep it in the registry under this hash, and agreements approved for them bind it.
     */
    private static final String FIRST_SHIPPED = """
            {"name": "city-safety-multimodal",
             "text": {"kind": "onnx", "artifact": "classpath:all-minilm-l6-v2.onnx", "tokenizer": "classpath:all-minilm-l6-v2-tokenizer.json",
                      "sha256": "759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e", "dim": 384, "maxTokens": 128},
             "image": {"kind": "cnn", "size": 32, "channels": [8, 16]},
             "fusion": {"hidden": 64, "seed": 20261127},
             "adapter": {"rank": 4, "alpha": 8, "targets": ["text_proj", "fusion"]},
             "labels": ["smoke_fire", "flooding", "gas_leak", "power_outage", "equipment_damage", "intrusion",
                        "vandalism", "fall_injury", "obstruction", "road_damage", "drain_blockage", "lighting_failure"]}""";

    private static final String FIRST_SHIPPED_SHA256 = "1fd20bf7c6d5a354d947c9db143078eeb64a658a296d535bc527ef300c5f462e";

    @Test
    void anOnnxImageEncoderDeclaresItsPreprocessingAndEveryBadFieldIsNamed() {
        String sha = "b".repeat(64);
        ModelManifest m = ModelManifest.parse("""
                {"name": "photos", "image": {"kind": "onnx", "size": 32, "artifact": "sha256:%s", "sha256": "%s", "dim": 8,
                 "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "layout": "NHWC"},
                 "fusion": {"hidden": 16, "seed": 1}, "adapter": {"rank": 2, "alpha": 4, "targets": ["fusion"]}}
                """.formatted(sha, sha));

        assertThat(m.image().std()).containsExactly(0.229, 0.224, 0.225);
        assertThat(m.image().layout()).isEqualTo("NHWC");
        // a frozen encoder: nothing of the image tower is trained, the fusion reads its 8 features
        assertThat(m.withLabels(java.util.List.of("a", "b")).trainableShapes()).doesNotContainKey("image.conv1.weight")
                .containsEntry("fusion.lora_a", new int[] {2, 8});
        assertThat(ModelManifest.parse(m.canonicalJson())).isEqualTo(m);

        assertThatThrownBy(() -> ModelManifest.parse("""
                {"name": "photos", "image": {"kind": "onnx", "size": 32, "artifact": "a.onnx", "sha256": "%s", "dim": 8,
                 "mean": [0.5, 0.5], "std": [0.2, 0, 0.2], "layout": "CHW", "channels": [3]},
                 "fusion": {"hidden": 16, "seed": 1}, "adapter": {"rank": 2, "alpha": 4, "targets": ["fusion"]}}
                """.formatted(sha))).satisfies(e -> assertThat(((ModelManifest.InvalidManifestException) e).problems()).containsExactlyInAnyOrder(
                "image.channels is not a known field",
                "image.layout must be 'NCHW' or 'NHWC', was 'CHW'",
                "image.mean must hold 3 numbers (one per RGB channel), has 2",
                "image.std must hold numbers in [1.0E-6, 1000.0], found 0"));
    }
}
