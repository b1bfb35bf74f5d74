"""Run every benchmark: `python benchmarks/run.py` (arguments are passed to each)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = ["batch.py", "delivery.py", "ingest.py", "regex.py", "scale.py", "soak.py"]


def main() -> int:
    here = Path(__file__).parent
    status = 0
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        status |= subprocess.call([sys.executable, str(here / name), *sys.argv[1:]])
    return status


if __name__ == "__main__":
    sys.exit(main())
