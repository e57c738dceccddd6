package org.civitas.federation.core.worker;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A request to the model worker, and the result it answers with. One JSON object per line.
 * Requests arrive on the worker's stdin; for each, the worker writes zero or more {@code
 * progress} lines and then exactly one {@code result} or {@code error} line with the same {@code
 * id} on stdout. Tensors travel as safetensors files named by path.
 *
 * <pre>
 * → {"id": "1", "op": "train", "manifest": "model.json", "dataset": "data/manifest.jsonl",
 *    "state": "global.safetensors", "out": "update.safetensors",
 *    "hyper": {"epochs": 2, "learningRate": 0.005, "batchSize": 32, "seed": 7, "proximalMu": 0}}
 * ← {"id": "1", "event": "progress", "step": 5, "steps": 40, "loss": 1.93}
 * ← {"id": "1", "event": "result", "out": "update.safetensors", "sha256": "...", "samples": 480,
 *    "metrics": {"trainLoss": 1.41, "globalLoss": 2.48, "accuracy": 0.71, "macroF1": 0.66, ...}}
 * → {"id": "2", "op": "evaluate", "manifest": ..., "dataset": ..., "state": ...}
 * → {"id": "3", "op": "embed", "manifest": ..., "texts": ["smoke from a substation"]}
 * → {"id": "5", "op": "load", "manifest": ...}   ← a result once every tower is loaded and checked
 * → {"id": "4", "op": "shutdown"}        ← {"id": "4", "event": "result"} and the process exits 0
 * → {"op": "cancel", "target": "1"}      (while request 1 trains) ← {"id": "1", "event": "error", "message": "cancelled ..."}
 * </pre>
 *
 * On start the worker writes {@code {"event": "ready", ...}} naming its engine and devices. The
 * {@code delta} written to {@code out} is the trained state minus {@code state}, holding exactly
 * the manifest's trainable tensors; {@code manifest} may be omitted for the shipped default. With
 * {@code "checkpoint": "path"} a training run saves its progress after every epoch and where it is
 * cancelled, and a repeated request for the same run (same state and hyper-parameters) resumes
 * after the last saved step. With {@code "heldout": manifest} the result also carries {@code
 * heldout} metrics of the received state (before training) on that split. A {@code cancel} line
 * may come while a request runs: a training request saves its progress at its next step, stops
 * there and answers an error; the worker stays up. JSON has no NaN: a diverged loss travels as
 * the string "NaN" or "Infinity".
 *
 * @param <R> the result the worker answers with
 */
public sealed interface WorkerRequest<R extends WorkerResult> {

    /** The operations a worker serves, as {@link #parse} names them in its error. */
    String OPS = "train, evaluate, predict, embed, load, ping, shutdown";

    String op();

    /** The request's fields on its line, besides {@code id} and {@code op}. */
    Map<String, Object> fields();

    /** Reads the result line's fields (besides {@code id} and {@code event}) as this request's result. */
    R result(WorkerFields result);

    /**
     * Training hyper-parameters as sent; a missing one takes the worker's default. {@code freezeLoraA}
     * keeps every LoRA A factor where it is (FFA-LoRA): only the B factors and the other tensors train.
     */
    /**
     * Training hyper-parameters; absent ones take the worker's defaults. {@code freezeLoraA}: FFA-LoRA,
     * the A factors stay as they are. {@code headOnly}: FedRep's personal step, only the head
     * ({@code head.*}) is trained and the shared representation stays as received.
     */
    record Hyper(Integer epochs, Double learningRate, Integer batchSize, Long seed, Double proximalMu, Boolean freezeLoraA,
                 Boolean headOnly) {

        public Hyper(Integer epochs, Double learningRate, Integer batchSize, Long seed, Double proximalMu) {
            this(epochs, learningRate, batchSize, seed, proximalMu, null, null);
        }

        public Hyper(Integer epochs, Double learningRate, Integer batchSize, Long seed, Double proximalMu, Boolean freezeLoraA) {
            this(epochs, learningRate, batchSize, seed, proximalMu, freezeLoraA, null);
        }

        Map<String, Object> fields() {
            Map<String, Object> out = new LinkedHashMap<>();
            putIfSet(out, "epochs", epochs);
            putIfSet(out, "learningRate", learningRate);
            putIfSet(out, "batchSize", batchSize);
            putIfSet(out, "seed", seed);
            putIfSet(out, "proximalMu", proximalMu);
            putIfSet(out, "freezeLoraA", freezeLoraA);
            putIfSet(out, "headOnly", headOnly);
            return out;
        }

        static Hyper from(WorkerFields f) {
            f.only(Set.of("epochs", "learningRate", "batchSize", "seed", "proximalMu", "freezeLoraA", "headOnly"));
            return new Hyper(f.optionalInt("epochs"), f.optionalDouble("learningRate"), f.optionalInt("batchSize"), f.optionalLong("seed"),
                    f.optionalDouble("proximalMu"), f.optionalBoolean("freezeLoraA"), f.optionalBoolean("headOnly"));
        }
    }

