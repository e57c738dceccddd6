package org.civitas.worker;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.civitas.federation.core.dataset.ManifestImporter;
import org.civitas.federation.core.dataset.Sample;
import org.civitas.federation.core.model.manifest.ModelManifest;
import org.civitas.federation.core.model.manifest.MultimodalWeights;
import org.civitas.federation.core.tensor.NamedTensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Real DJL training of the fusion model on the synthetic energy site's data. */
class LocalTrainingTest {

    private static final ModelManifest MANIFEST = ModelManifest.citySafetyDefault();
    private static NDManager manager;
    private static TextTower text;
    private static MultimodalModel model;
    private static LabeledBatchSource train;
    private static LabeledBatchSource heldout;

    @BeforeAll
    static void prepare() throws IOException {
        manager = Engine.getEngine("PyTorch").newBaseManager();
        text = new TextTower(MANIFEST.text(), "cpu", 2);
        model = new MultimodalModel(MANIFEST, manager);
        ImageTensors images = new ImageTensors(MANIFEST.image().size());
        train = source(WorkerTestData.dataset("energy", "train"), images);
        heldout = source(WorkerTestData.dataset("energy", "heldout"), images);
    }

    private static LabeledBatchSource source(Path manifest, ImageTensors images) throws IOException {
        List<Sample> samples = ManifestImporter.check(manifest, new HashSet<>(MANIFEST.labels()), true).samples().stream()
                .filter(s -> s.label() != null).toList();
        return LabeledBatchSource.of(samples, manifest.getParent(), MANIFEST.labels(), text, images);
    }

    @AfterAll
    static void close() {
        model.close();
        text.close();
        manager.close();
    }

    @Test
    void trainingLearnsTheSiteAndSendsOnlyTheTrainableTensors() {
        NamedTensors global = MultimodalWeights.initialState(MANIFEST);
        LocalTraining.Metrics heldoutBefore = LocalTraining.evaluate(model, heldout, 64);
        int[] reported = {0};

        LocalTraining.Outcome outcome = LocalTraining.train(model, global, train, new LocalTraining.Hyper(6, 0.005, 32, 7, 0),
                (step, steps, loss) -> reported[0] = step);
        LocalTraining.Metrics heldoutAfter = LocalTraining.evaluate(model, heldout, 64);

        assertThat(outcome.delta().names()).isEqualTo(MANIFEST.trainableShapes().keySet());
        assertThat(outcome.delta().names()).noneMatch(name -> name.endsWith(".base"));
        assertThat(reported[0]).isEqualTo(outcome.steps()).isEqualTo(6 * ((train.size() + 31) / 32));
        assertThat(outcome.after().loss()).isLessThan(outcome.before().loss() * 0.7);
        assertThat(heldoutAfter.macroF1()).as("held-out macro-F1 before %s after %s", heldoutBefore, heldoutAfter)
                .isGreaterThan(heldoutBefore.macroF1() + 0.3);
        // The LoRA path starts at zero (B = 0) and has moved
        assertThat(outcome.delta().get("fusion.lora_b").values()).isNotEqualTo(new float[64 * 4]);
    }

    @Test
    void theFrozenTowerAndBaseWeightsDoNotChangeDuringTraining() {
        NamedTensors frozenBefore = model.frozenState();
        List<String> probe = List.of("Sparks and smoke near the meter cabinet.", "Lift stuck between floors with residents inside.");
        float[][] embeddingsBefore = text.embed(probe);
        float[][] copies = {embeddingsBefore[0].clone(), embeddingsBefore[1].clone()};

        LocalTraining.train(model, MultimodalWeights.initialState(MANIFEST), train, new LocalTraining.Hyper(2, 0.01, 32, 9, 0),
                (a, b, c) -> { });

        assertThat(model.frozenState()).isEqualTo(frozenBefore).isEqualTo(MultimodalWeights.frozenBase(MANIFEST));
        // The text tower is not part of the trained state: the same texts embed to the same vectors
        try (TextTower fresh = new TextTower(MANIFEST.text(), "cpu", 1)) {
            float[][] embeddingsAfter = fresh.embed(probe);
            assertThat(embeddingsAfter[0]).containsExactly(copies[0], within(1e-5f));
            assertThat(embeddingsAfter[1]).containsExactly(copies[1], within(1e-5f));
        }
    }

