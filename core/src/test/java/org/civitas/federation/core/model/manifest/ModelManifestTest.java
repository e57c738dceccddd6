package org.civitas.federation.core.model.manifest;

import org.civitas.federation.core.dataset.Taxonomy;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelManifestTest {

    @Test
    void theShippedManifestIsValidAndFederatesOnlyTheTrainableTensors() {
        ModelManifest m = ModelManifest.citySafetyDefault();

        assertThat(m.labels()).isEqualTo(Taxonomy.LABELS);
        assertThat(m.trainableShapes()).containsOnlyKeys("image.conv1.weight", "image.conv1.bias", "image.conv2.weight",
                "image.conv2.bias", "text_proj.lora_a", "text_proj.lora_b", "fusion.lora_a", "fusion.lora_b", "head.weight", "head.bias");
        assertThat(m.trainableShapes().get("fusion.lora_a")).containsExactly(4, 64 + 16);
        assertThat(m.trainableShapes().get("head.weight")).containsExactly(12, 64);
        assertThat(m.adapter().scaling()).isEqualTo(2.0);
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
                        "adapter.targets: 'attention' is not a layer (layers: fusion, text_proj)",
                        "adapter.rank 8 must not exceed fusion.hidden 4",
                        "labels must not repeat"));
    }

    @Test
    void missingSectionsAndMalformedJsonAreReported() {
        assertThatThrownBy(() -> ModelManifest.parse("{\"name\": \"x\", \"labels\": [\"a\", \"b\"]}"))
                .hasMessageContaining("text is missing").hasMessageContaining("image is missing")
                .hasMessageContaining("adapter is missing");
        assertThatThrownBy(() -> ModelManifest.parse("{\"name\": "))
                .hasMessageStartingWith("invalid model manifest: not valid JSON");
    }
}
