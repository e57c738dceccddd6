"""The fusion model in PyTorch, a function of named parameters so the federated state maps one to one
onto safetensors names (MultimodalModel.java computes the same):

    image features f_i = cnn(image)                                          trainable CNN (CnnTower.java)
    text  features t   = relu(W_t e + s B_t A_t e)                          W_t frozen, LoRA A_t B_t
    fused          h   = relu(W_f [t; f_i] + s B_f A_f [t; f_i])             W_f frozen, LoRA A_f B_f
    logits             = W_h h + b_h                                          trainable head

s = alpha / rank; e is the frozen encoder's embedding, or with text.mode adapters the encoder's
output with LoRA on its attention projections. A missing modality's features are zeroed after its
tower, so that tower gets no gradient from the sample.
"""
import numpy as np
import torch
import torch.nn.functional as F


class MultimodalModel:

    def __init__(self, manifest, encoder, device, image_base=None):
        """`image_base`: the image tower's pretrained weights ({name: array}) the manifest names in image.base, or None;
        the layers the adapter targets keep them frozen."""
        self.manifest = manifest
        self.encoder = encoder if manifest.text_adapted else None
        if manifest.text_adapted and encoder is None:
            raise ValueError("text.mode: the manifest adapts the text encoder, and no encoder was loaded")
        self.device = device
        self.scaling = manifest.scaling
        self.shapes = manifest.trainable_shapes()
        self.frozen = {name: torch.from_numpy(a).to(device) for name, a in manifest.frozen_base().items()}
        if (manifest.image is not None and manifest.image.get("base")) and image_base is None:
            raise ValueError("image.base: the manifest's tower starts from pretrained weights %s, and they were not given"
                             % manifest.image["base"])
        for name, a in (image_base or {}).items():
            if name not in self.shapes:
                self.frozen[name] = torch.tensor(np.asarray(a, dtype=np.float32), device=device)
        self.params = {}

    def load(self, state):
        """Replaces the trainable parameters by `state` ({name: array}), which must hold exactly the manifest's tensors."""
        if list(sorted(state)) != list(sorted(self.shapes)):
            raise ValueError("state tensors %s are not the manifest's %s" % (sorted(state), sorted(self.shapes)))
        for name, shape in self.shapes.items():
            if tuple(state[name].shape) != tuple(shape):
                raise ValueError("tensor %s has shape %s, the manifest needs %s" % (name, list(state[name].shape), list(shape)))
        if self.params:
            # In place, so an optimiser that holds these tensors keeps training them (an epoch rolled back, say).
            with torch.no_grad():
                for name in self.shapes:
                    self.params[name].copy_(torch.from_numpy(np.asarray(state[name], dtype=np.float32)))
            return
        self.params = {name: torch.tensor(np.asarray(state[name], dtype=np.float32), device=self.device, requires_grad=True)
                       for name in self.shapes}

    def state(self):
        """The trainable parameters as float32 arrays, in the manifest's order."""
        return {name: self.params[name].detach().cpu().numpy().astype(np.float32) for name in self.shapes}

    def forward(self, text, images, text_mask=None, image_mask=None, tokens=None, training=False):
        """Logits [b, labels]. `text` [b, dim] embeddings, or `tokens` (ids, mask, types) for an adapted encoder;
        `training` turns the image tower's dropout on."""
        if tokens is not None and self.encoder is not None:
            adapters = {n: p for n, p in self.params.items() if n.startswith("text.encoder.")}
            text = self.encoder.pooled(tokens[0], tokens[1], tokens[2], adapters, self.scaling)
        features = []
        if self.manifest.text is not None:
            t = self._adapted("text_proj", text).relu()
            if text_mask is not None:
                t = t * text_mask
            features.append(t)
        if self.manifest.image is not None:
            x = self._cnn(images, self.manifest.cnn, training)
            if image_mask is not None:
                x = x * image_mask
            features.append(x)
        fused = self._adapted("fusion", torch.cat(features, 1) if len(features) > 1 else features[0]).relu()
        return F.linear(fused, self.params["head.weight"], self.params["head.bias"])

    def _cnn(self, x, tower, training):
        """MultimodalModel.cnn: blocks of convolution, GroupNorm, ReLU (a residual block adds its input), max pooling;
        then flatten or the mean over the map, and dense layers with dropout."""
        if tower["inputChannels"] == 1 and x.shape[1] == 3:
            x = x.mean(dim=1, keepdim=True)
        for i, b in enumerate(tower["blocks"], start=1):
            y = self._convolved(x, tower, str(i), b["kernel"], b["stride"])
            if b["residual"]:
                y = self._convolved(y.relu(), tower, "%db" % i, b["kernel"], 1) + x
            x = y.relu()
            if b["pool"] > 1:
                x = F.max_pool2d(x, b["pool"])
        x = x.mean(dim=(2, 3)) if tower["output"] == "mean" else x.flatten(1)
        for j in range(1, len(tower["dense"]) + 1):
            x = F.linear(x, self._layer_weight("image.dense%d" % j), self._layer_bias("image.dense%d" % j)).relu()
            if training and tower["dropout"] > 0:
                x = F.dropout(x, tower["dropout"], training=True)
        return x

    def _convolved(self, x, tower, n, kernel, stride):
        y = F.conv2d(x, self._layer_weight("image.conv%s" % n), self._layer_bias("image.conv%s" % n), stride=stride,
                     padding=kernel // 2)
        if tower["norm"] != "group":
            return y
        return F.group_norm(y, tower["groups"], self.params["image.norm%s.weight" % n], self.params["image.norm%s.bias" % n], eps=1e-5)

    def _layer_weight(self, layer):
        """MultimodalModel.layerWeight: trained, or the frozen base W0 + s B A with A and B flattened to matrices."""
        if layer + ".weight" in self.params:
            return self.params[layer + ".weight"]
        a = self.params[layer + ".lora_A.weight"]
        b = self.params[layer + ".lora_B.weight"]
        base = self.frozen[layer + ".weight"]
        return base + (b.reshape(b.shape[0], a.shape[0]) @ a.reshape(a.shape[0], -1)).reshape(base.shape) * self.scaling

    def _layer_bias(self, layer):
        return self.params[layer + ".bias"] if layer + ".bias" in self.params else self.frozen[layer + ".bias"]

    def _adapted(self, layer, x):
        y = F.linear(x, self.frozen[layer + ".base"])
        a = self.params.get(layer + ".lora_a")
        if a is None:
            return y
        return y + F.linear(F.linear(x, a), self.params[layer + ".lora_b"]) * self.scaling