    /** Trains from {@code state} on {@code dataset} and writes the update to {@code out}. */
    record Train(String manifest, String dataset, String state, String out, Hyper hyper, String checkpoint, String heldout)
            implements WorkerRequest<WorkerResult.Trained> {
        @Override
        public String op() {
            return "train";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> f = new LinkedHashMap<>();
            putIfSet(f, "manifest", manifest);
            f.put("dataset", dataset);
            f.put("state", state);
            f.put("out", out);
            if (hyper != null) {
                f.put("hyper", hyper.fields());
            }
            putIfSet(f, "checkpoint", checkpoint);
            putIfSet(f, "heldout", heldout);
            return f;
        }

        @Override
        public WorkerResult.Trained result(WorkerFields result) {
            return WorkerResult.Trained.from(result);
        }
    }

    /** The metrics of {@code state} on {@code dataset}. */
    record Evaluate(String manifest, String dataset, String state) implements WorkerRequest<WorkerResult.Evaluated> {
        @Override
        public String op() {
            return "evaluate";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> f = new LinkedHashMap<>();
            putIfSet(f, "manifest", manifest);
            f.put("dataset", dataset);
            f.put("state", state);
            return f;
        }

        @Override
        public WorkerResult.Evaluated result(WorkerFields result) {
            return WorkerResult.Evaluated.from(result);
        }
    }

    /**
     * One input to predict: a report's text, and its image either as a file ({@code image}) or as
     * pixels the caller already checked and scaled ({@code pixels}: Base64 of the model's size x size
     * RGB bytes, as {@link org.civitas.federation.core.dataset.ImagePixels#rgb} makes them, which
     * spares the worker a file and a second decoding). Any of them null when the input lacks it; never
     * both image and pixels.
     */
    record Input(String text, String image, String pixels) {

        public Input(String text, String image) {
            this(text, image, null);
        }

        Map<String, Object> fields() {
            Map<String, Object> f = new LinkedHashMap<>();
            putIfSet(f, "text", text);
            putIfSet(f, "image", image);
            putIfSet(f, "pixels", pixels);
            return f;
        }
    }

    /** The label probabilities of {@code state}'s model for each input, in the manifest's label order. */
    record Predict(String manifest, String state, List<Input> inputs) implements WorkerRequest<WorkerResult.Predicted> {
        @Override
        public String op() {
            return "predict";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> f = new LinkedHashMap<>();
            putIfSet(f, "manifest", manifest);
            f.put("state", state);
            f.put("inputs", inputs.stream().map(Input::fields).toList());
            return f;
        }

        @Override
        public WorkerResult.Predicted result(WorkerFields result) {
            return WorkerResult.Predicted.from(result);
        }
    }

    /** The text tower's embeddings of {@code texts}. */
    record Embed(String manifest, List<String> texts) implements WorkerRequest<WorkerResult.Embedded> {
        @Override
        public String op() {
            return "embed";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> f = new LinkedHashMap<>();
            putIfSet(f, "manifest", manifest);
            f.put("texts", texts);
            return f;
        }

        @Override
        public WorkerResult.Embedded result(WorkerFields result) {
            return WorkerResult.Embedded.from(result);
        }
    }

