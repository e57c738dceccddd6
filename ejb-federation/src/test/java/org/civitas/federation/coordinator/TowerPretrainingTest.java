package org.civitas.federation.coordinator;

import org.civitas.federation.common.InvalidRequestException;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.model.manifest.MultimodalWeights;
import org.civitas.federation.core.tensor.NamedTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The parts of a pretraining run that need no server: its model, what it keeps, its split and its loss curve. */
class TowerPretrainingTest {

    private static final List<String> LABELS = List.of("crack", "leak", "clear");

    @Test
    void theTowerIsPretrainedUnderAHeadForThePublicLabelsAndOnlyTheTowerIsKept() {
        ModelManifest m = TowerPretrainingService.pretrainingManifest("run", "{\"kind\":\"cnn\",\"size\":16,\"preset\":\"small\"}", LABELS, 3);
        NamedTensors state = MultimodalWeights.initialState(m);

        NamedTensors tower = TowerPretrainingService.tower(state, m);

        assertThat(m.labels()).isEqualTo(LABELS);
        assertThat(state.names()).contains("head.weight", "fusion.lora_a");
        assertThat(tower.names()).containsExactlyElementsOf(m.image().cnn().shapes(16).keySet());
        assertThat(MultimodalWeights.baseMismatches(m, tower)).isEmpty();
    }

    @Test
    void aTowerThatIsNotADeclaredCnnIsRefusedNamingTheField() {
        assertThatThrownBy(() -> TowerPretrainingService.pretrainingManifest("run",
                "{\"kind\":\"cnn\",\"size\":16,\"blocks\":[{\"channels\":8,\"kernel\":2}]}", LABELS, 3))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("image.blocks[0].kernel must be odd");
        assertThatThrownBy(() -> TowerPretrainingService.pretrainingManifest("run", "{\"kind\":\"cnn\",\"size\":16,\"channels\":[8]}",
                LABELS, 3)).isInstanceOf(InvalidRequestException.class).hasMessageContaining("only a CNN tower declared by preset or blocks");
    }

    @Test
    void everyTenthSampleIsHeldOutBesideTheDatasetsManifest(@TempDir Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            lines.add("{\"id\": \"s" + i + "\"}");
        }
        lines.add(3, "");
        Path manifest = dir.resolve("train.jsonl");
        Files.write(manifest, lines);

        int[] counts = TowerPretrainingService.split(manifest, 10);

        assertThat(counts).containsExactly(23, 2);
        List<String> heldout = Files.readAllLines(dir.resolve(".pretraining-heldout-train.jsonl"));
        assertThat(heldout).containsExactly("{\"id\": \"s9\"}", "{\"id\": \"s19\"}");
        assertThat(Files.readAllLines(dir.resolve(".pretraining-train-train.jsonl"))).hasSize(23).doesNotContainAnyElementsOf(heldout);
    }

    @Test
    void theLossCurveKeepsAboutFiftyMeansWhateverTheRunsLength() {
        TowerPretrainingService.LossCurve curve = new TowerPretrainingService.LossCurve();
        int kept = 0;
        for (int step = 1; step <= 1000; step++) {
            if (curve.add(step, 1000, step <= 20 ? 2.0 : 1.0)) {
                kept++;
            }
        }

        assertThat(kept).isEqualTo(50);
        assertThat(curve.json()).startsWith("[2.00000,1.00000,").endsWith(",1.00000]");
    }
}
