#!/usr/bin/env bash
# The MQTT broker of the mqtt tests: Debian's mosquitto. The tests start their own instance on a free port.
set -euo pipefail
MOSQUITTO=/usr/sbin/mosquitto
if [ -x "$MOSQUITTO" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "mosquitto.sh: $MOSQUITTO is missing and apt-get is not available to install it" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "mosquitto.sh: $MOSQUITTO is missing; installing it needs root (run: apt-get install mosquitto)" >&2
    exit 1
  fi
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q --no-install-recommends mosquitto >/dev/null; then
  $SUDO apt-get update -q >/dev/null
  $SUDO apt-get install -y -q --no-install-recommends mosquitto >/dev/null
fi
if [ ! -x "$MOSQUITTO" ]; then
  echo "mosquitto.sh: apt-get installed mosquitto but $MOSQUITTO is still missing" >&2
  exit 1
fi
