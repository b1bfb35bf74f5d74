#!/usr/bin/env bash
# Debian's Prometheus: the real alert sender of the Alertmanager API tests (it posts to Tocsin as its alertmanager).
# The package's service is stopped: the tests start their own Prometheus on a free port.
set -euo pipefail
command -v prometheus >/dev/null 2>&1 && exit 0
"$(dirname "$0")/../apt-ensure" prometheus prometheus
if command -v systemctl >/dev/null 2>&1; then
  for unit in prometheus prometheus-node-exporter; do
    systemctl is-active --quiet "$unit" 2>/dev/null && systemctl stop "$unit" >/dev/null 2>&1 || true
  done
fi
