#!/usr/bin/env bash
# Net-SNMP's snmptrapd: the real trap receiver the snmptrap tests assert against. Idempotent and quiet.
set -euo pipefail
command -v snmptrapd >/dev/null 2>&1 && exit 0
"$(dirname "$0")/../apt-ensure" snmptrapd snmptrapd
# The package's service would hold UDP 162 and write /var/lib/snmp; tests start their own receiver.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet snmptrapd 2>/dev/null; then
  systemctl stop snmptrapd >/dev/null 2>&1 || true
fi
