package org.civitas.worker;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import org.civitas.federation.core.evaluation.ConfusionMatrix;
import org.civitas.federation.core.tensor.NamedTensors;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * Local fine-tuning and evaluation of a {@link MultimodalModel} on a prepared dataset: Adam on
 * the trainable tensors only, cross-entropy, an optional FedProx proximal term.
 */
final class LocalTraining {

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(LocalTraining.class.getName());

    /** Hyper-parameters of one local training run. */
    record Hyper(int epochs, double learningRate, int batchSize, long seed, double proximalMu, boolean freezeLoraA, boolean headOnly) {

        Hyper(int epochs, double learningRate, int batchSize, long seed, double proximalMu) {
            this(epochs, learningRate, batchSize, seed, proximalMu, false, false);
        }

        Hyper(int epochs, double learningRate, int batchSize, long seed, double proximalMu, boolean freezeLoraA) {
            this(epochs, learningRate, batchSize, seed, proximalMu, freezeLoraA, false);
        }

        /** Whether this run leaves the tensor as it received it. */
        boolean holds(String name) {
            return (freezeLoraA && org.civitas.federation.core.aggregation.LoraTensors.isA(name)) || (headOnly && !name.startsWith("head."));
        }

        Hyper {
            if (epochs < 1 || epochs > 100) {
                throw new IllegalArgumentException("epochs must be in [1, 100], was " + epochs);
            }
            if (!(learningRate > 0 && learningRate <= 1)) {
                throw new IllegalArgumentException("learningRate must be in (0, 1], was " + learningRate);
            }
            if (batchSize < 1 || batchSize > 4096) {
                throw new IllegalArgumentException("batchSize must be in [1, 4096], was " + batchSize);
            }
            if (!(proximalMu >= 0)) {
                throw new IllegalArgumentException("proximalMu must not be negative, was " + proximalMu);
            }
        }
    }

    /** Loss, accuracy and macro-F1 (over the classes present in the data or predicted). */
    record Metrics(double loss, double accuracy, double macroF1, int samples) {
    }

    /** What training produced: the update (trained minus starting state) and the metrics before and after. */
    record Outcome(NamedTensors delta, double trainLoss, Metrics before, Metrics after, int steps) {
    }

    interface Progress {
        void step(int done, int total, double loss);

        /**
         * Asked after every step: true stops the run there, after saving its progress, with
         * {@link Stopped}. A window shorter than an epoch thus still moves the run forward.
         */
        default boolean stopRequested() {
            return false;
        }
    }

    /** The run stopped because {@link Progress#stopRequested()} asked it to; its checkpoint holds the steps done. */
    static final class Stopped extends RuntimeException {
        Stopped(int step, int total) {
            super("cancelled at step " + step + " of " + total);
        }
    }

    /** Where a run keeps its progress (after each epoch, and where it is stopped), so a stopped run resumes there. */
    interface Checkpoint {
        /** The saved progress of this very run (same start state and hyper-parameters), if any. */
        java.util.Optional<Saved> load();

        void save(Saved saved);

        /** The run finished: its checkpoint is no longer needed. */
        void clear();
    }

    /**
     * Steps completed (over all epochs), the state after them, the running loss sums and the
     * metrics of the start state, so that a resumed run need not evaluate that state again.
     */
    record Saved(int stepsDone, NamedTensors state, double lossSum, long lossCount, Metrics before) {
    }

    /** No checkpoints: a stopped run starts over. */
    static final Checkpoint NONE = new Checkpoint() {
        @Override
        public java.util.Optional<Saved> load() {
            return java.util.Optional.empty();
        }

        @Override
        public void save(Saved saved) {
        }

        @Override
        public void clear() {
        }
    };

    private LocalTraining() {
    }

    static Outcome train(MultimodalModel model, NamedTensors global, LabeledBatchSource data, Hyper hyper, Progress progress) {
        return train(model, global, data, hyper, progress, NONE);
    }

