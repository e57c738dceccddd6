#!/usr/bin/env bash
# Ensures the Python the reference trainer's tests use: Debian's python3 with PyTorch, NumPy, Pillow,
# the onnx package and cryptography (Ed25519, for signed model bundles), and OpenBLAS. Debian's PyTorch calls the system BLAS, and the reference BLAS it
# falls back to multiplies matrices about ten times slower than OpenBLAS does.
set -euo pipefail

PACKAGES="python3-torch python3-numpy python3-pil python3-onnx python3-cryptography libopenblas0-pthread"
if /usr/bin/python3 -c "import torch, numpy, PIL, onnx, cryptography" 2>/dev/null && [ -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  echo "Python trainer ready: $(/usr/bin/python3 -c 'import torch; print("PyTorch", torch.__version__)')"
  exit 0
fi
echo "Installing $PACKAGES..."
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
echo "Python trainer ready: $(/usr/bin/python3 -c 'import torch; print("PyTorch", torch.__version__)')"
