"""The model manifest as the trainer needs it: towers, fusion, adapter and labels, with the trainable
tensors' names and shapes and the frozen base matrices, derived exactly as the Java side derives them
(ModelManifest.trainableShapes, MultimodalWeights.frozenBase).

The coordinator validated the manifest when it was registered; here only what this trainer cannot
run is refused, each error naming its field.
"""
import json
import math

from . import java_random

ATTENTION_TARGETS = ("query", "key", "value")


class Manifest:

    def __init__(self, tree):
        if not isinstance(tree, dict):
            raise ValueError("manifest: must be a JSON object")
        self.name = tree.get("name")
        self.text = tree.get("text")
        self.image = tree.get("image")
        fusion = tree.get("fusion") or {}
        adapter = tree.get("adapter") or {}
        self.hidden = int(fusion.get("hidden", 0))
        self.seed = int(fusion.get("seed", 0))
        self.rank = int(adapter.get("rank", 0))
        self.alpha = float(adapter.get("alpha", 0))
        self.targets = list(adapter.get("targets") or [])
        self.labels = list(tree.get("labels") or [])
        if self.text is None and self.image is None:
            raise ValueError("manifest: text and image are both missing: a model needs at least one tower")
        if self.hidden < 2 or self.rank < 1 or self.alpha <= 0:
            raise ValueError("manifest: fusion.hidden, adapter.rank and adapter.alpha must be set")
        if self.image is not None and self.image.get("kind") != "cnn":
            raise ValueError("image.kind: the reference trainer trains the 'cnn' image tower; '%s' is not supported here"
                             " (a frozen ONNX image encoder needs ONNX Runtime, which it does not use)" % self.image.get("kind"))
        if self.text is not None and self.text.get("kind") != "onnx":
            raise ValueError("text.kind must be 'onnx', was '%s'" % self.text.get("kind"))
        self.key = json.dumps(tree, sort_keys=True)

    @staticmethod
    def parse(text):
        try:
            return Manifest(json.loads(text))
        except json.JSONDecodeError as e:
            raise ValueError("manifest: not JSON: %s" % e)

    @property
    def scaling(self):
        return self.alpha / self.rank

    @property
    def text_adapted(self):
        return self.text is not None and self.text.get("mode", "frozen") == "adapters"

    @property
    def text_dim(self):
        return int(self.text["dim"]) if self.text is not None else 0

    @property
    def cnn(self):
        """The CNN tower (CnnTower.java) as a dict, or None without an image tower."""
        return cnn_tower(self.image) if self.image is not None else None

    @property
    def fusion_input_dim(self):
        return (self.hidden if self.text is not None else 0) + (cnn_output_dim(self.cnn, int(self.image["size"])) if self.image else 0)

    def modalities(self):
        return sorted(m for m, tower in (("image", self.image), ("text", self.text)) if tower is not None)

    def trainable_shapes(self):
        """Name -> shape of what a site sends, in the Java worker's order."""
        if not self.labels:
            raise ValueError("manifest: '%s' has no labels; the coordinator binds a manifest to its task's labels"
                             " before a model is trained" % self.name)
        shapes = {}
        r, h = self.rank, self.hidden
        if self.image is not None:
            shapes.update(cnn_trainable_shapes(self.cnn, int(self.image["size"]), self.image_lora_layers, r))
        if self.text_adapted:
            for layer in range(int(self.text["layers"])):
                for target in ATTENTION_TARGETS:
                    if target in self.targets:
                        name = encoder_layer(layer, target)
                        shapes[name + ".lora_A.weight"] = (r, self.text_dim)
                        shapes[name + ".lora_B.weight"] = (self.text_dim, r)
        if "text_proj" in self.targets:
            shapes["text_proj.lora_a"] = (r, self.text_dim)
            shapes["text_proj.lora_b"] = (h, r)
        if "fusion" in self.targets:
            shapes["fusion.lora_a"] = (r, self.fusion_input_dim)
            shapes["fusion.lora_b"] = (h, r)
        shapes["head.weight"] = (len(self.labels), h)
        shapes["head.bias"] = (len(self.labels),)
        return shapes

    @property
    def image_lora_layers(self):
        """The CNN's layers the adapter targets (image.conv<i>, image.dense<j>): frozen at image.base, with LoRA."""
        return sorted(t for t in self.targets if t.startswith("image."))

    def frozen_base(self):
        """text_proj.base [hidden, text dim] (with text) and fusion.base [hidden, fusion input]: Glorot-scaled, seeded."""
        base = {}
        if self.text is not None:
            base["text_proj.base"] = _seeded((self.hidden, self.text_dim), java_random.to_long(self.seed * 31))
        base["fusion.base"] = _seeded((self.hidden, self.fusion_input_dim), java_random.to_long(self.seed * 31 + 1))
        return base


PRESETS = {
    "small": {"blocks": [{"channels": 32, "kernel": 5, "stride": 1, "pool": 2, "residual": False},
                         {"channels": 64, "kernel": 5, "stride": 1, "pool": 2, "residual": False}],
              "norm": "group", "groups": 8, "dense": [128], "dropout": 0.0, "output": "flatten"},
    "residual": {"blocks": [{"channels": c, "kernel": 3, "stride": 1, "pool": p, "residual": r}
                            for c, p, r in ((32, 2, False), (32, 2, True), (64, 1, False), (64, 2, True), (128, 1, False),
                                            (128, 1, True))],
                 "norm": "group", "groups": 8, "dense": [], "dropout": 0.0, "output": "mean"},
}


