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
    def image_channels(self):
        return list(self.image["channels"]) if self.image is not None else []

    @property
    def fusion_input_dim(self):
        return (self.hidden if self.text is not None else 0) + (self.image_channels[-1] if self.image is not None else 0)

    def modalities(self):
        return sorted(m for m, tower in (("image", self.image), ("text", self.text)) if tower is not None)

    def trainable_shapes(self):
        """Name -> shape of what a site sends, in the Java worker's order."""
        if not self.labels:
            raise ValueError("manifest: '%s' has no labels; the coordinator binds a manifest to its task's labels"
                             " before a model is trained" % self.name)
        shapes = {}
        if self.image is not None:
            cin = 3
            for i, cout in enumerate(self.image_channels, start=1):
                shapes["image.conv%d.weight" % i] = (cout, cin, 3, 3)
                shapes["image.conv%d.bias" % i] = (cout,)
                cin = cout
        r, h = self.rank, self.hidden
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

    def frozen_base(self):
        """text_proj.base [hidden, text dim] (with text) and fusion.base [hidden, fusion input]: Glorot-scaled, seeded."""
        base = {}
        if self.text is not None:
            base["text_proj.base"] = _seeded((self.hidden, self.text_dim), java_random.to_long(self.seed * 31))
        base["fusion.base"] = _seeded((self.hidden, self.fusion_input_dim), java_random.to_long(self.seed * 31 + 1))
        return base


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
