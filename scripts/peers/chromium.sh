#!/usr/bin/env bash
# The browser of the web-page tests (tests/web): Debian's headless-capable Chromium, driven by Playwright
# through `executable_path`, so `playwright install` (a browser download) is never needed.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium.sh: $CHROMIUM is missing and apt-get is not available to install it" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "chromium.sh: $CHROMIUM is missing; installing it needs root (run: apt-get install chromium)" >&2
    exit 1
  fi
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q --no-install-recommends chromium >/dev/null; then
  $SUDO apt-get update -q >/dev/null
  $SUDO apt-get install -y -q --no-install-recommends chromium >/dev/null
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "chromium.sh: apt-get installed chromium but $CHROMIUM is still missing" >&2
  exit 1
fi
