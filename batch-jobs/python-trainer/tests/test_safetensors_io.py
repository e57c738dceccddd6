import json
import struct
import unittest

import numpy as np

from civitas_trainer import safetensors_io


class SafeTensorsTest(unittest.TestCase):

    def test_round_trip_keeps_order_values_and_metadata_with_aligned_data(self):
        tensors = {"b.weight": np.arange(6, dtype=np.float32).reshape(2, 3), "a.bias": np.array([1.5, -2.0], dtype=np.float32)}
        payload = safetensors_io.write(tensors, {"kind": "update"})
        (length,) = struct.unpack("<Q", payload[:8])
        self.assertEqual(length % 8, 0)
        read, meta = safetensors_io.read(payload)
        self.assertEqual(list(read), ["b.weight", "a.bias"])
        np.testing.assert_array_equal(read["b.weight"], tensors["b.weight"])
        self.assertEqual(meta, {"kind": "update"})

    def test_refuses_a_dtype_other_than_f32_naming_the_tensor(self):
        header = json.dumps({"x": {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]}}).encode()
        payload = struct.pack("<Q", len(header)) + header + b"\0" * 4
        with self.assertRaisesRegex(safetensors_io.FormatError, "tensor 'x' has dtype F16"):
            safetensors_io.read(payload)

    def test_refuses_offsets_that_do_not_match_the_shape(self):
        header = json.dumps({"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}).encode()
        payload = struct.pack("<Q", len(header)) + header + b"\0" * 8
        with self.assertRaisesRegex(safetensors_io.FormatError, "does not match its data offsets"):
            safetensors_io.read(payload)


if __name__ == "__main__":
    unittest.main()
