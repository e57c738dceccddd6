"""Writes the small ONNX text encoder the worker's and the integration tests load (src/test/resources/onnx).

It stands for an operator's own frozen sentence encoder, read with a WordPiece tokenizer's ids:
  hashed-words32.onnx  input_ids [N, T], attention_mask [N, T] -> token states [N, T, 32]
                       each id picks a row of a fixed random table (id mod 2048); padding is zeroed

The worker mean-pools the token states over the mask and L2-normalises them, as it does for the
shipped encoders. The table is seeded, so the file is the same on every run.

Run from the repository root with Debian's python3-onnx:
  /usr/bin/python3 batch-jobs/model-worker/src/test/onnx/make_text_encoders.py
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "onnx")
OPSET = [helper.make_opsetid("", 13)]
ROWS, DIM = 2048, 32


def hashed_words():
    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["n", "t"])
    mask = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["n", "t"])
    states = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["n", "t", DIM])
    table = np.random.default_rng(20261205).standard_normal((ROWS, DIM)).astype(np.float32)
    initializers = [numpy_helper.from_array(table, "table"),
                    numpy_helper.from_array(np.array(ROWS, dtype=np.int64), "rows"),
                    numpy_helper.from_array(np.array([2], dtype=np.int64), "last_axis")]
    nodes = [helper.make_node("Mod", ["input_ids", "rows"], ["row"]),
             helper.make_node("Gather", ["table", "row"], ["vectors"], axis=0),
             helper.make_node("Cast", ["attention_mask"], ["mask_float"], to=TensorProto.FLOAT),
             helper.make_node("Unsqueeze", ["mask_float", "last_axis"], ["mask_column"]),
             helper.make_node("Mul", ["vectors", "mask_column"], ["last_hidden_state"])]
    graph = helper.make_graph(nodes, "hashed-words32", [ids, mask], [states], initializer=initializers)
    model = helper.make_model(graph, opset_imports=OPSET, producer_name="civitas-tests")
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, "hashed-words32.onnx"))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    hashed_words()
