#!/usr/bin/env bash
# The MQTT broker of the mqtt tests: Debian's mosquitto. The tests start their own instance on a free port.
set -euo pipefail
"$(dirname "$0")/../apt-ensure" /usr/sbin/mosquitto mosquitto
