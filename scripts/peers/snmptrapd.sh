#!/usr/bin/env bash
# Net-SNMP's snmptrapd: the real trap receiver the snmptrap tests assert against. Idempotent and quiet.
set -euo pipefail

if command -v snmptrapd >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "snmptrapd is missing and installing it needs root: run 'apt-get install -y --no-install-recommends snmptrapd'" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
install() { apt-get install -y -q --no-install-recommends snmptrapd >/dev/null 2>&1; }
# The package lists may be stale or absent on a fresh machine: refresh them only when the install needs it.
if ! install; then
  if ! apt-get update -q >/dev/null 2>&1 || ! install; then
    echo "could not install snmptrapd with apt-get (Debian package 'snmptrapd'); the snmptrap tests need it" >&2
    exit 1
  fi
fi
# The package's service would hold UDP 162 and write /var/lib/snmp; tests start their own receiver.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet snmptrapd 2>/dev/null; then
  systemctl stop snmptrapd >/dev/null 2>&1 || true
fi
command -v snmptrapd >/dev/null 2>&1 || { echo "snmptrapd is still missing after installing it" >&2; exit 1; }
