"""Safetensors files of F32 tensors: the state the site hands in, and the update and checkpoints written back.

The format is small and fixed (an 8-byte little-endian header length, a JSON header of dtype,
shape and data offsets per tensor plus string metadata, then the raw data), and Debian ships no
safetensors package; this reads and writes exactly what the Java side (SafeTensors) does.
"""
import json
import os
import struct

import numpy as np


class FormatError(ValueError):
    pass


def read(data):
    """(tensors as {name: float32 array} in file order, metadata dict) of a safetensors payload."""
    if len(data) < 8:
        raise FormatError("payload of %d bytes is shorter than the 8-byte header length" % len(data))
    (length,) = struct.unpack("<Q", data[:8])
    if 8 + length > len(data):
        raise FormatError("header length %d does not fit a payload of %d bytes" % (length, len(data)))
    try:
        header = json.loads(data[8:8 + length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise FormatError("header is not valid JSON: %s" % e)
    metadata = header.pop("__metadata__", {}) or {}
    body = memoryview(data)[8 + length:]
    tensors = {}
    for name, entry in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        if entry.get("dtype") != "F32":
            raise FormatError("tensor '%s' has dtype %s; only F32 is supported" % (name, entry.get("dtype")))
        begin, end = entry["data_offsets"]
        shape = tuple(entry["shape"])
        if end - begin != 4 * int(np.prod(shape, dtype=np.int64)) or end > len(body):
            raise FormatError("tensor '%s' with shape %s does not match its data offsets" % (name, list(shape)))
        tensors[name] = np.frombuffer(body[begin:end], dtype="<f4").reshape(shape).copy()
    return tensors, metadata


def write(tensors, metadata=None):
    """The payload for {name: array}, in the given order, data 8-byte aligned as the reference writer pads it."""
    header = {}
    chunks = []
    offset = 0
    for name, array in tensors.items():
        values = np.ascontiguousarray(array, dtype="<f4")
        header[name] = {"dtype": "F32", "shape": list(values.shape), "data_offsets": [offset, offset + values.nbytes]}
        chunks.append(values.tobytes())
        offset += values.nbytes
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def read_file(path):
    with open(path, "rb") as f:
        return read(f.read())


def write_file(path, tensors, metadata=None):
    """Writes through a .partial file and a rename, so a reader never sees half an update; returns the bytes written."""
    payload = write(tensors, metadata)
    partial = path + ".partial"
    with open(partial, "wb") as f:
        f.write(payload)
    os.replace(partial, path)
    return payload
