"""A signed bundle, made here as a coordinator makes one, run by run_bundle.py: it answers as the
trainer does on the same state, and every bundle that does not check is refused by name."""
import base64
import contextlib
import hashlib
import io
import json
import os
import shutil
import tempfile
import unittest
import zipfile

import numpy as np
from PIL import Image

from civitas_trainer import safetensors_io
from civitas_trainer.artifacts import Artifacts
from civitas_trainer.main import Trainer
from civitas_trainer.manifest import Manifest

import run_bundle

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

MANIFEST = {"name": "colours", "image": {"kind": "cnn", "size": 16, "channels": [4, 8]}, "fusion": {"hidden": 8, "seed": 3},
            "adapter": {"rank": 2, "alpha": 4, "targets": ["fusion"]}, "labels": ["red", "blue", "green"]}


def public_key(private):
    return base64.b64encode(private.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)).decode("ascii")


def make_bundle(path, files, private, edit=None):
    """Writes a bundle of these files, its descriptor naming each by hash and signed with the key."""
    descriptor = {"format": "civitas-bundle-v1", "signer": {"publicKey": public_key(private), "fingerprint": "x"},
                  "model": {"federation": 1, "version": 1, "sha256": hashlib.sha256(files["state.safetensors"]).hexdigest()},
                  "labels": MANIFEST["labels"], "artifacts": {},
                  "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}}
    raw = json.dumps(descriptor, indent=2).encode("utf-8")
    signature = private.sign(("civitas-bundle-v1|" + hashlib.sha256(raw).hexdigest()).encode("utf-8"))
    entries = {"bundle.json": raw, "bundle.sig": base64.b64encode(signature) + b"\n"}
    entries.update(files)
    if edit:
        edit(entries)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)


class RunBundleTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="civitas-bundle-test-")
        rng = np.random.default_rng(7)
        state = {n: rng.normal(0, 0.3, s).astype(np.float32) for n, s in Manifest(MANIFEST).trainable_shapes().items()}
        cls.state_file = os.path.join(cls.dir, "state.safetensors")
        safetensors_io.write_file(cls.state_file, state)
        cls.manifest_file = os.path.join(cls.dir, "manifest.json")
        with open(cls.manifest_file, "w") as f:
            json.dump(MANIFEST, f)
        cls.image = os.path.join(cls.dir, "red.png")
        Image.fromarray(np.full((20, 20, 3), (210, 30, 30), dtype=np.uint8)).save(cls.image)
        with open(cls.state_file, "rb") as s, open(cls.manifest_file, "rb") as m:
            cls.files = {"manifest.json": m.read(), "state.safetensors": s.read()}
        cls.key = Ed25519PrivateKey.generate()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def run_script(self, bundle, *args):
        out = io.StringIO()
        code = run_bundle.main([bundle, "--image", self.image] + list(args), out)
        return code, out.getvalue()

    def test_a_signed_bundle_answers_as_the_trainer_does_on_the_same_state(self):
        bundle = os.path.join(self.dir, "good.zip")
        make_bundle(bundle, self.files, self.key)
        code, out = self.run_script(bundle, "--trust", public_key(self.key), "--top", "2")
        self.assertEqual(0, code)
        answer = json.loads(out)
        expected = Trainer(io.StringIO(), Artifacts(), "cpu", 1, 10 ** 7).predict(
            {"manifest": self.manifest_file, "state": self.state_file, "inputs": [{"image": self.image}]})["probabilities"][0]
        got = answer["predictions"][0]["probabilities"]
        for label, p in zip(MANIFEST["labels"], expected):
            self.assertAlmostEqual(p, got[label], places=6)
        self.assertEqual(2, len(answer["predictions"][0]["top"]))
        self.assertEqual(max(got, key=got.get), answer["predictions"][0]["top"][0]["label"])
        self.assertTrue(answer["trusted"])

    def test_a_bundle_that_does_not_check_is_refused_by_name(self):
        def flip_state(entries):
            state = bytearray(entries["state.safetensors"])
            state[-1] ^= 1
            entries["state.safetensors"] = bytes(state)

        def extra(entries):
            entries["run.sh"] = b"rm -rf /"

        def edit_descriptor(entries):
            entries["bundle.json"] = entries["bundle.json"].replace(b'"version": 1', b'"version": 2')

        cases = {"tampered state": (flip_state, None, "state.safetensors: sha256 "),
                 "extra entry": (extra, None, "bundle: unexpected entry 'run.sh'"),
                 "edited descriptor": (edit_descriptor, None, "bundle.sig: the signature does not verify"),
                 "another signer": (None, public_key(Ed25519PrivateKey.generate()), "bundle.sig: the bundle is signed by key ")}
        for name, (edit, trusted, expected) in cases.items():
            with self.subTest(name):
                bundle = os.path.join(self.dir, name.replace(" ", "-") + ".zip")
                make_bundle(bundle, self.files, self.key, edit)
                err = io.StringIO()
                with contextlib.redirect_stderr(err):
                    code, out = self.run_script(bundle, *(["--trust", trusted] if trusted else []))
                self.assertEqual(2, code)
                self.assertEqual("", out)
                self.assertIn("refused: " + expected, err.getvalue())


if __name__ == "__main__":
    unittest.main()