def cnn_tower(image):
    """CnnTower.java's reading of `image`: the first manifests' `channels`, a preset, or blocks declared one by one."""
    if "channels" in image:
        return {"inputChannels": 3, "norm": "none", "groups": 0, "dense": [], "dropout": 0.0, "output": "mean",
                "blocks": [{"channels": c, "kernel": 3, "stride": 2, "pool": 1, "residual": False} for c in image["channels"]]}
    if "preset" in image:
        if image["preset"] not in PRESETS:
            raise ValueError("image.preset must be one of %s, was '%s'" % (sorted(PRESETS), image["preset"]))
        tower = dict(PRESETS[image["preset"]])
    else:
        tower = {"norm": image.get("norm", "group"), "dense": list(image.get("dense", [])),
                 "dropout": float(image.get("dropout", 0.0)), "output": image.get("output", "flatten"),
                 "blocks": [{"channels": b["channels"], "kernel": b.get("kernel", 3), "stride": b.get("stride", 1),
                             "pool": b.get("pool", 1), "residual": bool(b.get("residual", False))} for b in image["blocks"]]}
        tower["groups"] = int(image.get("groups", 8)) if tower["norm"] == "group" else 0
    tower["inputChannels"] = int(image.get("inputChannels", 3))
    return tower


def cnn_sides(tower, size):
    sides = []
    for b in tower["blocks"]:
        k = b["kernel"]
        size = ((size + 2 * (k // 2) - k) // b["stride"] + 1) // b["pool"]
        sides.append(size)
    return sides


def cnn_map_features(tower, size):
    channels = tower["blocks"][-1]["channels"]
    return channels if tower["output"] == "mean" else channels * cnn_sides(tower, size)[-1] ** 2


def cnn_output_dim(tower, size):
    return tower["dense"][-1] if tower["dense"] else cnn_map_features(tower, size)


def cnn_shapes(tower, size):
    """CnnTower.shapes: image.conv<i>, image.norm<i> (and <i>b of a residual block), image.dense<j>, in forward order."""
    shapes = {}
    cin = tower["inputChannels"]

    def conv_and_norm(n, cin, b):
        shapes["image.conv%s.weight" % n] = (b["channels"], cin, b["kernel"], b["kernel"])
        shapes["image.conv%s.bias" % n] = (b["channels"],)
        if tower["norm"] == "group":
            shapes["image.norm%s.weight" % n] = (b["channels"],)
            shapes["image.norm%s.bias" % n] = (b["channels"],)

    for i, b in enumerate(tower["blocks"], start=1):
        conv_and_norm(str(i), cin, b)
        if b["residual"]:
            conv_and_norm("%db" % i, b["channels"], b)
        cin = b["channels"]
    width = cnn_map_features(tower, size)
    for j, d in enumerate(tower["dense"], start=1):
        shapes["image.dense%d.weight" % j] = (d, width)
        shapes["image.dense%d.bias" % j] = (d,)
        width = d
    return shapes


def cnn_layer_of(tensor):
    """CnnTower.layerOf: image.conv2b.weight and image.norm2.bias belong to image.conv2."""
    name = tensor[:tensor.rindex(".")]
    if name.startswith("image.norm"):
        name = "image.conv" + name[len("image.norm"):]
    return name[:-1] if name.endswith("b") else name


def cnn_trainable_shapes(tower, size, lora_layers, rank):
    """CnnTower.trainableShapes: a LoRA layer's weight and bias stay frozen at the base, and its A and B are trained
    (a convolution's A [rank, in, k, k] and B [out, rank, 1, 1], a dense layer's A [rank, in] and B [out, rank])."""
    shapes = {}
    for name, shape in cnn_shapes(tower, size).items():
        frozen = cnn_layer_of(name) in lora_layers and not name.startswith("image.norm")
        if not frozen:
            shapes[name] = shape
        elif name.endswith(".weight"):
            layer = name[:-len(".weight")]
            if len(shape) == 4:
                shapes[layer + ".lora_A.weight"] = (rank, shape[1], shape[2], shape[3])
                shapes[layer + ".lora_B.weight"] = (shape[0], rank, 1, 1)
            else:
                shapes[layer + ".lora_A.weight"] = (rank, shape[1])
                shapes[layer + ".lora_B.weight"] = (shape[0], rank)
    return shapes


def encoder_layer(layer, projection):
    """The federated (PEFT) name of an attention projection of the text encoder, without `.lora_A.weight`."""
    return "text.encoder.layer.%d.attention.self.%s" % (layer, projection)


def is_lora_a(name):
    """LoraTensors.isA: the A factors of both namings."""
    return name.endswith(".lora_a") or name.endswith(".lora_A.weight")


def _seeded(shape, seed):
    rows, cols = shape
    values = java_random.irwin_hall(seed, rows * cols, math.sqrt(2.0 / (rows + cols)))
    return values.reshape(rows, cols)
