import json
import os
import unittest

from civitas_trainer.manifest import Manifest

SHIPPED = os.path.join(os.path.dirname(__file__), "..", "..", "..", "core", "src", "main", "resources", "models",
                       "city-safety-multimodal.json")


class ManifestTest(unittest.TestCase):

    def test_the_shipped_manifest_has_the_java_workers_tensors_in_its_order(self):
        with open(SHIPPED) as f:
            m = Manifest.parse(f.read())
        shapes = m.trainable_shapes()
        self.assertEqual(list(shapes), ["image.conv1.weight", "image.conv1.bias", "image.norm1.weight", "image.norm1.bias",
                                        "image.conv2.weight", "image.conv2.bias", "image.norm2.weight", "image.norm2.bias",
                                        "image.dense1.weight", "image.dense1.bias",
                                        "text_proj.lora_a", "text_proj.lora_b", "fusion.lora_a", "fusion.lora_b",
                                        "head.weight", "head.bias"])
        self.assertEqual(shapes["image.conv1.weight"], (32, 3, 5, 5))
        self.assertEqual(shapes["image.dense1.weight"], (128, 64 * 8 * 8))
        self.assertEqual(shapes["fusion.lora_a"], (4, 64 + 128))
        self.assertEqual(shapes["head.weight"], (12, 64))

    def test_an_adapted_text_tower_has_peft_named_adapters_per_layer_and_target(self):
        m = Manifest({"name": "t", "text": {"kind": "onnx", "artifact": "x", "tokenizer": "y", "sha256": "0" * 64, "dim": 8,
                                            "maxTokens": 16, "mode": "adapters", "layers": 2, "heads": 2},
                      "fusion": {"hidden": 4, "seed": 1}, "adapter": {"rank": 2, "alpha": 4, "targets": ["query", "value"]},
                      "labels": ["a", "b"]})
        names = list(m.trainable_shapes())
        self.assertEqual(names[:4], ["text.encoder.layer.0.attention.self.query.lora_A.weight",
                                     "text.encoder.layer.0.attention.self.query.lora_B.weight",
                                     "text.encoder.layer.0.attention.self.value.lora_A.weight",
                                     "text.encoder.layer.0.attention.self.value.lora_B.weight"])
        self.assertEqual(m.trainable_shapes()["text.encoder.layer.1.attention.self.value.lora_B.weight"], (8, 2))

    def test_a_declared_cnn_has_the_java_workers_tensors_in_its_order(self):
        m = Manifest({"name": "scans", "image": {"kind": "cnn", "size": 28, "inputChannels": 1,
                                                 "blocks": [{"channels": 16, "kernel": 5, "pool": 2},
                                                            {"channels": 32, "pool": 2}, {"channels": 32, "residual": True}],
                                                 "groups": 4, "dense": [64]},
                      "fusion": {"hidden": 32, "seed": 5}, "adapter": {"rank": 4, "alpha": 8, "targets": ["fusion"]},
                      "labels": ["a", "b", "c"]})
        shapes = m.trainable_shapes()
        self.assertEqual(list(shapes)[:18], ["image.conv1.weight", "image.conv1.bias", "image.norm1.weight", "image.norm1.bias",
                                             "image.conv2.weight", "image.conv2.bias", "image.norm2.weight", "image.norm2.bias",
                                             "image.conv3.weight", "image.conv3.bias", "image.norm3.weight", "image.norm3.bias",
                                             "image.conv3b.weight", "image.conv3b.bias", "image.norm3b.weight", "image.norm3b.bias",
                                             "image.dense1.weight", "image.dense1.bias"])
        self.assertEqual(shapes["image.conv1.weight"], (16, 1, 5, 5))
        self.assertEqual(shapes["image.dense1.weight"], (64, 32 * 7 * 7))
        self.assertEqual(shapes["fusion.lora_a"], (4, 64))

    def test_the_small_preset_is_the_standard_small_cnn_with_group_norm(self):
        m = Manifest({"name": "s", "image": {"kind": "cnn", "size": 28, "inputChannels": 1, "preset": "small"},
                      "fusion": {"hidden": 32, "seed": 5}, "adapter": {"rank": 4, "alpha": 8, "targets": ["fusion"]},
                      "labels": ["a", "b"]})
        shapes = m.trainable_shapes()
        self.assertEqual(shapes["image.conv2.weight"], (64, 32, 5, 5))
        self.assertEqual(shapes["image.norm2.weight"], (64,))
        self.assertEqual(shapes["image.dense1.weight"], (128, 64 * 7 * 7))

    def test_a_layer_the_adapter_targets_trades_its_weights_for_peft_shaped_lora_and_keeps_its_norm(self):
        m = Manifest({"name": "scans", "image": {"kind": "cnn", "size": 16, "inputChannels": 1,
                                                 "blocks": [{"channels": 8, "pool": 2}, {"channels": 8, "residual": True}],
                                                 "groups": 4, "dense": [16], "base": "sha256:" + "ab" * 32},
                      "fusion": {"hidden": 8, "seed": 5},
                      "adapter": {"rank": 2, "alpha": 4, "targets": ["image.conv2", "image.dense1", "fusion"]},
                      "labels": ["a", "b"]})
        shapes = m.trainable_shapes()
        self.assertEqual(list(shapes)[:12], ["image.conv1.weight", "image.conv1.bias", "image.norm1.weight", "image.norm1.bias",
                                             "image.conv2.lora_A.weight", "image.conv2.lora_B.weight", "image.norm2.weight",
                                             "image.norm2.bias", "image.conv2b.lora_A.weight", "image.conv2b.lora_B.weight",
                                             "image.norm2b.weight", "image.norm2b.bias"])
        self.assertEqual(shapes["image.conv2b.lora_A.weight"], (2, 8, 3, 3))
        self.assertEqual(shapes["image.conv2b.lora_B.weight"], (8, 2, 1, 1))
        self.assertEqual(shapes["image.dense1.lora_A.weight"], (2, 8 * 8 * 8))
        self.assertNotIn("image.dense1.bias", shapes)

    def test_refuses_an_onnx_image_tower_naming_the_field(self):
        with self.assertRaisesRegex(ValueError, "image.kind: .*'onnx' is not supported"):
            Manifest.parse(json.dumps({"name": "x", "image": {"kind": "onnx", "size": 32}, "fusion": {"hidden": 4, "seed": 1},
                                       "adapter": {"rank": 2, "alpha": 4, "targets": ["fusion"]}, "labels": ["a", "b"]}))

    def test_a_manifest_without_labels_cannot_be_trained(self):
        m = Manifest({"name": "unbound", "image": {"kind": "cnn", "size": 16, "channels": [4]}, "fusion": {"hidden": 4, "seed": 1},
                      "adapter": {"rank": 2, "alpha": 4, "targets": ["fusion"]}})
        with self.assertRaisesRegex(ValueError, "has no labels"):
            m.trainable_shapes()


if __name__ == "__main__":
    unittest.main()
