"""Writes the small ONNX image encoders the worker's tests load (src/test/resources/onnx).

They stand for an operator's own frozen encoder and are small enough to check by hand:
  mean-colour.onnx       [N, 3, S, S] -> [N, 3]  the mean of each channel (GlobalAveragePool)
  mean-colour-nhwc.onnx  [N, S, S, 3] -> [N, 3]  the same, channels last (ReduceMean over H and W)
  conv8.onnx             [N, 3, S, S] -> [N, 8]  a fixed 1x1 convolution, ReLU, then the mean

Run from the repository root with Debian's python3-onnx:
  /usr/bin/python3 batch-jobs/model-worker/src/test/onnx/make_image_encoders.py
"""
import os

import onnx
from onnx import TensorProto, helper

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "onnx")
OPSET = [helper.make_opsetid("", 13)]


def save(graph, name):
    model = helper.make_model(graph, opset_imports=OPSET, producer_name="civitas-tests")
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, name))


def mean_colour():
    pixels = helper.make_tensor_value_info("pixels", TensorProto.FLOAT, ["n", 3, "s", "s"])
    features = helper.make_tensor_value_info("features", TensorProto.FLOAT, ["n", 3])
    nodes = [helper.make_node("GlobalAveragePool", ["pixels"], ["pooled"]),
             helper.make_node("Flatten", ["pooled"], ["features"], axis=1)]
    save(helper.make_graph(nodes, "mean-colour", [pixels], [features]), "mean-colour.onnx")


def mean_colour_nhwc():
    pixels = helper.make_tensor_value_info("pixels", TensorProto.FLOAT, ["n", "s", "s", 3])
    features = helper.make_tensor_value_info("features", TensorProto.FLOAT, ["n", 3])
    nodes = [helper.make_node("ReduceMean", ["pixels"], ["features"], axes=[1, 2], keepdims=0)]
    save(helper.make_graph(nodes, "mean-colour-nhwc", [pixels], [features]), "mean-colour-nhwc.onnx")


def conv8():
    pixels = helper.make_tensor_value_info("pixels", TensorProto.FLOAT, ["n", 3, "s", "s"])
    features = helper.make_tensor_value_info("features", TensorProto.FLOAT, ["n", 8])
    # Fixed weights: output channel k mixes the inputs by (k % 3 == c) - 0.25, so the result is reproducible.
    weights = [(1.0 if k % 3 == c else 0.0) - 0.25 for k in range(8) for c in range(3)]
    w = helper.make_tensor("w", TensorProto.FLOAT, [8, 3, 1, 1], weights)
    nodes = [helper.make_node("Conv", ["pixels", "w"], ["conv"]),
             helper.make_node("Relu", ["conv"], ["relu"]),
             helper.make_node("GlobalAveragePool", ["relu"], ["pooled"]),
             helper.make_node("Flatten", ["pooled"], ["features"], axis=1)]
    save(helper.make_graph(nodes, "conv8", [pixels], [features], initializer=[w]), "conv8.onnx")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    mean_colour()
    mean_colour_nhwc()
    conv8()