    /**
     * Loads a manifest's model as training would: every artifact read and checked against its
     * SHA-256, an ONNX image encoder's output width against {@code image.dim}. Answers once all is
     * well, else an error naming the manifest field.
     */
    record Load(String manifest) implements WorkerRequest<WorkerResult.Done> {
        @Override
        public String op() {
            return "load";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> f = new LinkedHashMap<>();
            putIfSet(f, "manifest", manifest);
            return f;
        }

        @Override
        public WorkerResult.Done result(WorkerFields result) {
            return new WorkerResult.Done();
        }
    }

    /** Answers at once: is the worker there. */
    record Ping() implements WorkerRequest<WorkerResult.Done> {
        @Override
        public String op() {
            return "ping";
        }

        @Override
        public Map<String, Object> fields() {
            return Map.of();
        }

        @Override
        public WorkerResult.Done result(WorkerFields result) {
            return new WorkerResult.Done();
        }
    }

    /** Answers, then the worker exits. */
    record Shutdown() implements WorkerRequest<WorkerResult.Done> {
        @Override
        public String op() {
            return "shutdown";
        }

        @Override
        public Map<String, Object> fields() {
            return Map.of();
        }

        @Override
        public WorkerResult.Done result(WorkerFields result) {
            return new WorkerResult.Done();
        }
    }

    /**
     * The request of a line's fields (the worker's side), checked: a known op, its required
     * fields, no unknown field.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static WorkerRequest<?> parse(Map<String, Object> line) {
        Object op = line.get("op");
        WorkerFields f = new WorkerFields(line, "the request");
        return switch (String.valueOf(op)) {
            case "train" -> {
                f.only(Set.of("id", "op", "manifest", "dataset", "state", "out", "hyper", "checkpoint", "heldout"));
                WorkerFields hyper = f.optionalObject("hyper");
                yield new Train(f.optionalString("manifest"), f.string("dataset"), f.string("state"), f.string("out"),
                        hyper == null ? null : Hyper.from(hyper), f.optionalString("checkpoint"), f.optionalString("heldout"));
            }
            case "evaluate" -> {
                f.only(Set.of("id", "op", "manifest", "dataset", "state"));
                yield new Evaluate(f.optionalString("manifest"), f.string("dataset"), f.string("state"));
            }
            case "predict" -> {
                f.only(Set.of("id", "op", "manifest", "state", "inputs"));
                List<Input> inputs = new java.util.ArrayList<>();
                for (Object item : f.list("inputs")) {
                    if (!(item instanceof Map<?, ?> fields)) {
                        throw new IllegalArgumentException("'inputs' must be a list of objects with 'text' and/or 'image'");
                    }
                    @SuppressWarnings("unchecked")
                    WorkerFields input = new WorkerFields((Map<String, Object>) fields, "an input");
                    input.only(Set.of("text", "image", "pixels"));
                    String text = input.optionalString("text");
                    String image = input.optionalString("image");
                    String pixels = input.optionalString("pixels");
                    if (text == null && image == null && pixels == null) {
                        throw new IllegalArgumentException("input " + inputs.size() + " has neither 'text' nor 'image'");
                    }
                    if (image != null && pixels != null) {
                        throw new IllegalArgumentException("input " + inputs.size() + " has both 'image' and 'pixels'");
                    }
                    inputs.add(new Input(text, image, pixels));
                }
                yield new Predict(f.optionalString("manifest"), f.string("state"), List.copyOf(inputs));
            }
            case "embed" -> {
                f.only(Set.of("id", "op", "manifest", "texts"));
                List<?> texts = f.list("texts");
                if (!texts.stream().allMatch(t -> t instanceof String)) {
                    throw new IllegalArgumentException("'texts' must be a list of strings");
                }
                yield new Embed(f.optionalString("manifest"), texts.stream().map(String.class::cast).toList());
            }
            case "load" -> {
                f.only(Set.of("id", "op", "manifest"));
                yield new Load(f.string("manifest"));
            }
            case "ping" -> new Ping();
            case "shutdown" -> new Shutdown();
            default -> throw new IllegalArgumentException("unknown op '" + op + "' (ops: " + OPS + ")");
        };
    }

    private static void putIfSet(Map<String, Object> fields, String name, Object value) {
        if (value != null) {
            fields.put(name, value);
        }
    }
}
