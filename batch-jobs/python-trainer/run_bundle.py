#!/usr/bin/env python3
"""Runs a Civitas model bundle outside Civitas: checks its signature and hashes, then predicts.

    python3 run_bundle.py BUNDLE.zip --trust KEY --text "Smoke from the substation" --image photo.jpg

KEY is the exporting coordinator's public key (GET /api/bundles/signing-key); without --trust the
bundle is checked against the key it names, and that key's fingerprint is printed for you to compare.
Prints one JSON object: the model, the signer, and each input's top labels and probabilities.
Several --text/--image pairs may be given; an input with only one of them is fine when the model
reads that modality.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

from civitas_trainer.bundle import BundleError, open_bundle
from civitas_trainer.main import Trainer


def main(argv=None, out=None):
    out = out or sys.stdout
    parser = argparse.ArgumentParser(description="Run a signed Civitas model bundle.")
    parser.add_argument("bundle")
    parser.add_argument("--trust", help="the exporting coordinator's public key (X.509, Base64)")
    parser.add_argument("--text", action="append", default=[], help="a report's text (one per input)")
    parser.add_argument("--image", action="append", default=[], help="an image file (one per input)")
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    count = max(len(args.text), len(args.image))
    if count == 0:
        parser.error("give at least one --text or --image")
    inputs = [{k: v for k, v in (("text", args.text[i] if i < len(args.text) else None),
                                 ("image", os.path.abspath(args.image[i]) if i < len(args.image) else None)) if v is not None} for i in range(count)]
    folder = tempfile.mkdtemp(prefix="civitas-bundle-")
    try:
        try:
            bundle = open_bundle(args.bundle, folder, args.trust)
        except BundleError as e:
            print("refused: %s" % e, file=sys.stderr)
            return 2
        trainer = Trainer(sys.stderr, bundle.artifacts(), args.device, 0, 40_000_000)
        probabilities = trainer.predict({"manifest": bundle.manifest, "state": bundle.state, "inputs": inputs})["probabilities"]
        labels = bundle.descriptor["labels"]
        predictions = []
        for p in probabilities:
            ranked = sorted(zip(labels, p), key=lambda lp: -lp[1])[:args.top]
            predictions.append({"top": [{"label": l, "probability": v} for l, v in ranked],
                                "probabilities": dict(zip(labels, p))})
        json.dump({"model": bundle.descriptor["model"], "signer": bundle.signer, "trusted": args.trust is not None,
                   "predictions": predictions}, out)
        out.write("\n")
        return 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
