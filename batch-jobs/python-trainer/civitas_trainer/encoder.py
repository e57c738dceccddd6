"""The pretrained BERT-style sentence encoder in PyTorch, from the weights of its ONNX file.

The weights are read with the `onnx` package. The exporter names a linear layer's weight after no
layer (`onnx::MatMul_787`) and stores it [in, out]; the MatMul node that reads it carries the
layer's path (`/encoder/layer.0/attention/self/query/MatMul`), so such a weight is named after the
node and transposed to [out, in], as PyTorch and PEFT name it (OnnxWeights.java does the same).

    x   = LayerNorm(word[ids] + position[0..t) + type[types])
    per layer: x = LayerNorm(x + Attention(x) W_o^T + b_o); x = LayerNorm(x + gelu(x W_i^T + b_i) W_2^T + b_2)
    out = mean of x over the attention mask, L2-normalised

With adapters, a targeted projection's output gains s (x A^T) B^T; the pretrained weights never change.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

EPS = 1e-12


def onnx_weights(data):
    """(float initializers by name, MatMul weights renamed after their node and transposed; the attention
    heads the graph splits into, or None when it does not say)."""
    import onnx
    from onnx import numpy_helper
    try:
        model = onnx.load_model_from_string(data)
    except Exception as e:  # the onnx package raises several kinds for a bad file
        raise ValueError("text.artifact: not an ONNX model: %s" % e)
    layer_of = {}
    constants = {n.output[0]: numpy_helper.to_array(n.attribute[0].t) for n in model.graph.node
                 if n.op_type == "Constant" and n.attribute and n.attribute[0].type == onnx.AttributeProto.TENSOR}
    heads = None
    for node in model.graph.node:
        # The first layer's attention reshapes [b, t, hidden] to [b, t, heads, head width] with a Concat of constants.
        if heads is None and node.op_type == "Concat" and node.name.startswith("/encoder/layer.0/attention/self/") \
                and len(node.input) == 4 and node.input[2] in constants and constants[node.input[2]].size == 1:
            heads = int(constants[node.input[2]].reshape(-1)[0])
        if node.op_type == "MatMul" and node.name.endswith("/MatMul") and len(node.input) == 2:
            path = node.name[1:] if node.name.startswith("/") else node.name
            layer_of[node.input[1]] = path[:-len("/MatMul")].replace("/", ".") + ".weight"
    weights = {}
    for tensor in model.graph.initializer:
        if tensor.data_type != onnx.TensorProto.FLOAT:
            continue
        array = numpy_helper.to_array(tensor).astype(np.float32)
        layer = layer_of.get(tensor.name)
        if layer is not None and array.ndim == 2:
            weights[layer] = np.ascontiguousarray(array.T)
        else:
            weights[tensor.name] = array
    return weights, heads


class TransformerEncoder:

    def __init__(self, weights, heads, device):
        self.layers = 0
        while "encoder.layer.%d.attention.self.query.weight" % self.layers in weights:
            self.layers += 1
        if self.layers == 0:
            raise ValueError("text.artifact: the encoder has no float weight encoder.layer.0.attention.self.query.weight"
                             " (the reference trainer runs BERT-style encoders with float weights)")
        self.w = {name: torch.from_numpy(array).to(device) for name, array in weights.items()}
        self.hidden = self.w["embeddings.word_embeddings.weight"].shape[1]
        if self.hidden % heads != 0:
            raise ValueError("text.heads: %d heads do not divide the hidden width %d" % (heads, self.hidden))
        self.heads = heads
        self.device = device

    def weight(self, name):
        try:
            return self.w[name]
        except KeyError:
            raise ValueError("text.artifact: the encoder has no weight '%s'" % name)

    def pooled(self, ids, mask, types, adapters=None, scaling=0.0):
        """[b, hidden]: the L2-normalised mean of the token states over the mask, with the adapters given."""
        states = self.forward(ids, mask, types, adapters or {}, scaling)
        m = mask.to(states.dtype).unsqueeze(2)
        mean = (states * m).sum(1) / m.sum(1).clamp(min=1.0)
        return mean / mean.square().sum(1, keepdim=True).sqrt().clamp(min=1e-12)

    def forward(self, ids, mask, types, adapters, scaling):
        b, t = ids.shape
        positions = torch.arange(t, device=ids.device).unsqueeze(0)
        x = (F.embedding(ids, self.weight("embeddings.word_embeddings.weight"))
             + F.embedding(positions, self.weight("embeddings.position_embeddings.weight"))
             + F.embedding(types, self.weight("embeddings.token_type_embeddings.weight")))
        x = self._norm("embeddings.LayerNorm", x)
        # Padding keys get a large negative score, so softmax gives them no weight.
        bias = (1.0 - mask.to(x.dtype)).mul(-1e9).view(b, 1, 1, t)
        for layer in range(self.layers):
            p = "encoder.layer.%d." % layer
            attended = self._attention(p + "attention.self.", x, bias, adapters, scaling)
            x = self._norm(p + "attention.output.LayerNorm", x + self._linear(p + "attention.output.dense", attended, adapters, scaling))
            inner = F.gelu(self._linear(p + "intermediate.dense", x, adapters, scaling))
            x = self._norm(p + "output.LayerNorm", x + self._linear(p + "output.dense", inner, adapters, scaling))
        return x

    def _attention(self, prefix, x, bias, adapters, scaling):
        b, t, _ = x.shape
        d = self.hidden // self.heads

        def split(y):
            return y.view(b, t, self.heads, d).transpose(1, 2)

        q = split(self._linear(prefix + "query", x, adapters, scaling))
        k = split(self._linear(prefix + "key", x, adapters, scaling))
        v = split(self._linear(prefix + "value", x, adapters, scaling))
        scores = q.matmul(k.transpose(2, 3)) / math.sqrt(d) + bias
        return scores.softmax(-1).matmul(v).transpose(1, 2).reshape(b, t, self.hidden)

    def _linear(self, layer, x, adapters, scaling):
        y = F.linear(x, self.weight(layer + ".weight"), self.weight(layer + ".bias"))
        a = adapters.get("text." + layer + ".lora_A.weight")
        if a is None:
            return y
        return y + F.linear(F.linear(x, a), adapters["text." + layer + ".lora_B.weight"]) * scaling

    def _norm(self, layer, x):
        return F.layer_norm(x, (self.hidden,), self.weight(layer + ".weight"), self.weight(layer + ".bias"), EPS)
