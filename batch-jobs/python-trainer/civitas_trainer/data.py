"""Datasets as the model reads them: each labeled sample's text (embedded once by the frozen encoder,
or tokenised for an adapted one), its image pixels and its label index, with presence masks.

Dataset manifests are the platform's JSON lines ({"id", "image", "text", "label", "scenario"});
image paths are relative to the manifest's folder. A bad line is skipped, as the Java worker skips
it; a dataset with no usable labeled sample is refused.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F


class Sample:
    __slots__ = ("id", "image", "text", "label", "scenario")

    def __init__(self, id, image, text, label, scenario):
        self.id, self.image, self.text, self.label, self.scenario = id, image, text, label, scenario


def read_manifest(path, labels):
    """(labeled samples, number of bad lines) of a dataset manifest."""
    folder = os.path.realpath(os.path.dirname(os.path.abspath(path)))
    samples, bad, seen = [], 0, set()
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise ValueError("dataset: cannot read '%s': %s" % (path, e))
    for line in lines:
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            bad += 1
            continue
        if not isinstance(row, dict) or not isinstance(row.get("id"), str) or row["id"] in seen:
            bad += 1
            continue
        image, text = row.get("image"), row.get("text")
        has_text = isinstance(text, str) and text.strip() != ""
        if image is not None:
            resolved = os.path.realpath(os.path.join(folder, image))
            if not resolved.startswith(folder + os.sep) or not os.path.isfile(resolved):
                bad += 1
                continue
        if image is None and not has_text:
            bad += 1
            continue
        label = row.get("label")
        if label is not None and label not in labels:
            bad += 1
            continue
        seen.add(row["id"])
        if label is not None:
            samples.append(Sample(row["id"], image, text if has_text else None, label, row.get("scenario")))
    if not samples:
        raise ValueError("dataset '%s' has no labeled samples the model can use (%d bad lines)" % (path, bad))
    return samples, folder


class ImageLoader:
    """RGB resized to size x size, channels first, values in [-1, 1], as ImageTensors.java prepares them."""

    def __init__(self, size, max_pixels):
        self.size = size
        self.max_pixels = max_pixels
        self.cache = {}

    def load(self, path):
        if path is None:
            return np.zeros((3, self.size, self.size), dtype=np.float32)
        if path not in self.cache:
            self.cache[path] = self._decode(path)
        return self.cache[path]

    def _decode(self, path):
        from PIL import Image
        try:
            with Image.open(path) as im:
                # The header's size is checked before anything is decoded: a small file can declare a huge image.
                if im.size[0] * im.size[1] > self.max_pixels:
                    raise ValueError("image %s declares %dx%d pixels, more than the %d allowed" % (path, im.size[0], im.size[1],
                                                                                                  self.max_pixels))
                rgb = np.asarray(im.convert("RGB"), dtype=np.float32)
        except OSError as e:
            raise ValueError("not a readable image: %s (%s)" % (path, e))
        x = torch.from_numpy(rgb).permute(2, 0, 1).unsqueeze(0)
        x = F.interpolate(x, size=(self.size, self.size), mode="bilinear", align_corners=False)
        x = x.round().clamp(0, 255) / 127.5 - 1.0
        return x[0].numpy().astype(np.float32)


def pixels_chw(encoded, size):
    """Base64 RGB bytes of a size x size image (as ImagePixels.java makes them) as the tower's input, channels first in [-1, 1]."""
    import base64
    raw = np.frombuffer(base64.b64decode(encoded), dtype=np.uint8)
    if raw.size != 3 * size * size:
        raise ValueError("pixels: %d bytes, not the %d of a %d x %d RGB image" % (raw.size, 3 * size * size, size, size))
    return (raw.reshape(size, size, 3).transpose(2, 0, 1).astype(np.float32) / np.float32(127.5) - np.float32(1.0)).astype(np.float32)


class Dataset:
    """Arrays of a dataset for one model: text [n, dim] or tokens, images [n, 3, s, s], labels, masks."""

    def __init__(self, samples, folder, manifest, text_tower, images, remember=True, decoded=None):
        """`decoded`: per sample, its image already as the tower's input (3 x s x s), or None to load its file."""
        # Inputs to predict carry no label: theirs is 0 and unused.
        self.labels = np.array([manifest.labels.index(s.label) if s.label is not None else 0 for s in samples], dtype=np.int64)
        self.scenarios = [s.scenario for s in samples]
        n = len(samples)
        self.has_text = np.array([s.text is not None for s in samples]) if manifest.text is not None else None
        decoded = decoded or [None] * len(samples)
        self.has_image = np.array([s.image is not None or d is not None for s, d in zip(samples, decoded)]) \
            if manifest.image is not None else None
        self.text = None
        self.tokens = None
        if manifest.text is not None:
            texts = [s.text or "" for s in samples]
            if manifest.text_adapted:
                self.tokens = [text_tower.tokenizer.encode(t) for t in texts]
            else:
                self.text = text_tower.embed([s.text for s in samples], remember)
        self.images = None
        if images is not None:
            self.images = np.stack([d if d is not None else images.load(os.path.join(folder, s.image) if s.image else None)
                                    for s, d in zip(samples, decoded)]) \
                if n else np.zeros((0, 3, images.size, images.size), dtype=np.float32)

    def __len__(self):
        return len(self.labels)

    def modality_samples(self):
        counts = {}
        if self.has_text is not None:
            counts["text"] = int(self.has_text.sum())
        if self.has_image is not None:
            counts["image"] = int(self.has_image.sum())
        return counts

    def batch(self, indices, device):
        """(text, images, labels, text mask, image mask, tokens) of the samples `indices`; a mask is None when all carry it."""
        idx = np.asarray(indices)
        text = torch.from_numpy(self.text[idx]).to(device) if self.text is not None else None
        images = torch.from_numpy(self.images[idx]).to(device) if self.images is not None else None
        labels = torch.from_numpy(self.labels[idx]).to(device)
        tokens = None
        if self.tokens is not None:
            longest = max(1, max(len(self.tokens[i]) for i in idx))
            ids = np.zeros((len(idx), longest), dtype=np.int64)
            mask = np.zeros((len(idx), longest), dtype=np.int64)
            for row, i in enumerate(idx):
                ids[row, :len(self.tokens[i])] = self.tokens[i]
                mask[row, :len(self.tokens[i])] = 1
            tokens = (torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device),
                      torch.zeros_like(torch.from_numpy(ids)).to(device))
        return text, images, labels, _mask(self.has_text, idx, device), _mask(self.has_image, idx, device), tokens


def _mask(present, idx, device):
    if present is None:
        return None
    values = present[idx]
    if values.all():
        return None
    return torch.from_numpy(values.astype(np.float32)).view(-1, 1).to(device)