    @Test
    void aRunStoppedInTheMiddleOfAnEpochSavesThatStepAndResumesAtTheNext() throws IOException {
        NamedTensors global = MultimodalWeights.initialState(MANIFEST);
        LocalTraining.Hyper hyper = new LocalTraining.Hyper(2, 0.005, 32, 23, 0);
        int stepsPerEpoch = (train.size() + 31) / 32;
        int stopAt = stepsPerEpoch + stepsPerEpoch / 2;
        assertThat(stopAt % stepsPerEpoch).as("a step inside the second epoch").isNotZero();
        Path file = java.nio.file.Files.createTempDirectory("ckpt").resolve("run.safetensors");
        LocalTraining.Progress stopping = new LocalTraining.Progress() {
            private int done;

            @Override
            public void step(int step, int total, double loss) {
                done = step;
            }

            @Override
            public boolean stopRequested() {
                return done == stopAt;
            }
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LocalTraining.train(model, global, train, hyper, stopping,
                new FileCheckpoint(file, "run-c"))).isInstanceOf(LocalTraining.Stopped.class)
                .hasMessage("cancelled at step " + stopAt + " of " + 2 * stepsPerEpoch);
        LocalTraining.Saved saved = new FileCheckpoint(file, "run-c").load().orElseThrow();
        assertThat(saved.stepsDone()).isEqualTo(stopAt);

        List<Integer> steps = new java.util.ArrayList<>();
        LocalTraining.Outcome resumed = LocalTraining.train(model, global, train, hyper, (done, total, loss) -> steps.add(done),
                new FileCheckpoint(file, "run-c"));
        assertThat(steps.get(0)).as("the first step after resuming").isEqualTo(stopAt + 1);
        assertThat(steps).hasSize(2 * stepsPerEpoch - stopAt);
        model.load(global);
        LocalTraining.Metrics start = LocalTraining.evaluate(model, train, 32);
        assertThat(resumed.before()).as("the start state's metrics, kept in the checkpoint").isEqualTo(start);
        assertThat(resumed.after().loss()).isLessThan(start.loss());
        assertThat(file).doesNotExist();
    }

    @Test
    void aStoppedRunResumesAfterItsLastCheckpointAndSkipsTheEpochsItHadDone() throws IOException {
        NamedTensors global = MultimodalWeights.initialState(MANIFEST);
        LocalTraining.Hyper hyper = new LocalTraining.Hyper(4, 0.005, 32, 21, 0);
        Path file = java.nio.file.Files.createTempDirectory("ckpt").resolve("run.safetensors");
        FileCheckpoint checkpoint = new FileCheckpoint(file, "run-a");
        int stepsPerEpoch = (train.size() + 31) / 32;
        LocalTraining.Checkpoint stopAfterTwo = new LocalTraining.Checkpoint() {
            @Override
            public java.util.Optional<LocalTraining.Saved> load() {
                return checkpoint.load();
            }

            @Override
            public void save(LocalTraining.Saved saved) {
                checkpoint.save(saved);
                if (saved.stepsDone() == 2 * stepsPerEpoch) {
                    throw new IllegalStateException("stopped");
                }
            }

            @Override
            public void clear() {
                checkpoint.clear();
            }
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LocalTraining.train(model, global, train, hyper, (a, b, c) -> { }, stopAfterTwo))
                .hasMessage("stopped");
        assertThat(file).exists();

        List<Integer> steps = new java.util.ArrayList<>();
        LocalTraining.Outcome resumed = LocalTraining.train(model, global, train, hyper, (done, total, loss) -> steps.add(done), checkpoint);

        assertThat(steps.get(0)).as("the first step after resuming").isEqualTo(2 * stepsPerEpoch + 1);
        assertThat(steps).hasSize(2 * stepsPerEpoch);
        assertThat(resumed.steps()).isEqualTo(4 * stepsPerEpoch);
        assertThat(resumed.after().loss()).isLessThan(resumed.before().loss());
        assertThat(file).as("a finished run removes its checkpoint").doesNotExist();

        // A checkpoint of another run is ignored: all epochs are trained
        new FileCheckpoint(file, "run-a").save(new LocalTraining.Saved(3 * stepsPerEpoch, global, 1.0, 1,
                new LocalTraining.Metrics(1, 0, 0, 1)));
        List<Integer> fresh = new java.util.ArrayList<>();
        LocalTraining.train(model, global, train, hyper, (done, total, loss) -> fresh.add(done), new FileCheckpoint(file, "run-b"));
        assertThat(fresh).hasSize(4 * stepsPerEpoch);
    }