    /**
     * Trains, saving a checkpoint after every epoch and where it is stopped; a run that finds its
     * checkpoint resumes at the step after it (the optimiser's moments start afresh there, the data
     * order is the same as in an uninterrupted run).
     */
    static Outcome train(MultimodalModel model, NamedTensors global, LabeledBatchSource data, Hyper hyper, Progress progress,
                         Checkpoint checkpoint) {
        int n = data.size();
        int stepsPerEpoch = (n + hyper.batchSize() - 1) / hyper.batchSize();
        int total = stepsPerEpoch * hyper.epochs();
        java.util.Optional<Saved> saved = checkpoint.load().filter(c -> c.stepsDone() > 0 && c.stepsDone() < total);
        model.load(global, hyper::holds);
        Metrics before = saved.isPresent() ? saved.get().before() : evaluate(model, data, hyper.batchSize());
        Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) hyper.learningRate())).build();
        Map<String, NDArray> anchors = new HashMap<>();
        NDManager base = model.parameters().values().iterator().next().getManager();
        if (hyper.proximalMu() > 0) {
            model.parameters().forEach((name, p) -> anchors.put(name, p.duplicate()));
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(hyper.seed());
        double lossSum = 0;
        long lossCount = 0;
        int step = 0;
        int skipped = 0;
        NamedTensors lastFinite = global;
        if (saved.isPresent()) {
            step = saved.get().stepsDone();
            // The proximal anchors above were taken from the global state, as they must be.
            model.load(saved.get().state(), hyper::holds);
            lastFinite = saved.get().state();
            lossSum = saved.get().lossSum();
            lossCount = saved.get().lossCount();
            for (int epoch = 0; epoch < step / stepsPerEpoch; epoch++) {
                shuffle(order, random);
            }
        }
        for (int epoch = step / stepsPerEpoch; epoch < hyper.epochs(); epoch++) {
            shuffle(order, random);
            int firstBatch = epoch == step / stepsPerEpoch ? step % stepsPerEpoch : 0;
            for (int from = firstBatch * hyper.batchSize(); from < n; from += hyper.batchSize()) {
                int to = Math.min(n, from + hyper.batchSize());
                try (NDManager batch = base.newSubManager()) {
                    NDArray[] xy = arrays(batch, data, order, from, to);
                    double batchLoss;
                    try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                        NDArray loss = crossEntropy(forward(model, xy, true), xy[2]);
                        batchLoss = loss.getFloat();
                        if (hyper.proximalMu() > 0) {
                            NDArray proximal = null;
                            for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                                // Made on the parameter's manager, so moved to the batch's: else each step would keep
                                // a copy of the model's size for as long as the model lives.
                                NDArray difference = e.getValue().sub(anchors.get(e.getKey()));
                                difference.attach(batch);
                                NDArray term = difference.square().sum();
                                proximal = proximal == null ? term : proximal.add(term);
                            }
                            loss = loss.add(proximal.mul((float) (hyper.proximalMu() / 2)));
                        }
                        collector.backward(loss);
                    }
                    // A step whose loss is not finite is skipped, not applied (its gradient would make the parameters
                    // NaN for good), and its gradient is cleared in place: multiplying by zero leaves a NaN, so those are
                    // set to zero after. Never NDArray.set(Buffer) on a gradient: it points the tensor at a Java buffer
                    // that is freed once the gradient's wrapper is gone, and the next backward pass writes into freed memory.
                    // Checking every gradient each step would cost half again the time of a small step; a rarer
                    // blow-up through a finite loss is caught at the epoch's end below.
                    boolean finite = Double.isFinite(batchLoss);
                    for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                        if (hyper.holds(e.getKey())) {
                            // FFA-LoRA: A stays at its shared initial value, so every site's B multiplies the same A.
                            // FedRep's personal step: the shared representation stays as received, the head learns.
                            // Held tensors were loaded without a gradient.
                            continue;
                        }
                        NDArray gradient = e.getValue().getGradient();
                        if (finite) {
                            adam.update(e.getKey(), e.getValue(), gradient);
                            gradient.muli(0);
                        } else {
                            gradient.muli(0);
                            try (NDArray nan = gradient.isNaN()) {
                                gradient.set(nan, 0);
                            }
                        }
                        gradient.close();
                    }
                    if (finite) {
                        lossSum += batchLoss * (to - from);
                        lossCount += to - from;
                    } else {
                        skipped++;
                    }
                }
                step++;
                progress.step(step, total, lossSum / lossCount);
                if (step < total && progress.stopRequested()) {
                    checkpoint.save(new Saved(step, model.state(), lossSum, lossCount, before));
                    anchors.values().forEach(NDArray::close);
                    throw new Stopped(step, total);
                }
            }
            lastFinite = finiteOrRollBack(model, lastFinite, epoch, hyper);
            if (epoch + 1 < hyper.epochs()) {
                checkpoint.save(new Saved(step, lastFinite, lossSum, lossCount, before));
            }
        }
        checkpoint.clear();
        anchors.values().forEach(NDArray::close);
        if (skipped > 0) {
            LOG.warning(skipped + " of " + total + " steps were skipped: their loss or gradient was not finite");
        }
        NamedTensors trained = model.state();
        Metrics after = evaluate(model, data, hyper.batchSize());
        return new Outcome(trained.plusScaled(global, -1f), lossSum / Math.max(1, lossCount), before, after, step);
    }

    /**
     * The state at an epoch's end if every value is finite; else the last finite one, loaded back into
     * the model, so a blow-up costs at most that epoch's steps, never the update.
     */
    private static NamedTensors finiteOrRollBack(MultimodalModel model, NamedTensors lastFinite, int epoch, Hyper hyper) {
        NamedTensors now = model.state();
        for (String name : now.names()) {
            for (float v : now.get(name).values()) {
                if (!Float.isFinite(v)) {
                    LOG.warning("epoch " + (epoch + 1) + " left tensor " + name + " non-finite: its steps are undone");
                    model.load(lastFinite, hyper::holds);
                    return lastFinite;
                }
            }
        }
        return now;
    }

    static Metrics evaluate(MultimodalModel model, LabeledBatchSource data, int batchSize) {
        int[] predicted = new int[data.size()];
        double loss = predict(model, data, batchSize, predicted);
        return metrics(data.labels(), predicted, model.manifest().labels().size(), loss);
    }

    /** Fills {@code predicted} with the model's class per sample and returns the mean loss. */
    static double predict(MultimodalModel model, LabeledBatchSource data, int batchSize, int[] predicted) {
        double[] lossSum = {0};
        inOrder(model, data, batchSize, (from, to, xy, logits) -> {
            lossSum[0] += crossEntropy(logits, xy[2]).getFloat() * (to - from);
            long[] argmax = logits.argMax(1).toLongArray();
            for (int i = from; i < to; i++) {
                predicted[i] = (int) argmax[i - from];
            }
        });
        return lossSum[0] / Math.max(1, data.size());
    }

    /** The model's label probabilities (softmax of the logits) for each sample, in the manifest's label order. */
    static float[][] probabilities(MultimodalModel model, LabeledBatchSource data, int batchSize) {
        float[][] out = new float[data.size()][];
        inOrder(model, data, batchSize, (from, to, xy, logits) -> {
            float[] p = logits.softmax(1).toFloatArray();
            int classes = p.length / (to - from);
            for (int i = from; i < to; i++) {
                out[i] = java.util.Arrays.copyOfRange(p, (i - from) * classes, (i - from + 1) * classes);
            }
        });
        return out;
    }

    /** What is done with one batch's logits: samples [from, to) of the data, their arrays and the model's logits. */
    private interface BatchLogits {
        void accept(int from, int to, NDArray[] xy, NDArray logits);
    }

    /** The model's logits of the data in order, batch by batch, each batch's arrays freed after it. */
    private static void inOrder(MultimodalModel model, LabeledBatchSource data, int batchSize, BatchLogits each) {
        NDManager base = model.parameters().values().iterator().next().getManager();
        int[] order = new int[data.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int from = 0; from < data.size(); from += batchSize) {
            int to = Math.min(data.size(), from + batchSize);
            try (NDManager batch = base.newSubManager()) {
                NDArray[] xy = arrays(batch, data, order, from, to);
                each.accept(from, to, xy, forward(model, xy, false));
            }
        }
    }

    /** Macro-F1 of the samples of each scenario (samples without one are left out). */
    static Map<String, Double> macroF1ByScenario(LabeledBatchSource data, int[] predicted, int classes) {
        Map<String, java.util.List<Integer>> byScenario = new java.util.TreeMap<>();
        for (int i = 0; i < data.size(); i++) {
            if (data.scenarios()[i] != null) {
                byScenario.computeIfAbsent(data.scenarios()[i], k -> new java.util.ArrayList<>()).add(i);
            }
        }
        Map<String, Double> out = new java.util.LinkedHashMap<>();
        byScenario.forEach((scenario, indices) -> {
            int[] a = indices.stream().mapToInt(i -> data.labels()[i]).toArray();
            int[] p = indices.stream().mapToInt(i -> predicted[i]).toArray();
            out.put(scenario, metrics(a, p, classes, 0).macroF1());
        });
        return out;
    }

    /** Accuracy and macro-F1 from the confusion matrix of the predictions; labels are class indices here. */
    static Metrics metrics(int[] actual, int[] predicted, int classes, double loss) {
        ConfusionMatrix m = ConfusionMatrix.of(java.util.stream.IntStream.range(0, classes).mapToObj(Integer::toString).toList(),
                actual, predicted);
        return new Metrics(loss, m.accuracy(), m.macroF1(), actual.length);
    }

    private static NDArray forward(MultimodalModel model, NDArray[] xy, boolean training) {
        return model.forward(xy[0], xy[1], xy[3], xy[4], xy[5] == null ? null : new NDArray[] {xy[5], xy[6], xy[7]}, training);
    }

    private static NDArray crossEntropy(NDArray logits, NDArray labels) {
        NDArray logProbabilities = logits.logSoftmax(1);
        return logProbabilities.mul(labels.oneHot((int) logits.getShape().get(1))).sum(new int[] {1}).neg().mean();
    }

    /**
     * Text [b, dim], images [b, channels, s, s], labels [b], the text and image presence masks [b, 1], and for
     * an adapted text encoder the token ids, mask and types [b, longest], of the samples
     * order[from..to); null for a modality the model lacks (or reads as tokens), and a null presence
     * mask when every sample of the batch carries that modality.
     */
    private static NDArray[] arrays(NDManager manager, LabeledBatchSource data, int[] order, int from, int to) {
        int b = to - from;
        int[] labels = new int[b];
        for (int k = 0; k < b; k++) {
            labels[k] = data.labels()[order[from + k]];
        }
        NDArray text = null;
        if (data.text() != null) {
            int dim = data.text()[0].length;
            float[] values = new float[b * dim];
            for (int k = 0; k < b; k++) {
                System.arraycopy(data.text()[order[from + k]], 0, values, k * dim, dim);
            }
            text = manager.create(values, new Shape(b, dim));
        }
        NDArray images = null;
        if (data.images() != null) {
            int pixels = data.images()[0].length;
            float[] values = new float[b * pixels];
            for (int k = 0; k < b; k++) {
                System.arraycopy(data.images()[order[from + k]], 0, values, k * pixels, pixels);
            }
            int s = data.imageSize();
            // Pixels for a trained CNN; the features of a frozen encoder (imageSize 0) as they are.
            images = manager.create(values, s > 0 ? new Shape(b, pixels / (s * s), s, s) : new Shape(b, pixels));
        }
        NDArray[] tokens = tokens(manager, data, order, from, to);
        return new NDArray[] {text, images, manager.create(labels, new Shape(b)), mask(manager, data.hasText(), order, from, to),
                mask(manager, data.hasImage(), order, from, to), tokens[0], tokens[1], tokens[2]};
    }

    /** Token ids, attention mask and token types [b, longest] of the batch, padded; nulls when the model reads embeddings. */
    private static NDArray[] tokens(NDManager manager, LabeledBatchSource data, int[] order, int from, int to) {
        if (data.tokenIds() == null) {
            return new NDArray[3];
        }
        int longest = 1;
        for (int k = from; k < to; k++) {
            longest = Math.max(longest, data.tokenIds()[order[k]].length);
        }
        long[][] ids = new long[to - from][longest];
        long[][] mask = new long[to - from][longest];
        long[][] types = new long[to - from][longest];
        for (int k = from; k < to; k++) {
            long[] sample = data.tokenIds()[order[k]];
            System.arraycopy(sample, 0, ids[k - from], 0, sample.length);
            System.arraycopy(data.tokenTypes()[order[k]], 0, types[k - from], 0, sample.length);
            java.util.Arrays.fill(mask[k - from], 0, sample.length, 1L);
        }
        return new NDArray[] {manager.create(ids), manager.create(mask), manager.create(types)};
    }

    private static NDArray mask(NDManager manager, boolean[] present, int[] order, int from, int to) {
        if (present == null) {
            return null;
        }
        float[] values = new float[to - from];
        boolean all = true;
        for (int k = 0; k < values.length; k++) {
            values[k] = present[order[from + k]] ? 1f : 0f;
            all &= values[k] == 1f;
        }
        return all ? null : manager.create(values, new Shape(values.length, 1));
    }

    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
