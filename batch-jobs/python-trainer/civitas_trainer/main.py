"""The trainer process: answers worker requests from stdin until `shutdown` or end of input.

Protocol lines only on stdout, everything else on stderr. Models, towers and prepared datasets stay
loaded between requests (keyed by manifest, and by dataset file and modification time), which is
what keeping a worker warm across rounds buys. A `cancel` line naming the running request is read
beside it: training saves its progress at the next step, answers the error "cancelled ...", and the
process stays up.
"""
import argparse
import hashlib
import json
import os
import queue
import sys
import threading
import time

import torch

from . import safetensors_io, training
from .artifacts import Artifacts
from .data import Dataset, ImageLoader, Sample, pixels_chw, read_manifest
from .manifest import Manifest, cnn_shapes
from .model import MultimodalModel
from .text_tower import TextTower

OPS = "train, evaluate, predict, embed, load, ping, shutdown"
REQUIRED_FIELDS = {"train": ("dataset", "state", "out"), "evaluate": ("dataset", "state"), "predict": ("state",),
                   "load": ("manifest",)}
REQUEST_FIELDS = {
    "train": {"manifest", "dataset", "state", "out", "hyper", "checkpoint", "heldout"},
    "evaluate": {"manifest", "dataset", "state"},
    "predict": {"manifest", "state", "inputs"},
    "embed": {"manifest", "texts"},
    "load": {"manifest"},
    "ping": set(),
    "shutdown": set(),
}


def _finite_or_text(value):
    """JSON has no NaN: a diverged loss travels as the string "NaN" or "Infinity", as the Java side writes it."""
    value = float(value)
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return value


class Loaded:
    def __init__(self, manifest, text, images, model):
        self.manifest, self.text, self.images, self.model = manifest, text, images, model