    @Test
    void theSameSeedAndStateGiveTheSameUpdate() {
        NamedTensors global = MultimodalWeights.initialState(MANIFEST);
        LocalTraining.Hyper hyper = new LocalTraining.Hyper(1, 0.005, 32, 11, 0);

        NamedTensors first = LocalTraining.train(model, global, train, hyper, (a, b, c) -> { }).delta();
        NamedTensors second = LocalTraining.train(model, global, train, hyper, (a, b, c) -> { }).delta();

        assertThat(second).isEqualTo(first);
    }

    @Test
    void aHeadOnlyRunTrainsTheHeadAndLeavesTheSharedRepresentationAsReceived() {
        NamedTensors global = MultimodalWeights.initialState(MANIFEST);
        LocalTraining.Metrics before = LocalTraining.evaluate(model, heldout, 64);

        NamedTensors delta = LocalTraining.train(model, global, train, new LocalTraining.Hyper(4, 0.01, 32, 5, 0, false, true),
                (a, b, c) -> { }).delta();

        for (String name : delta.names()) {
            double moved = 0;
            for (float v : delta.get(name).values()) {
                moved = Math.max(moved, Math.abs(v));
            }
            if (name.startsWith("head.")) {
                assertThat(moved).as(name).isPositive();
            } else {
                assertThat(moved).as(name).isZero();
            }
        }
        assertThat(LocalTraining.evaluate(model, heldout, 64).macroF1()).as("the personal head fits the site")
                .isGreaterThan(before.macroF1());
    }

    /**
     * A held tensor's gradient must stay in memory the engine owns. Pointing it at a Java buffer
     * that is later freed lets every backward pass write into memory that is no longer the
     * gradient's (the worker died with a corrupted heap). The steps here free what the collector
     * can free and fill new buffers of the held gradients' sizes with a pattern; a backward pass
     * writing into freed memory changes it.
     */
    @Test
    void aHeadOnlyRunWritesIntoNoMemoryItGaveBack() {
        NamedTensors global = MultimodalWeights.initialState(MANIFEST);
        List<Integer> sizes = global.names().stream().filter(n -> !n.startsWith("head.")).map(n -> global.get(n).values().length).toList();
        List<java.nio.ByteBuffer> probes = new java.util.ArrayList<>();

        LocalTraining.train(model, global, train, new LocalTraining.Hyper(4, 0.01, 32, 5, 0, false, true), (step, steps, loss) -> {
            System.gc();
            for (int size : sizes) {
                java.nio.ByteBuffer probe = java.nio.ByteBuffer.allocateDirect(size * Float.BYTES).order(java.nio.ByteOrder.nativeOrder());
                while (probe.hasRemaining()) {
                    probe.putFloat(7f);
                }
                probes.add(probe);
            }
        });

        for (java.nio.ByteBuffer probe : probes) {
            for (int i = 0; i < probe.capacity(); i += Float.BYTES) {
                assertThat(probe.getFloat(i)).isEqualTo(7f);
            }
        }
    }

    @Test
    void theProximalTermKeepsTheUpdateCloser() {
        NamedTensors global = MultimodalWeights.initialState(MANIFEST);

        double free = norm(LocalTraining.train(model, global, train, new LocalTraining.Hyper(3, 0.005, 32, 3, 0), (a, b, c) -> { }).delta());
        double proximal = norm(LocalTraining.train(model, global, train, new LocalTraining.Hyper(3, 0.005, 32, 3, 5.0), (a, b, c) -> { }).delta());

        assertThat(proximal).isLessThan(free);
    }

    @Test
    void macroF1CountsEveryClassPresentOnce() {
        // classes 0,1,2: class 0 perfect (F1 1), class 1 half (tp 1, fn 1: F1 2/3), class 2 only predicted wrongly (F1 0)
        LocalTraining.Metrics m = LocalTraining.metrics(new int[] {0, 0, 1, 1}, new int[] {0, 0, 1, 2}, 4, 0.5);

        assertThat(m.accuracy()).isEqualTo(0.75);
        assertThat(m.macroF1()).isCloseTo((1 + 2.0 / 3 + 0) / 3, within(1e-12));
    }

    private static double norm(NamedTensors t) {
        double sum = 0;
        for (String name : t.names()) {
            for (float v : t.get(name).values()) {
                sum += v * v;
            }
        }
        return Math.sqrt(sum);
    }
}
