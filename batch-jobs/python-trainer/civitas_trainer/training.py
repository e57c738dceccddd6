"""Local fine-tuning and evaluation, as LocalTraining.java does them: Adam on the trainable tensors
only, cross-entropy, an optional FedProx proximal term, FFA-LoRA (A factors frozen) on request, the
data order of java.util.Random(seed), steps with a non-finite loss skipped, an epoch that leaves a
tensor non-finite undone, and a checkpoint after every epoch and where the run is stopped.
"""
import math
import os

import numpy as np
import torch

from . import java_random, safetensors_io
from .manifest import is_lora_a


class Hyper:
    def __init__(self, fields):
        fields = {} if fields is None else fields
        if not isinstance(fields, dict):
            raise ValueError("hyper must be an object")
        unknown = set(fields) - {"epochs", "learningRate", "batchSize", "seed", "proximalMu", "freezeLoraA", "headOnly"}
        if unknown:
            raise ValueError("hyper: unknown fields %s" % sorted(unknown))
        self.epochs = int(fields.get("epochs", 2))
        self.learning_rate = float(fields.get("learningRate", 0.005))
        self.batch_size = int(fields.get("batchSize", 32))
        self.seed = int(fields.get("seed", 1))
        self.proximal_mu = float(fields.get("proximalMu", 0.0))
        self.freeze_lora_a = bool(fields.get("freezeLoraA", False))
        # FedRep's personal step: only the head (head.*) learns; the shared representation stays as received.
        self.head_only = bool(fields.get("headOnly", False))
        if not 1 <= self.epochs <= 100:
            raise ValueError("epochs must be in [1, 100], was %d" % self.epochs)
        if not 0 < self.learning_rate <= 1:
            raise ValueError("learningRate must be in (0, 1], was %s" % self.learning_rate)
        if not 1 <= self.batch_size <= 4096:
            raise ValueError("batchSize must be in [1, 4096], was %d" % self.batch_size)
        if not self.proximal_mu >= 0:
            raise ValueError("proximalMu must not be negative, was %s" % self.proximal_mu)

    def identity(self):
        return "epochs=%d,learningRate=%r,batchSize=%d,seed=%d,proximalMu=%r,freezeLoraA=%s,headOnly=%s" % (
            self.epochs, self.learning_rate, self.batch_size, self.seed, self.proximal_mu, self.freeze_lora_a, self.head_only)

    def holds(self, name):
        """Whether this run leaves the tensor as it received it."""
        return (self.freeze_lora_a and is_lora_a(name)) or (self.head_only and not name.startswith("head."))


class Metrics:
    def __init__(self, loss, accuracy, macro_f1, samples):
        self.loss, self.accuracy, self.macro_f1, self.samples = loss, accuracy, macro_f1, samples


class Stopped(Exception):
    pass


def confusion(actual, predicted, classes):
    m = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(m, (actual, predicted), 1)
    return m


def metrics_of(actual, predicted, classes, loss):
    """Accuracy, and macro-F1 over the labels present in the data or predicted (ConfusionMatrix.macroF1)."""
    m = confusion(actual, predicted, classes)
    samples = int(m.sum())
    accuracy = float(np.trace(m)) / samples if samples else 0.0
    f1s = []
    for c in range(classes):
        support, column, tp = m[c].sum(), m[:, c].sum(), m[c, c]
        if support + column == 0:
            continue
        precision = tp / column if column else 0.0
        recall = tp / support if support else 0.0
        f1s.append(0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall))
    return Metrics(loss, accuracy, float(np.mean(f1s)) if f1s else 0.0, samples)


def _cross_entropy(logits, labels):
    return torch.nn.functional.cross_entropy(logits, labels)


def predict(model, data, batch_size):
    """(predicted class per sample, mean loss)."""
    predicted = np.zeros(len(data), dtype=np.int64)
    loss_sum = 0.0
    with torch.no_grad():
        for start in range(0, len(data), batch_size):
            idx = list(range(start, min(len(data), start + batch_size)))
            text, images, labels, tm, im, tokens = data.batch(idx, model.device)
            logits = model.forward(text, images, tm, im, tokens)
            loss_sum += float(_cross_entropy(logits, labels)) * len(idx)
            predicted[start:start + len(idx)] = logits.argmax(1).cpu().numpy()
    return predicted, loss_sum / max(1, len(data))


def probabilities(model, data, batch_size):
    """[n, labels]: the softmax of the model's logits for each sample."""
    out = []
    with torch.no_grad():
        for start in range(0, len(data), batch_size):
            idx = list(range(start, min(len(data), start + batch_size)))
            text, images, _, tm, im, tokens = data.batch(idx, model.device)
            out.append(model.forward(text, images, tm, im, tokens).softmax(1).cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, len(model.manifest.labels)), dtype=np.float32)


