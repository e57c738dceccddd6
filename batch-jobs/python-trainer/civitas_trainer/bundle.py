"""Signed model bundles, as a Civitas coordinator exports them (GET /api/releases/{id}/bundle).

A bundle is a zip: `bundle.json` (the descriptor, naming every other file by its SHA-256),
`bundle.sig` (the coordinator's Ed25519 signature, Base64, over `civitas-bundle-v1|sha256(bundle.json)`),
`signer.pub`, `manifest.json`, `state.safetensors` and `artifacts/<sha256>` (the pretrained encoder
and tokenizer the manifest names). The frozen bases are drawn from the manifest's seeds, as in
training. `open_bundle` checks the signature and every hash before anything is read from it.
"""
import base64
import hashlib
import json
import os
import re
import zipfile

from .artifacts import Artifacts

FORMAT = "civitas-bundle-v1"
FIXED = ("bundle.json", "bundle.sig", "signer.pub")
ARTIFACT = re.compile(r"artifacts/[0-9a-f]{64}")


class BundleError(ValueError):
    """A bundle that does not check; the message names the file."""


def fingerprint(public_key_base64):
    """The first 16 hex digits of the SHA-256 of the key's X.509 encoding, as the coordinator shows it."""
    return hashlib.sha256(base64.b64decode(public_key_base64)).hexdigest()[:16]


def verify_signature(public_key_base64, signature_base64, descriptor):
    """Whether the signature verifies over the descriptor's bytes under the Ed25519 key (X.509, Base64)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.serialization import load_der_public_key
    key = load_der_public_key(base64.b64decode(public_key_base64))
    message = ("civitas-bundle-v1|" + hashlib.sha256(descriptor).hexdigest()).encode("utf-8")
    try:
        key.verify(base64.b64decode(signature_base64.strip()), message)
        return True
    except (InvalidSignature, ValueError):
        return False


class Bundle:
    def __init__(self, descriptor, folder):
        self.descriptor = descriptor
        self.folder = folder
        self.manifest = os.path.join(folder, "manifest.json")
        self.state = os.path.join(folder, "state.safetensors")
        self.signer = descriptor["signer"]["fingerprint"]

    def artifacts(self):
        """Artifacts that the manifest names, read from the bundle's own files."""
        return BundleArtifacts({a["location"]: os.path.join(self.folder, a["file"]) for a in self.descriptor.get("artifacts", {}).values()})


class BundleArtifacts(Artifacts):
    def __init__(self, files):
        super().__init__()
        self.files = files

    def read(self, location, field, expected_sha256=None):
        if location not in self.files:
            raise ValueError("%s: '%s' is not in the bundle" % (field, location))
        return super().read(self.files[location], field, expected_sha256)


def open_bundle(path, folder, trusted_key=None):
    """Checks the bundle and unpacks it into `folder`.

    The signature must verify under the descriptor's signer key, and that key must be `trusted_key`
    (the coordinator's, from GET /api/bundles/signing-key) when one is given. Every file must hash to
    what the descriptor names, and none may be missing or extra."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise BundleError("bundle: '%s' is not a zip archive (%s)" % (path, e))
    with archive:
        names = archive.namelist()
        for name in names:
            if name not in FIXED + ("manifest.json", "state.safetensors") and not ARTIFACT.fullmatch(name):
                raise BundleError("bundle: unexpected entry '%s'" % name)
        for name in ("bundle.json", "bundle.sig", "manifest.json", "state.safetensors"):
            if name not in names:
                raise BundleError("bundle: '%s' is missing" % name)
        raw = archive.read("bundle.json")
        descriptor = json.loads(raw.decode("utf-8"))
        if descriptor.get("format") != FORMAT:
            raise BundleError("bundle.json: format is '%s', this script reads %s" % (descriptor.get("format"), FORMAT))
        signer = descriptor["signer"]["publicKey"]
        if trusted_key is not None and signer != trusted_key.strip():
            raise BundleError("bundle.sig: the bundle is signed by key %s, not by the trusted %s"
                              % (fingerprint(signer), fingerprint(trusted_key.strip())))
        if not verify_signature(signer, archive.read("bundle.sig").decode("ascii"), raw):
            raise BundleError("bundle.sig: the signature does not verify over bundle.json under key %s" % fingerprint(signer))
        files = descriptor["files"]
        for name in names:
            if name not in FIXED and name not in files:
                raise BundleError("%s: in the bundle but not named in bundle.json" % name)
        os.makedirs(os.path.join(folder, "artifacts"), exist_ok=True)
        for name, expected in files.items():
            if name not in names:
                raise BundleError("%s: named in bundle.json but not in the bundle" % name)
            data = archive.read(name)
            actual = hashlib.sha256(data).hexdigest()
            if actual != expected:
                raise BundleError("%s: sha256 %s differs from the %s that bundle.json names" % (name, actual, expected))
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)
    if files["state.safetensors"] != descriptor["model"]["sha256"]:
        raise BundleError("state.safetensors: not the model %s that bundle.json names" % descriptor["model"]["sha256"])
    return Bundle(descriptor, folder)
