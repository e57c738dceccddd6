package org.civitas.federation.core.model.manifest;

import org.civitas.federation.core.json.JsonTree;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A multimodal model: a frozen text tower, an image tower (a small CNN trained with the adapters,
 * or a frozen ONNX encoder of the operator's), a fusion layer and a classification head, with LoRA
 * adapters on the target layers. Only the trainable tensors are federated.
 *
 * <pre>{@code
 * {"name": "city-safety-multimodal",
 *  "text":  {"kind": "onnx", "artifact": "classpath:all-minilm-l6-v2.onnx",
 *            "tokenizer": "classpath:all-minilm-l6-v2-tokenizer.json", "sha256": "...", "dim": 384, "maxTokens": 128},
 *  "image": {"kind": "cnn", "size": 32, "preset": "small"},
 *  "fusion": {"hidden": 64, "seed": 20261127},
 *  "adapter": {"rank": 4, "alpha": 8, "targets": ["text_proj", "fusion"]},
 *  "labels": ["flooding", "smoke_fire", ...]}
 * }</pre>
 *
 * A manifest declares the towers its task's modalities need: a text-only task's model has no image
 * tower and a fusion layer over the text features alone, and the reverse. A manifest registered for
 * several tasks leaves out {@code labels}; the head is sized from the task's labels when a plan
 * binds the two ({@link #withLabels}), and only a manifest with labels can be trained.
 *
 * @param text    the text tower, or null when the model reads no text
 * @param image   the image tower, or null when the model sees no images
 * @param fusion  width of the fused representation, and the seed of the frozen base weights every
 *                site derives identically
 * @param adapter LoRA rank, scaling alpha and the layers it adapts
 * @param labels  the task's classes, in output order; empty until the manifest is bound to a task
 */
public record ModelManifest(String name, TextTower text, ImageTower image, Fusion fusion, Adapter adapter, List<String> labels) {

    /**
     * Layers an adapter may target: the text projection and the fusion layer, and inside the text
     * encoder ({@code text.mode: adapters}) the attention projections of every layer.
     */
    public static final Set<String> TARGETS = Set.of("text_proj", "fusion", "query", "key", "value");

    /** The targets inside the text encoder's attention. */
    public static final List<String> ATTENTION_TARGETS = List.of("query", "key", "value");

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** An adapter target inside the CNN image tower. */
    private static final Pattern IMAGE_TARGET = Pattern.compile("image\\.(conv|dense)[0-9]+");

    /** How an ONNX image encoder takes its input: channels first or last. */
    public static final Set<String> LAYOUTS = Set.of("NCHW", "NHWC");

    /**
     * An ONNX sentence encoder with its tokenizer; mean-pooled, L2-normalised output of {@code dim}.
     * {@code mode} {@code frozen} reads its output; {@code adapters} runs the BERT-style encoder of
     * {@code layers} layers of {@code heads} attention heads with LoRA on the attention projections
     * the adapter targets, its pretrained weights frozen.
     */
    public record TextTower(String kind, String artifact, String tokenizer, String sha256, int dim, int maxTokens, String mode,
                            int layers, int heads) {

        public TextTower(String kind, String artifact, String tokenizer, String sha256, int dim, int maxTokens) {
            this(kind, artifact, tokenizer, sha256, dim, maxTokens, "frozen", 0, 0);
        }

        /** Whether the encoder itself is adapted (LoRA inside it), not only read. */
        public boolean adapted() {
            return "adapters".equals(mode);
        }
    }

    /**
     * {@code cnn}: a convolutional tower on {@code size} x {@code size} input, trained and federated
     * ({@link CnnTower}); the first manifests' form, {@code channels}, is one stride-2 3x3
     * convolution (with ReLU) per entry, averaged over the map, on RGB input. {@code onnx}: a frozen
     * encoder from {@code artifact} producing {@code dim} features from {@code size} x {@code size}
     * RGB input, each channel scaled to [0, 1] and then normalised by {@code mean} and {@code std},
     * in {@code layout} {@code NCHW} or {@code NHWC}.
     *
     * @param channels the first manifests' form of a CNN; empty when {@code cnn} was declared block by block
     * @param cnn      the CNN (null for an ONNX encoder)
     * @param base     the CNN's pretrained weights, a safetensors artifact named by its hash ({@code sha256:<hex>}) holding
     *                 every tensor of the tower: version 0 of a federation starts from them, and the layers the adapter
     *                 targets keep them frozen; null when the tower starts from random weights
     */
    public record ImageTower(String kind, int size, List<Integer> channels, String artifact, String sha256, int dim,
                             List<Double> mean, List<Double> std, String layout, CnnTower cnn, String base) {

        public ImageTower(String kind, int size, List<Integer> channels, String artifact, String sha256, int dim) {
            this(kind, size, channels, artifact, sha256, dim, null, null, null);
        }

        public ImageTower(String kind, int size, List<Integer> channels, String artifact, String sha256, int dim,
                          List<Double> mean, List<Double> std, String layout) {
            this(kind, size, channels, artifact, sha256, dim, mean, std, layout,
                    "cnn".equals(kind) ? CnnTower.ofChannels(channels) : null, null);
        }

        /** A CNN declared block by block, from random weights or from a pretrained {@code base} (null: none). */
        public static ImageTower of(int size, CnnTower cnn, String base) {
            return new ImageTower("cnn", size, List.of(), null, null, 0, null, null, null, cnn, base);
        }

        /** The hash of the pretrained base's file, without {@code sha256:}; null without a base. */
        public String baseSha256() {
            return base == null ? null : base.substring("sha256:".length());
        }

        /** Width of the image features the fusion layer receives. */
        public int outputDim() {
            return "cnn".equals(kind) ? cnn.outputDim(size) : dim;
        }
    }

    public record Fusion(int hidden, long seed) {
    }

    public record Adapter(int rank, double alpha, List<String> targets) {
        public double scaling() {
            return alpha / rank;
        }
    }

    /** Thrown with every problem found, each naming its field. */
    public static final class InvalidManifestException extends IllegalArgumentException {
        private final List<String> problems;

        InvalidManifestException(List<String> problems) {
            super("invalid model manifest: " + String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /**
     * Parses and validates a manifest.
     *
     * @throws InvalidManifestException naming every field that is missing, of the wrong type or out of range
     */
    public static ModelManifest parse(String json) {
        Object root;
        try {
            root = JsonTree.parse(json);
        } catch (IllegalArgumentException e) {
            throw new InvalidManifestException(List.of(e.getMessage()));
        }
        Fields f = new Fields(root);
        String name = f.string("name", true);
        f.only("", "name", "text", "image", "fusion", "adapter", "labels");

        TextTower text = null;
        if (f.present("text")) {
            f.only("text", "kind", "artifact", "tokenizer", "sha256", "dim", "maxTokens", "mode", "layers", "heads");
            String textKind = f.string("text.kind", true);
            if (textKind != null && !"onnx".equals(textKind)) {
                f.problem("text.kind must be 'onnx', was '" + textKind + "'");
            }
            String mode = f.present("text.mode") ? f.string("text.mode", true) : "frozen";
            if (mode != null && !List.of("frozen", "adapters").contains(mode)) {
                f.problem("text.mode must be 'frozen' or 'adapters', was '" + mode + "'");
            }
            boolean adapted = "adapters".equals(mode);
            if (!adapted && (f.present("text.layers") || f.present("text.heads"))) {
                f.problem("text.layers and text.heads describe an encoder that is adapted; they need text.mode 'adapters'");
            }
            text = new TextTower(textKind, f.string("text.artifact", true), f.string("text.tokenizer", true),
                    f.sha256("text.sha256", true), f.integer("text.dim", 1, 4096, true), f.integer("text.maxTokens", 8, 512, true),
                    mode, adapted ? f.integer("text.layers", 1, 48, true) : 0, adapted ? f.integer("text.heads", 1, 64, true) : 0);
        }

        ImageTower image = null;
        if (f.present("image")) {
            String imageKind = f.string("image.kind", true);
            if ("cnn".equals(imageKind) && f.present("image.channels")) {
                f.only("image", "kind", "size", "channels");
                List<Integer> channels = f.integers("image.channels", 1, 4, 1, 256);
                image = new ImageTower("cnn", f.integer("image.size", 8, 256, true), channels, null, null, 0);
            } else if ("cnn".equals(imageKind)) {
                image = CnnTowerFields.parse(f);
            } else if ("onnx".equals(imageKind)) {
                f.only("image", "kind", "size", "artifact", "sha256", "dim", "mean", "std", "layout");
                String layout = f.string("image.layout", true);
                if (layout != null && !LAYOUTS.contains(layout)) {
                    f.problem("image.layout must be 'NCHW' or 'NHWC', was '" + layout + "'");
                }
                image = new ImageTower("onnx", f.integer("image.size", 8, 1024, true), List.of(), f.string("image.artifact", true),
                        f.sha256("image.sha256", true), f.integer("image.dim", 1, 8192, true),
                        f.numbers("image.mean", 3, -1e3, 1e3), f.numbers("image.std", 3, 1e-6, 1e3), layout);
            } else if (imageKind != null) {
                f.only("image", "kind", "size", "channels", "artifact", "sha256", "dim", "mean", "std", "layout", "inputChannels", "preset",
                        "blocks", "norm", "groups", "dense", "dropout", "output");
                f.problem("image.kind must be 'cnn' or 'onnx', was '" + imageKind + "'");
            }
        }
        if (!f.present("text") && !f.present("image") && f.isObject()) {
            f.problem("text and image are both missing: a model needs at least one tower");
        }

        f.only("fusion", "hidden", "seed");
        Fusion fusion = new Fusion(f.integer("fusion.hidden", 2, 4096, true), f.longValue("fusion.seed"));

        f.only("adapter", "rank", "alpha", "targets");
        int rank = f.integer("adapter.rank", 1, 256, true);
        double alpha = f.number("adapter.alpha", 1e-6, 1e6);
        List<String> targets = f.strings("adapter.targets", 1, 64);
        for (String t : targets) {
            if (IMAGE_TARGET.matcher(t).matches()) {
                imageTargetProblem(t, image).ifPresent(f::problem);
            } else if (!TARGETS.contains(t)) {
                f.problem("adapter.targets: '" + t + "' is not a layer (layers: fusion, text_proj, with text.mode 'adapters'"
                        + " query, key, value, and with a pretrained image.base the CNN's image.conv<i> and image.dense<j>)");
            } else if ("text_proj".equals(t) && f.isObject() && !f.present("text")) {
                f.problem("adapter.targets: 'text_proj' needs a text tower, and the manifest has none");
            } else if (ATTENTION_TARGETS.contains(t) && (text == null || !text.adapted())) {
                f.problem("adapter.targets: '" + t + "' adapts the text encoder's attention; it needs text.mode 'adapters'");
            }
        }
        if (text != null && text.adapted() && targets.stream().noneMatch(ATTENTION_TARGETS::contains)) {
            f.problem("text.mode 'adapters' needs an attention projection in adapter.targets (query, key or value)");
        }
        if (text != null && text.adapted() && text.heads() > 0 && text.dim() % text.heads() != 0) {
            f.problem("text.heads " + text.heads() + " must divide text.dim " + text.dim());
        }
        if (text != null && text.adapted() && rank > text.dim() && text.dim() > 0) {
            f.problem("adapter.rank " + rank + " must not exceed text.dim " + text.dim() + ", the width of the projections it adapts");
        }
        if (new LinkedHashSet<>(targets).size() != targets.size()) {
            f.problem("adapter.targets must not repeat");
        }
        if (rank > 0 && fusion.hidden() > 0 && rank > fusion.hidden()) {
            f.problem("adapter.rank " + rank + " must not exceed fusion.hidden " + fusion.hidden());
        }
        Adapter adapter = new Adapter(rank, alpha, targets);

        List<String> labels = f.present("labels") ? f.strings("labels", 2, 1000) : List.of();
        if (new LinkedHashSet<>(labels).size() != labels.size()) {
            f.problem("labels must not repeat");
        }
        f.throwIfAny();
        return new ModelManifest(name, text, image, fusion, adapter, List.copyOf(labels));
    }

    /**
     * What is wrong with an image layer as a LoRA target: it must be a layer of a CNN tower, and the
     * tower must name its pretrained weights, since LoRA adapts pretrained weights and a frozen random
     * convolution adapts nothing (Hu et al. 2021).
     */
    private static java.util.Optional<String> imageTargetProblem(String target, ImageTower image) {
        if (image == null || !"cnn".equals(image.kind()) || image.cnn() == null) {
            return java.util.Optional.of("adapter.targets: '" + target + "' adapts a layer of a CNN image tower, and the manifest has none");
        }
        if (!image.cnn().layers().contains(target)) {
            return java.util.Optional.of("adapter.targets: '" + target + "' is not a layer of the image tower (its layers: "
                    + image.cnn().layers() + ")");
        }
        if (image.base() == null) {
            return java.util.Optional.of("adapter.targets: '" + target + "' keeps the layer's weights frozen and trains LoRA beside"
                    + " them, so the weights must be pretrained: name them in image.base, or train the layer fully by leaving it out");
        }
        return java.util.Optional.empty();
    }

    /** The CNN's layers the adapter targets ({@code image.conv<i>}, {@code image.dense<j>}): frozen at the base, with LoRA. */
    public Set<String> imageLoraLayers() {
        Set<String> layers = new java.util.TreeSet<>();
        adapter.targets().stream().filter(t -> t.startsWith("image.")).forEach(layers::add);
        return layers;
    }

    /** The manifest the platform ships: MiniLM text tower, a small CNN, the twelve city-safety labels. */
    public static ModelManifest citySafetyDefault() {
        return shipped("/models/city-safety-multimodal.json");
    }

    /**
     * The shipped model with MiniLM adapted rather than read: LoRA on the query and value projections
     * of its six layers, beside the text projection and fusion adapters.
     */
    public static ModelManifest citySafetyAdapters() {
        return shipped("/models/city-safety-multimodal-adapters.json");
    }

    private static ModelManifest shipped(String resource) {
        try (java.io.InputStream in = ModelManifest.class.getResourceAsStream(resource)) {
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The same model with its head sized for these labels, in output order: the manifest a plan binds to its task. */
    public ModelManifest withLabels(List<String> taskLabels) {
        if (taskLabels.size() < 2 || taskLabels.size() > 1000 || new LinkedHashSet<>(taskLabels).size() != taskLabels.size()) {
            throw new IllegalArgumentException("labels must be 2 to 1000 distinct names, were " + taskLabels.size());
        }
        return new ModelManifest(name, text, image, fusion, adapter, List.copyOf(taskLabels));
    }

    /** The same model without labels: the form a consortium registers, which a plan binds to its task. */
    public ModelManifest withoutLabels() {
        return new ModelManifest(name, text, image, fusion, adapter, List.of());
    }

    /** The federated name of an attention projection of the text encoder, without its {@code .lora_A.weight}. */
    public static String textEncoderLayer(int layer, String projection) {
        return "text.encoder.layer." + layer + ".attention.self." + projection;
    }

    /** Whether the head is sized, so the model can be built and trained. */
    public boolean hasLabels() {
        return !labels.isEmpty();
    }

    /** The modalities the model reads: {@code image}, {@code text} or both. */
    public Set<String> modalities() {
        Set<String> m = new java.util.TreeSet<>();
        if (image != null) {
            m.add("image");
        }
        if (text != null) {
            m.add("text");
        }
        return m;
    }

    /** Width of the fusion layer's input: the projected text features (when there is text) and the image features. */
    public int fusionInputDim() {
        return (text == null ? 0 : fusion.hidden()) + (image == null ? 0 : image.outputDim());
    }

    /** The trainable tensors and their shapes: exactly what a site sends and the coordinator aggregates. */
    public Map<String, int[]> trainableShapes() {
        if (!hasLabels()) {
            throw new IllegalStateException("manifest '" + name + "' has no labels: bind it to a task first");
        }
        Map<String, int[]> shapes = new java.util.LinkedHashMap<>();
        int r = adapter.rank();
        if (image != null && "cnn".equals(image.kind())) {
            shapes.putAll(image.cnn().trainableShapes(image.size(), imageLoraLayers(), r));
        }
        int h = fusion.hidden();
        if (text != null && text.adapted()) {
            // LoRA inside the encoder, named as PEFT names it: A [rank, in], B [out, rank] of each targeted projection.
            for (int l = 0; l < text.layers(); l++) {
                for (String target : ATTENTION_TARGETS) {
                    if (adapter.targets().contains(target)) {
                        String layer = textEncoderLayer(l, target);
                        shapes.put(layer + ".lora_A.weight", new int[] {r, text.dim()});
                        shapes.put(layer + ".lora_B.weight", new int[] {text.dim(), r});
                    }
                }
            }
        }
        if (adapter.targets().contains("text_proj")) {
            shapes.put("text_proj.lora_a", new int[] {r, text.dim()});
            shapes.put("text_proj.lora_b", new int[] {h, r});
        }
        if (adapter.targets().contains("fusion")) {
            shapes.put("fusion.lora_a", new int[] {r, fusionInputDim()});
            shapes.put("fusion.lora_b", new int[] {h, r});
        }
        shapes.put("head.weight", new int[] {labels.size(), h});
        shapes.put("head.bias", new int[] {labels.size()});
        return shapes;
    }

    /** The manifest as RFC 8785 canonical JSON: what the registry stores and hashes. */
    public String canonicalJson() {
        return org.civitas.federation.core.json.CanonicalJson.of(jsonText(org.civitas.federation.core.json.CanonicalJson::string));
    }

    /** SHA-256 of {@link #canonicalJson()}. */
    public String sha256() {
        return org.civitas.federation.core.json.CanonicalJson.sha256(canonicalJson());
    }

    /**
     * The hash in the legacy form (fields in a fixed order, then every space removed, names with
     * them included: two manifests whose names differed by a space hashed alike). Only for plans
     * whose agreements were approved under that form.
     */
    public String legacySha256() {
        return org.civitas.federation.core.json.CanonicalJson.sha256(jsonText(ModelManifest::q).replace(" ", ""));
    }

    private String jsonText(java.util.function.Function<String, String> quote) {
        StringBuilder s = new StringBuilder("{");
        s.append("\"name\":").append(quote.apply(name));
        // Absent towers and labels are left out, so the shipped two-tower manifest keeps its hash.
        if (text != null) {
            s.append(",\"text\":{\"kind\":").append(quote.apply(text.kind())).append(",\"artifact\":").append(quote.apply(text.artifact()))
                    .append(",\"tokenizer\":").append(quote.apply(text.tokenizer())).append(",\"sha256\":").append(quote.apply(text.sha256()))
                    .append(",\"dim\":").append(text.dim()).append(",\"maxTokens\":").append(text.maxTokens());
            if (text.adapted()) {
                // Only an adapted tower names its mode and shape, so a frozen tower's manifest keeps its hash.
                s.append(",\"mode\":").append(quote.apply(text.mode())).append(",\"layers\":").append(text.layers())
                        .append(",\"heads\":").append(text.heads());
            }
            s.append('}');
        }
        if (image != null) {
            s.append(",\"image\":{\"kind\":").append(quote.apply(image.kind())).append(",\"size\":").append(image.size());
            if ("cnn".equals(image.kind()) && !image.channels().isEmpty()) {
                s.append(",\"channels\":").append(image.channels());
            } else if ("cnn".equals(image.kind())) {
                CnnTower c = image.cnn();
                s.append(",\"inputChannels\":").append(c.inputChannels()).append(",\"blocks\":[");
                for (int i = 0; i < c.blocks().size(); i++) {
                    CnnTower.ConvBlock b = c.blocks().get(i);
                    s.append(i == 0 ? "" : ",").append("{\"channels\":").append(b.channels()).append(",\"kernel\":").append(b.kernel())
                            .append(",\"stride\":").append(b.stride()).append(",\"pool\":").append(b.pool())
                            .append(",\"residual\":").append(b.residual()).append('}');
                }
                s.append("],\"norm\":").append(quote.apply(c.norm())).append(",\"groups\":").append(c.groups())
                        .append(",\"dense\":").append(c.dense()).append(",\"dropout\":").append(c.dropout())
                        .append(",\"output\":").append(quote.apply(c.output()));
                if (image.base() != null) {
                    s.append(",\"base\":").append(quote.apply(image.base()));
                }
            } else {
                s.append(",\"artifact\":").append(quote.apply(image.artifact())).append(",\"sha256\":").append(quote.apply(image.sha256()))
                        .append(",\"dim\":").append(image.dim());
                if (image.layout() != null) {
                    s.append(",\"mean\":").append(image.mean()).append(",\"std\":").append(image.std())
                            .append(",\"layout\":").append(quote.apply(image.layout()));
                }
            }
            s.append('}');
        }
        s.append(",\"fusion\":{\"hidden\":").append(fusion.hidden()).append(",\"seed\":").append(fusion.seed()).append('}');
        s.append(",\"adapter\":{\"rank\":").append(adapter.rank()).append(",\"alpha\":").append(adapter.alpha())
                .append(",\"targets\":[").append(String.join(",", adapter.targets().stream().map(quote).toList())).append("]}");
        if (!labels.isEmpty()) {
            s.append(",\"labels\":[").append(String.join(",", labels.stream().map(quote).toList())).append(']');
        }
        s.append('}');
        return s.toString();
    }

    private static String q(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** Reads dotted field paths from the parsed tree, collecting a problem per bad field. */
    static final class Fields {
        private final Object root;
        private final List<String> problems = new ArrayList<>();

        Fields(Object root) {
            this.root = root;
            if (!(root instanceof Map)) {
                problems.add("the manifest must be a JSON object");
            }
        }

        void problem(String message) {
            problems.add(message);
        }

        boolean isObject() {
            return root instanceof Map;
        }

        /** Whether a top-level field is given (an optional part of the manifest). */
        boolean present(String field) {
            return get(field) != null;
        }

        void throwIfAny() {
            if (!problems.isEmpty()) {
                throw new InvalidManifestException(problems);
            }
        }

        Object get(String path) {
            Object node = root;
            for (String part : path.split("\\.")) {
                if (!(node instanceof Map<?, ?> map)) {
                    return null;
                }
                node = map.get(part);
            }
            return node;
        }

        /** Unknown fields are refused, so a misspelt option is not silently ignored. */
        void only(String path, String... known) {
            Object node = path.isEmpty() ? root : get(path);
            if (!path.isEmpty() && node == null) {
                problems.add(path + " is missing");
                return;
            }
            if (!(node instanceof Map<?, ?> map)) {
                if (!path.isEmpty()) {
                    problems.add(path + " must be an object");
                }
                return;
            }
            Set<String> allowed = Set.of(known);
            for (Object key : map.keySet()) {
                if (!allowed.contains(key)) {
                    problems.add((path.isEmpty() ? "" : path + ".") + key + " is not a known field");
                }
            }
        }

        String string(String path, boolean required) {
            Object v = get(path);
            if (v == null) {
                if (required && parentExists(path)) {
                    problems.add(path + " is missing");
                }
                return null;
            }
            if (!(v instanceof String s) || s.isBlank()) {
                problems.add(path + " must be a non-empty string");
                return null;
            }
            return s;
        }

        String sha256(String path, boolean required) {
            String s = string(path, required);
            if (s != null && !SHA256.matcher(s).matches()) {
                problems.add(path + " must be 64 lowercase hex digits");
                return null;
            }
            return s;
        }

        int integer(String path, int min, int max, boolean required) {
            Object v = get(path);
            if (v == null) {
                if (required && parentExists(path)) {
                    problems.add(path + " is missing");
                }
                return 0;
            }
            if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < min || ((Number) v).longValue() > max) {
                problems.add(path + " must be an integer in [" + min + ", " + max + "], was " + v);
                return 0;
            }
            return ((Number) v).intValue();
        }

        long longValue(String path) {
            Object v = get(path);
            if (v == null) {
                if (parentExists(path)) {
                    problems.add(path + " is missing");
                }
                return 0;
            }
            if (!(v instanceof Integer || v instanceof Long)) {
                problems.add(path + " must be an integer, was " + v);
                return 0;
            }
            return ((Number) v).longValue();
        }

        double number(String path, double min, double max) {
            Object v = get(path);
            if (v == null) {
                if (parentExists(path)) {
                    problems.add(path + " is missing");
                }
                return 0;
            }
            if (!(v instanceof Number n) || !(n.doubleValue() >= min && n.doubleValue() <= max)) {
                problems.add(path + " must be a number in [" + min + ", " + max + "], was " + v);
                return 0;
            }
            return n.doubleValue();
        }

        List<String> strings(String path, int minSize, int maxSize) {
            Object v = get(path);
            if (!(v instanceof List<?> list)) {
                if (parentExists(path)) {
                    problems.add(path + (v == null ? " is missing" : " must be a list of strings"));
                }
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (Object o : list) {
                if (!(o instanceof String s) || s.isBlank()) {
                    problems.add(path + " must hold non-empty strings only, found " + o);
                    return List.of();
                }
                out.add(s);
            }
            if (out.size() < minSize || out.size() > maxSize) {
                problems.add(path + " must hold " + minSize + " to " + maxSize + " entries, has " + out.size());
            }
            return out;
        }

        /** Exactly {@code size} numbers, each in [min, max]. */
        List<Double> numbers(String path, int size, double min, double max) {
            Object v = get(path);
            if (!(v instanceof List<?> list)) {
                problems.add(path + (v == null ? " is missing" : " must be a list of numbers"));
                return List.of();
            }
            List<Double> out = new ArrayList<>();
            for (Object o : list) {
                if (!(o instanceof Number n) || !(n.doubleValue() >= min && n.doubleValue() <= max)) {
                    problems.add(path + " must hold numbers in [" + min + ", " + max + "], found " + o);
                    return List.of();
                }
                out.add(n.doubleValue());
            }
            if (out.size() != size) {
                problems.add(path + " must hold " + size + " numbers (one per RGB channel), has " + out.size());
                return List.of();
            }
            return out;
        }

        List<Integer> integers(String path, int minSize, int maxSize, int min, int max) {
            Object v = get(path);
            if (!(v instanceof List<?> list)) {
                problems.add(path + (v == null ? " is missing" : " must be a list of integers"));
                return List.of(1);
            }
            List<Integer> out = new ArrayList<>();
            for (Object o : list) {
                if (!(o instanceof Integer i) || i < min || i > max) {
                    problems.add(path + " must hold integers in [" + min + ", " + max + "], found " + o);
                    return List.of(1);
                }
                out.add(i);
            }
            if (out.size() < minSize || out.size() > maxSize) {
                problems.add(path + " must hold " + minSize + " to " + maxSize + " entries, has " + out.size());
                return List.of(1);
            }
            return out;
        }

        /** A missing parent object is reported once by {@link #only}, not again per field. */
        private boolean parentExists(String path) {
            int dot = path.lastIndexOf('.');
            return dot < 0 ? root instanceof Map : get(path.substring(0, dot)) instanceof Map;
        }
    }
}
