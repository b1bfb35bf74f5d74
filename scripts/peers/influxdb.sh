#!/usr/bin/env bash
# InfluxDB 1.x for the TICKscript end-to-end test: Debian's influxdb. The test starts its own influxd on free
# ports with a subscription that pushes every write to Tocsin's /write.
set -euo pipefail
"$(dirname "$0")/../apt-ensure" /usr/bin/influxd influxdb