class Trainer:

    def __init__(self, out, artifacts, device, threads, max_pixels):
        self.out = out
        self.artifacts = artifacts
        self.device = device
        self.threads = threads
        self.max_pixels = max_pixels
        self.models = {}
        self.datasets = {}
        self.cancel_requested = None
        self.lock = threading.Lock()

    def emit(self, fields):
        with self.lock:
            self.out.write(json.dumps(fields, separators=(",", ":")) + "\n")
            self.out.flush()

    def serve(self, stdin):
        self.emit({"event": "ready", "engine": "PyTorch %s (civitas python-trainer)" % torch.__version__, "device": self.device,
                   "pid": os.getpid()})
        lines = queue.Queue()

        def read():
            for line in stdin:
                target = _cancel_target(line)
                if target is not None:
                    self.cancel_requested = target
                else:
                    lines.put(line)
            lines.put(None)

        threading.Thread(target=read, name="trainer-requests", daemon=True).start()
        while True:
            line = lines.get()
            if line is None:
                break
            if not line.strip():
                continue
            try:
                fields = json.loads(line)
                if not isinstance(fields, dict):
                    raise ValueError("not a JSON object")
            except ValueError as e:
                self.emit({"event": "error", "message": "malformed request: %s" % e})
                continue
            rid = str(fields.get("id"))
            op = fields.get("op")
            if op not in REQUEST_FIELDS:
                self.emit({"id": rid, "event": "error", "message": "op '%s' is not one of %s" % (op, OPS)})
                continue
            unknown = set(fields) - {"id", "op"} - REQUEST_FIELDS[op]
            if unknown:
                self.emit({"id": rid, "event": "error", "message": "unknown fields %s for op '%s'" % (sorted(unknown), op)})
                continue
            missing = [name for name in REQUIRED_FIELDS.get(op, ()) if not isinstance(fields.get(name), str) or not fields[name]]
            if missing:
                self.emit({"id": rid, "event": "error", "message": "'%s' is required" % missing[0]})
                continue
            if op == "shutdown":
                self.emit({"id": rid, "event": "result"})
                break
            try:
                result = self.handle(rid, op, fields)
                self.emit(dict({"id": rid, "event": "result"}, **result))
            except (ValueError, KeyError, OSError, RuntimeError, training.Stopped) as e:
                print("request %s failed: %r" % (rid, e), file=sys.stderr)
                self.emit({"id": rid, "event": "error", "message": str(e) or type(e).__name__})

    def handle(self, rid, op, f):
        if op == "ping":
            return {}
        if op == "load":
            self.load(_required(f, "manifest"))
            return {}
        if op == "embed":
            loaded = self.load(f.get("manifest"))
            if loaded.text is None:
                raise ValueError("manifest: '%s' has no text tower to embed with" % loaded.manifest.name)
            texts = f.get("texts")
            if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
                raise ValueError("'texts' must be a list of strings")
            return {"vectors": loaded.text.embed(texts).astype(float).tolist()}
        if op == "predict":
            return self.predict(f)
        if op == "evaluate":
            loaded = self.load(f.get("manifest"))
            data = self.dataset(loaded, _required(f, "dataset"))
            loaded.model.load(_read_state(_required(f, "state")))
            predicted, loss = training.predict(loaded.model, data, 64)
            classes = len(loaded.manifest.labels)
            m = training.metrics_of(data.labels, predicted, classes, loss)
            by_scenario = {}
            for scenario in sorted({s for s in data.scenarios if s is not None}):
                idx = [i for i, s in enumerate(data.scenarios) if s == scenario]
                by_scenario[scenario] = _finite_or_text(training.metrics_of(data.labels[idx], predicted[idx], classes, 0).macro_f1)
            return {"samples": m.samples, "metrics": {"loss": _finite_or_text(m.loss), "accuracy": m.accuracy, "macroF1": m.macro_f1},
                    "macroF1ByScenario": by_scenario,
                    "confusion": training.confusion(data.labels, predicted, classes).tolist()}
        return self.train(rid, f)

    def predict(self, f):
        inputs = f.get("inputs")
        if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
            raise ValueError("'inputs' must be a list of objects with 'text' and/or 'image'")
        samples = []
        pixels = []
        for n, item in enumerate(inputs):
            unknown = set(item) - {"text", "image", "pixels"}
            if unknown:
                raise ValueError("an input has unknown fields %s" % sorted(unknown))
            text, image = item.get("text"), item.get("image")
            if text is None and image is None and item.get("pixels") is None:
                raise ValueError("input %d has neither 'text' nor 'image'" % n)
            if image is not None and item.get("pixels") is not None:
                raise ValueError("input %d has both 'image' and 'pixels'" % n)
            has_text = isinstance(text, str) and text.strip() != ""
            samples.append(Sample(str(n), image, text if has_text else None, None, None))
            pixels.append(item.get("pixels"))
        loaded = self.load(f.get("manifest"))
        # Images of their own and no cached embeddings: a prediction's inputs are read once.
        images = ImageLoader(loaded.images.size, self.max_pixels) if loaded.images is not None else None
        decoded = [pixels_chw(p, images.size) if p is not None and images is not None else None for p in pixels]
        data = Dataset(samples, "/", loaded.manifest, loaded.text, images, remember=False, decoded=decoded)
        loaded.model.load(_read_state(f["state"]))
        return {"probabilities": training.probabilities(loaded.model, data, 64).astype(float).tolist()}

    def train(self, rid, f):
        hyper = training.Hyper(f.get("hyper"))
        loaded = self.load(f.get("manifest"))
        data = self.dataset(loaded, _required(f, "dataset"))
        state_file = _required(f, "state")
        global_state = _read_state(state_file)
        target = _required(f, "out")
        started = time.monotonic()
        heldout = None
        if f.get("heldout"):
            split = self.dataset(loaded, f["heldout"])
            loaded.model.load(global_state)
            m = training.evaluate(loaded.model, split, 64)
            heldout = {"samples": m.samples, "accuracy": m.accuracy, "macroF1": m.macro_f1, "loss": _finite_or_text(m.loss)}
        with open(state_file, "rb") as s:
            run = hashlib.sha256(s.read()).hexdigest() + "|python|" + hyper.identity()
        checkpoint = training.FileCheckpoint(f.get("checkpoint"), run)
        last = [0.0]

        def progress(step, steps, loss):
            now = time.monotonic()
            if step == steps or now - last[0] > 0.25:
                last[0] = now
                self.emit({"id": rid, "event": "progress", "step": step, "steps": steps, "loss": _finite_or_text(loss)})

        delta, train_loss, before, after, steps, skipped = training.train(
            loaded.model, global_state, data, hyper, progress, lambda: self.cancel_requested == rid, checkpoint)
        if skipped:
            print("%d of %d steps were skipped: their loss was not finite" % (skipped, steps), file=sys.stderr)
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
        payload = safetensors_io.write_file(target, delta, {"kind": "update", "trainer": "civitas-python-trainer"})
        result = {"out": target, "sha256": hashlib.sha256(payload).hexdigest(), "samples": len(data),
                  "metrics": {"trainLoss": _finite_or_text(train_loss), "globalLoss": _finite_or_text(before.loss),
                              "globalAccuracy": before.accuracy, "loss": _finite_or_text(after.loss), "accuracy": after.accuracy,
                              "macroF1": after.macro_f1, "steps": steps, "seconds": time.monotonic() - started},
                  "modalitySamples": data.modality_samples()}
        if heldout is not None:
            result["heldout"] = heldout
        return result

    def load(self, manifest_path):
        if manifest_path is None:
            text = self.artifacts.read("classpath:models/city-safety-multimodal.json", "manifest").decode("utf-8")
        else:
            try:
                with open(manifest_path, encoding="utf-8") as f:
                    text = f.read()
            except OSError as e:
                raise ValueError("manifest: cannot read '%s': %s" % (manifest_path, e))
        manifest = Manifest.parse(text)
        if not manifest.labels:
            raise ValueError("manifest: '%s' has no labels; the coordinator binds a manifest to its task's labels before a model"
                             " is trained" % manifest.name)
        if manifest.key not in self.models:
            tower = TextTower(manifest.text, self.artifacts, self.device) if manifest.text is not None else None
            images = ImageLoader(int(manifest.image["size"]), self.max_pixels) if manifest.image is not None else None
            model = MultimodalModel(manifest, tower.encoder if tower is not None else None, self.device, self.image_base(manifest))
            self.models[manifest.key] = Loaded(manifest, tower, images, model)
        return self.models[manifest.key]

    def image_base(self, manifest):
        """The image tower's pretrained weights the manifest names (image.base), checked against their hash; None without."""
        base = manifest.image.get("base") if manifest.image is not None else None
        if not base:
            return None
        data = self.artifacts.read(base, "image.base", base[len("sha256:"):])
        try:
            tensors, _ = safetensors_io.read(data)
        except ValueError as e:
            raise ValueError("image.base: not a safetensors file: %s" % e)
        expected = cnn_shapes(manifest.cnn, int(manifest.image["size"]))
        if sorted(tensors) != sorted(expected) or any(tuple(tensors[n].shape) != tuple(s) for n, s in expected.items()):
            raise ValueError("image.base: the file's tensors %s are not the tower's %s" % (
                {n: list(t.shape) for n, t in sorted(tensors.items())}, {n: list(s) for n, s in expected.items()}))
        return tensors

    def dataset(self, loaded, manifest_file):
        try:
            key = (loaded.manifest.key, os.path.abspath(manifest_file), os.path.getmtime(manifest_file))
        except OSError as e:
            raise ValueError("dataset: cannot read '%s': %s" % (manifest_file, e))
        if key not in self.datasets:
            samples, folder = read_manifest(manifest_file, set(loaded.manifest.labels))
            self.datasets[key] = Dataset(samples, folder, loaded.manifest, loaded.text, loaded.images)
        return self.datasets[key]


