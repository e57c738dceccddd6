"""The text tower: the tokenizer and the pretrained encoder of a manifest's `text` section.

Frozen, it embeds each text once (cached: the tower never changes); adapted, the model runs the
encoder with its adapters on every step and this tower only tokenises.
"""
import numpy as np
import torch

from .encoder import TransformerEncoder, onnx_weights
from .tokenizer import WordPieceTokenizer

BATCH = 32


class TextTower:

    def __init__(self, spec, artifacts, device):
        tokenizer_hash = spec["tokenizer"][len("sha256:"):] if spec["tokenizer"].startswith("sha256:") else None
        self.tokenizer = WordPieceTokenizer(artifacts.read(spec["tokenizer"], "text.tokenizer", tokenizer_hash),
                                            int(spec["maxTokens"]))
        model = artifacts.read(spec["artifact"], "text.artifact", spec["sha256"])
        weights, graph_heads = onnx_weights(model)
        heads = int(spec.get("heads") or graph_heads or 0)
        if heads < 1:
            raise ValueError("text.heads: the encoder's graph does not show how many attention heads it has; name them in text.heads")
        self.encoder = TransformerEncoder(weights, heads, device)
        self.dim = int(spec["dim"])
        self.device = device
        if self.encoder.hidden != self.dim:
            raise ValueError("text.dim: the encoder's output has %d features, the manifest says %d" % (self.encoder.hidden, self.dim))
        if spec.get("mode") == "adapters" and self.encoder.layers != int(spec["layers"]):
            raise ValueError("text.layers: the encoder has %d layers, the manifest says %s" % (self.encoder.layers, spec["layers"]))
        self.cache = {}

    def embed(self, texts, remember=True):
        """[n, dim] float32: one L2-normalised embedding per text; None or blank gives zeros (missing modality).

        remember=False leaves the cache alone: a prediction's texts come once, and kept they would grow
        the warm trainer's memory without end."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo = []
        for i, t in enumerate(texts):
            if t is None or not t.strip():
                continue
            if t in self.cache:
                out[i] = self.cache[t]
            else:
                todo.append(i)
        for start in range(0, len(todo), BATCH):
            chunk = todo[start:start + BATCH]
            vectors = self.encode([texts[i] for i in chunk])
            for row, i in enumerate(chunk):
                out[i] = vectors[row]
                if remember:
                    self.cache[texts[i]] = vectors[row]
        return out

    def encode(self, texts):
        ids = [self.tokenizer.encode(t) for t in texts]
        longest = max(len(x) for x in ids)
        padded = np.zeros((len(ids), longest), dtype=np.int64)
        mask = np.zeros_like(padded)
        for row, x in enumerate(ids):
            padded[row, :len(x)] = x
            mask[row, :len(x)] = 1
        with torch.no_grad():
            t = torch.from_numpy(padded).to(self.device)
            m = torch.from_numpy(mask).to(self.device)
            return self.encoder.pooled(t, m, torch.zeros_like(t)).cpu().numpy().astype(np.float32)
