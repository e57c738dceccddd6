#!/usr/bin/env bash
# Runs the reference trainer's unit tests with the Python that has PyTorch (Debian's python3-torch by
# default). Without one, the tests are skipped with a message, unless CIVITAS_PYTHON_REQUIRED=true
# (CI), where that is a failure.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${CIVITAS_PYTHON:-/usr/bin/python3}"
if ! "$PYTHON" -c "import torch, numpy, PIL, onnx, cryptography" 2>/dev/null; then
  if [ "${CIVITAS_PYTHON_REQUIRED:-false}" = "true" ]; then
    echo "python-trainer: $PYTHON cannot import torch, numpy, PIL, onnx and cryptography (bash .ci/ensure-python-torch.sh installs them)" >&2
    exit 1
  fi
  echo "python-trainer: tests SKIPPED, $PYTHON lacks torch, numpy, PIL, onnx or cryptography (bash .ci/ensure-python-torch.sh installs them)"
  exit 0
fi
exec "$PYTHON" -m unittest discover -s tests -t . -v