def evaluate(model, data, batch_size):
    predicted, loss = predict(model, data, batch_size)
    return metrics_of(data.labels, predicted, len(model.manifest.labels), loss)


class FileCheckpoint:
    """The state after the saved step, with the step, loss sums, the start state's metrics and the run's identity."""

    def __init__(self, path, run):
        self.path, self.run = path, run

    def load(self):
        if not self.path or not os.path.exists(self.path):
            return None
        try:
            tensors, meta = safetensors_io.read_file(self.path)
            if meta.get("run") != self.run:
                return None
            before = Metrics(float(meta["beforeLoss"]), float(meta["beforeAccuracy"]), float(meta["beforeMacroF1"]),
                             int(float(meta["beforeSamples"])))
            return int(meta["stepsDone"]), tensors, float(meta["lossSum"]), int(meta["lossCount"]), before
        except (OSError, ValueError, KeyError):
            return None

    def save(self, steps_done, state, loss_sum, loss_count, before):
        if not self.path:
            return
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        safetensors_io.write_file(self.path, state, {
            "run": self.run, "stepsDone": steps_done, "lossSum": repr(loss_sum), "lossCount": loss_count,
            "beforeLoss": repr(before.loss), "beforeAccuracy": repr(before.accuracy), "beforeMacroF1": repr(before.macro_f1),
            "beforeSamples": before.samples})

    def clear(self):
        if self.path and os.path.exists(self.path):
            os.remove(self.path)


def train(model, global_state, data, hyper, progress, stop_requested, checkpoint):
    """(delta = trained - global, train loss, metrics before, metrics after, steps)."""
    n = len(data)
    steps_per_epoch = (n + hyper.batch_size - 1) // hyper.batch_size
    total = steps_per_epoch * hyper.epochs
    saved = checkpoint.load()
    if saved is not None and not 0 < saved[0] < total:
        saved = None
    model.load(global_state)
    before = saved[4] if saved else evaluate(model, data, hyper.batch_size)
    anchors = {k: v.detach().clone() for k, v in model.params.items()} if hyper.proximal_mu > 0 else None
    order = list(range(n))
    random = java_random.JavaRandom(hyper.seed)
    loss_sum, loss_count, step, skipped = 0.0, 0, 0, 0
    last_finite = global_state
    if saved:
        step, state, loss_sum, loss_count = saved[0], saved[1], saved[2], saved[3]
        model.load(state)
        last_finite = state
        for _ in range(step // steps_per_epoch):
            java_random.shuffle(order, random)
    trained = [p for name, p in model.params.items() if not hyper.holds(name)]
    # FFA-LoRA: an A factor stays at its shared initial value, so every site's B multiplies the same A.
    for name, p in model.params.items():
        p.requires_grad_(not hyper.holds(name))
    adam = torch.optim.Adam(trained, lr=hyper.learning_rate)
    for epoch in range(step // steps_per_epoch, hyper.epochs):
        java_random.shuffle(order, random)
        first = step % steps_per_epoch if epoch == step // steps_per_epoch else 0
        for start in range(first * hyper.batch_size, n, hyper.batch_size):
            idx = order[start:min(n, start + hyper.batch_size)]
            text, images, labels, tm, im, tokens = data.batch(idx, model.device)
            adam.zero_grad(set_to_none=True)
            loss = _cross_entropy(model.forward(text, images, tm, im, tokens, training=True), labels)
            batch_loss = float(loss)
            if hyper.proximal_mu > 0:
                proximal = sum(((p - anchors[k]) ** 2).sum() for k, p in model.params.items())
                loss = loss + proximal * (hyper.proximal_mu / 2)
            if math.isfinite(batch_loss):
                loss.backward()
                adam.step()
                loss_sum += batch_loss * len(idx)
                loss_count += len(idx)
            else:
                # Applying it would leave the parameters NaN for good.
                skipped += 1
            step += 1
            progress(step, total, loss_sum / loss_count if loss_count else float("nan"))
            if step < total and stop_requested():
                checkpoint.save(step, model.state(), loss_sum, loss_count, before)
                raise Stopped("cancelled at step %d of %d" % (step, total))
        last_finite = _finite_or_roll_back(model, last_finite)
        if epoch + 1 < hyper.epochs:
            checkpoint.save(step, last_finite, loss_sum, loss_count, before)
    checkpoint.clear()
    trained_state = model.state()
    after = evaluate(model, data, hyper.batch_size)
    delta = {name: (trained_state[name] - np.asarray(global_state[name], dtype=np.float32)).astype(np.float32)
             for name in trained_state}
    return delta, loss_sum / max(1, loss_count), before, after, step, skipped


def _finite_or_roll_back(model, last_finite):
    now = model.state()
    if all(np.isfinite(v).all() for v in now.values()):
        return now
    model.load(last_finite)
    return last_finite
