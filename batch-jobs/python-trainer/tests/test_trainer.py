"""The trainer process end to end, on an image-only model and generated images: requests in, lines out."""
import base64
import io
import json
import os
import queue
import shutil
import tempfile
import threading
import unittest

import numpy as np
from PIL import Image

from civitas_trainer import safetensors_io
from civitas_trainer.artifacts import Artifacts
from civitas_trainer.main import Trainer
from civitas_trainer.manifest import Manifest

MANIFEST = {"name": "colours", "image": {"kind": "cnn", "size": 16, "channels": [4, 8]}, "fusion": {"hidden": 8, "seed": 3},
            "adapter": {"rank": 2, "alpha": 4, "targets": ["fusion"]}, "labels": ["red", "blue", "green"]}


class Lines(io.TextIOBase):
    """The protocol stream: every line written, parsed, and a hook called on each."""

    def __init__(self, on_line=None):
        self.lines = []
        self.on_line = on_line

    def write(self, text):
        for line in text.splitlines():
            fields = json.loads(line)
            self.lines.append(fields)
            if self.on_line:
                self.on_line(fields)
        return len(text)

    def of(self, rid, event):
        return [f for f in self.lines if f.get("id") == rid and f.get("event") == event]


class TrainerTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="civitas-python-trainer-")
        rng = np.random.default_rng(5)
        os.makedirs(os.path.join(cls.dir, "images"))
        colours = {"red": (200, 40, 40), "blue": (40, 40, 200), "green": (40, 190, 60)}
        with open(os.path.join(cls.dir, "train.jsonl"), "w") as f:
            for i in range(60):
                label = list(colours)[i % 3]
                pixels = np.clip(np.array(colours[label]) + rng.normal(0, 40, (24, 24, 3)), 0, 255).astype(np.uint8)
                Image.fromarray(pixels).save(os.path.join(cls.dir, "images", "%d.png" % i))
                f.write(json.dumps({"id": "s%d" % i, "image": "images/%d.png" % i, "label": label}) + "\n")
            f.write("not json\n")
            f.write(json.dumps({"id": "escape", "image": "../outside.png", "label": "red"}) + "\n")
        with open(os.path.join(cls.dir, "model.json"), "w") as f:
            json.dump(MANIFEST, f)
        shapes = Manifest(MANIFEST).trainable_shapes()
        state = {n: (np.zeros(s) if n.endswith("lora_b") or n.endswith("bias") else rng.normal(0, 0.3, s)).astype(np.float32)
                 for n, s in shapes.items()}
        safetensors_io.write_file(os.path.join(cls.dir, "global.safetensors"), state)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def path(self, name):
        return os.path.join(self.dir, name)

    def train_request(self, rid, out, **hyper):
        return {"id": rid, "op": "train", "manifest": self.path("model.json"), "dataset": self.path("train.jsonl"),
                "state": self.path("global.safetensors"), "out": self.path(out), "checkpoint": self.path("checkpoint.safetensors"),
                "hyper": dict({"epochs": 3, "learningRate": 0.02, "batchSize": 8, "seed": 11}, **hyper)}

    def serve(self, requests, out=None):
        out = out or Lines()
        Trainer(out, Artifacts(), "cpu", 1, 10 ** 7).serve(iter(json.dumps(r) + "\n" if isinstance(r, dict) else r for r in requests))
        return out

    def test_training_writes_an_update_of_the_manifests_tensors_and_learns_the_task(self):
        out = self.serve([self.train_request("1", "update.safetensors"),
                          {"id": "2", "op": "shutdown"}])
        self.assertEqual(out.lines[0]["event"], "ready")
        result = out.of("1", "result")[0]
        update, _ = safetensors_io.read_file(self.path("update.safetensors"))
        shapes = Manifest(MANIFEST).trainable_shapes()
        self.assertEqual(list(update), list(shapes))
        self.assertTrue(all(update[n].shape == shapes[n] and update[n].dtype == np.float32 for n in shapes))
        self.assertTrue(np.abs(update["fusion.lora_b"]).max() > 0)
        self.assertEqual(result["samples"], 60, "the bad line and the path leaving the folder are skipped")
        self.assertGreater(result["metrics"]["accuracy"], 0.9)
        self.assertLess(result["metrics"]["loss"], result["metrics"]["globalLoss"])
        self.assertEqual(result["modalitySamples"], {"image": 60})
        self.assertEqual(out.of("1", "progress")[-1]["step"], 24)
        self.assertFalse(os.path.exists(self.path("checkpoint.safetensors")), "a finished run clears its checkpoint")

    def test_freezing_lora_a_leaves_every_a_factor_where_it_was(self):
        self.serve([self.train_request("1", "ffa.safetensors", freezeLoraA=True)])
        update, _ = safetensors_io.read_file(self.path("ffa.safetensors"))
        self.assertEqual(np.abs(update["fusion.lora_a"]).max(), 0.0)
        self.assertGreater(np.abs(update["fusion.lora_b"]).max(), 0.0)

    def test_a_head_only_run_trains_the_head_and_leaves_the_rest_as_received(self):
        self.serve([self.train_request("1", "head.safetensors", headOnly=True)])
        update, _ = safetensors_io.read_file(self.path("head.safetensors"))
        for name, delta in update.items():
            if name.startswith("head."):
                self.assertGreater(np.abs(delta).max(), 0.0, name)
            else:
                self.assertEqual(np.abs(delta).max(), 0.0, name)

    def test_a_cancelled_run_stops_at_its_step_and_a_repeated_request_resumes_after_it(self):
        cancel_read = threading.Event()
        requests = queue.Queue()
        trainer = []

        def on_line(fields):
            if fields.get("id") == "1" and fields.get("event") == "progress" and not cancel_read.is_set():
                requests.put(json.dumps({"op": "cancel", "target": "1"}) + "\n")
                # The step that emitted this line checks for a cancel next: wait until the reader has seen it.
                while trainer[0].cancel_requested != "1":
                    cancel_read.wait(0.01)
                cancel_read.set()
            if fields.get("id") == "1" and fields.get("event") == "error":
                requests.put(json.dumps(self.train_request("2", "resumed.safetensors")) + "\n")
            if fields.get("id") == "2" and fields.get("event") in ("result", "error"):
                requests.put(None)

        def lines():
            while True:
                line = requests.get()
                if line is None:
                    return
                yield line

        out = Lines(on_line)
        trainer.append(Trainer(out, Artifacts(), "cpu", 1, 10 ** 7))
        requests.put(json.dumps(self.train_request("1", "cancelled.safetensors")) + "\n")
        trainer[0].serve(lines())
        self.assertEqual(out.of("1", "error")[0]["message"], "cancelled at step 1 of 24")
        self.assertFalse(os.path.exists(self.path("cancelled.safetensors")))
        resumed = out.of("2", "progress")
        self.assertEqual(resumed[0]["step"], 2, "the repeated run starts after the checkpointed step")
        self.assertEqual(out.of("2", "result")[0]["metrics"]["steps"], 24)

    def test_bad_requests_get_errors_naming_what_is_wrong_and_the_process_stays_up(self):
        out = self.serve(["{not json\n",
                          {"id": "1", "op": "fly"},
                          {"id": "2", "op": "train", "dataset": self.path("train.jsonl")},
                          {"id": "3", "op": "ping", "extra": 1},
                          dict(self.train_request("4", "x.safetensors"), hyper={"epochs": 0}),
                          {"id": "5", "op": "evaluate", "manifest": self.path("model.json"), "dataset": self.path("missing.jsonl"),
                           "state": self.path("global.safetensors")},
                          {"id": "6", "op": "ping"}])
        self.assertIn("malformed request", out.lines[1]["message"])
        self.assertIn("op 'fly' is not one of train, evaluate", out.of("1", "error")[0]["message"])
        self.assertEqual(out.of("2", "error")[0]["message"], "'state' is required")
        self.assertIn("unknown fields ['extra']", out.of("3", "error")[0]["message"])
        self.assertEqual(out.of("4", "error")[0]["message"], "epochs must be in [1, 100], was 0")
        self.assertIn("dataset: cannot read", out.of("5", "error")[0]["message"])
        self.assertEqual(out.of("6", "result"), [{"id": "6", "event": "result"}])

    def test_evaluation_answers_metrics_per_scenario_and_the_confusion_matrix(self):
        out = self.serve([{"id": "1", "op": "evaluate", "manifest": self.path("model.json"), "dataset": self.path("train.jsonl"),
                           "state": self.path("global.safetensors")}])
        result = out.of("1", "result")[0]
        self.assertEqual(result["samples"], 60)
        self.assertEqual(sum(map(sum, result["confusion"])), 60)
        self.assertEqual([sum(row) for row in result["confusion"]], [20, 20, 20])

    def test_predict_answers_label_probabilities_per_input(self):
        out = Lines()
        trainer = Trainer(out, Artifacts(), "cpu", 1, 10 ** 7)
        trainer.serve(iter(json.dumps(r) + "\n" for r in [
            {"id": "1", "op": "predict", "manifest": self.path("model.json"), "state": self.path("global.safetensors"),
             "inputs": [{"image": self.path("images/0.png")}, {"image": self.path("images/1.png"), "text": "ignored"}]},
            {"id": "2", "op": "predict", "manifest": self.path("model.json"), "state": self.path("global.safetensors"),
             "inputs": [{}]}]))
        self.assertEqual([len(m.images.cache) for m in trainer.models.values()], [0],
                         "a prediction's images are read once, not kept by the warm trainer")
        rows = out.of("1", "result")[0]["probabilities"]
        self.assertEqual(len(rows), 2)
        for row in rows:
            self.assertEqual(len(row), 3)
            self.assertAlmostEqual(sum(row), 1.0, places=5)
        self.assertNotEqual(rows[0], rows[1])
        self.assertEqual(out.of("2", "error")[0]["message"], "input 0 has neither 'text' nor 'image'")


    def test_pixels_a_caller_scaled_answer_as_the_same_image_from_a_file_does(self):
        # At the model's own size scaling changes nothing, so the file and its raw RGB bytes are the same input.
        rgb = np.random.default_rng(3).integers(0, 256, (16, 16, 3), dtype=np.uint8)
        Image.fromarray(rgb).save(self.path("exact.png"))
        pixels = base64.b64encode(rgb.tobytes()).decode("ascii")
        out = Lines()
        Trainer(out, Artifacts(), "cpu", 1, 10 ** 7).serve(iter(json.dumps(r) + "\n" for r in [
            {"id": "1", "op": "predict", "manifest": self.path("model.json"), "state": self.path("global.safetensors"),
             "inputs": [{"image": self.path("exact.png")}, {"pixels": pixels}]},
            {"id": "2", "op": "predict", "manifest": self.path("model.json"), "state": self.path("global.safetensors"),
             "inputs": [{"pixels": pixels[:-8]}]},
            {"id": "3", "op": "predict", "manifest": self.path("model.json"), "state": self.path("global.safetensors"),
             "inputs": [{"image": self.path("exact.png"), "pixels": pixels}]}]))
        rows = out.of("1", "result")[0]["probabilities"]
        np.testing.assert_allclose(rows[0], rows[1], atol=1e-6)
        self.assertTrue(out.of("2", "error")[0]["message"].startswith("pixels: "))
        self.assertEqual(out.of("3", "error")[0]["message"], "input 0 has both 'image' and 'pixels'")

if __name__ == "__main__":
    unittest.main()
