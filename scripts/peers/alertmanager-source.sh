#!/usr/bin/env bash
# Alertmanager 0.25's source from Debian (golang-github-prometheus-alertmanager-dev): its embedded OpenAPI document
# is what the API v2 answers are validated against (tests/server/test_alertmanager_openapi.py reads it in place).
set -euo pipefail
SPEC=/usr/share/gocode/src/github.com/prometheus/alertmanager/api/v2/restapi/embedded_spec.go
[ -f "$SPEC" ] && exit 0
# apt-ensure checks for an executable; the package's files are sources, so ask it by a program name it lacks
"$(dirname "$0")/../apt-ensure" "$SPEC" golang-github-prometheus-alertmanager-dev || [ -f "$SPEC" ]