def _required(fields, name):
    value = fields.get(name)
    if not isinstance(value, str) or not value:
        raise ValueError("'%s' is required" % name)
    return value


def _read_state(path):
    try:
        return safetensors_io.read_file(path)[0]
    except OSError as e:
        raise ValueError("state: cannot read '%s': %s" % (path, e))


def _cancel_target(line):
    if '"cancel"' not in line:
        return None
    try:
        fields = json.loads(line)
    except ValueError:
        return None
    if isinstance(fields, dict) and fields.get("op") == "cancel" and fields.get("target") is not None:
        return str(fields["target"])
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description="Civitas reference trainer: the model worker's contract on PyTorch.")
    parser.add_argument("--classpath", default=os.environ.get("CIVITAS_WORKER_CLASSPATH"),
                        help="the bundled worker's lib folder (or jars), where classpath: artifacts lie")
    parser.add_argument("--artifacts", default=os.environ.get("CIVITAS_WORKER_ARTIFACTS"),
                        help="the folder of artifacts named sha256:<hex>")
    parser.add_argument("--device", default=os.environ.get("CIVITAS_COMPUTE_DEVICE", "cpu"), help="cpu or cuda")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("CIVITAS_WORKER_THREADS", "0") or 0))
    parser.add_argument("--max-pixels", type=int, default=int(os.environ.get("CIVITAS_IMAGES_MAX_PIXELS", "40000000")))
    args = parser.parse_args(argv)
    protocol = sys.stdout
    sys.stdout = sys.stderr
    device = args.device
    if device == "cuda" and not torch.cuda.is_available():
        print("CUDA is not available; the trainer runs on the CPU", file=sys.stderr)
        device = "cpu"
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    Trainer(protocol, Artifacts(args.classpath, args.artifacts), device, args.threads, args.max_pixels).serve(sys.stdin)


if __name__ == "__main__":
    main()
