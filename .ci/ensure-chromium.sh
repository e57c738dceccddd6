#!/usr/bin/env bash
# Ensures the headless browser of the portal's browser tests: Debian's chromium and its driver.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  echo "Chromium ready: $(/usr/bin/chromium --version 2>/dev/null || echo installed)"
  exit 0
fi
echo "Installing chromium and chromium-driver..."
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
echo "Chromium ready: $(/usr/bin/chromium --version 2>/dev/null || echo installed)"
