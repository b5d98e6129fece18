#!/usr/bin/env bash
# Debian packages for training the recognizer's models (not needed to build, run or test).
# Training runs under /usr/bin/python3 (Debian's), not a python3 that may come first on PATH.
set -euo pipefail
PACKAGES=(python3-torch python3-torchvision python3-onnx python3-opencv python3-numpy python3-pil
  fonts-dejavu-core fonts-liberation fonts-freefont-ttf fonts-urw-base35 fonts-noto-core
  fonts-bebas-neue fonts-roboto-unhinted  # the plate look (make_dataset --plate-look)
  # OpenBLAS for torch's convolutions: Debian's torch otherwise falls back to reference BLAS (~3x slower)
  libopenblas0-openmp)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "setup-training: all packages present"; exit 0; }
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-training: run as root: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
