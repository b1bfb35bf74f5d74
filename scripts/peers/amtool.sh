#!/usr/bin/env bash
# Alertmanager's amtool (Debian's prometheus-alertmanager): the real client the silence API tests drive.
# The package's service is stopped: the tests point amtool at Tocsin, never at an Alertmanager.
set -euo pipefail
command -v amtool >/dev/null 2>&1 && exit 0
"$(dirname "$0")/../apt-ensure" amtool prometheus-alertmanager
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus-alertmanager 2>/dev/null; then
  systemctl stop prometheus-alertmanager >/dev/null 2>&1 || true
fi
