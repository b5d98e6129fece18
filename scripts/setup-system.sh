#!/usr/bin/env bash
# Installs the Debian 12 packages platewatch needs to build, run and test.
# Idempotent: packages already present are skipped. Needs root (apt-get);
# otherwise prints the exact command to run and stops.
set -euo pipefail

PACKAGES=(
  # native build
  cmake g++ make pkg-config clang-format
  # OpenCV 4.6 (full dev package: the only one that ships OpenCVConfig.cmake)
  libopencv-dev
  # GStreamer 1.22: core, dev headers, decoders (avdec_h264), h264parse (bad), x264enc (ugly), RTSP
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  # test helpers: a real RTSP server on loopback, and plate/footage rendering
  gir1.2-gst-rtsp-server-1.0 python3-gst-1.0 python3-gi python3-numpy python3-opencv python3-pil
  fonts-dejavu-core fonts-dejavu-extra
  # message bus
  nats-server
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all ${#PACKAGES[@]} Debian packages present"
  exit 0
fi

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-system: missing Debian packages: ${missing[*]}" >&2
  echo "setup-system: run as root:  sudo sh -c '$cmd'" >&2
  exit 1
fi
echo "setup-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
