"""Regex matching for `=~` in match expressions and lambdas: RE2 (what Tocsin uses) against Python's `re`.

Three figures, each the median of several rounds in this one process (pin it: `taskset -c 1 python ...`):

  (a) the pathological `(a+)+$` over a 100 kB tag value that does not match: RE2's time (the limit is 50 ms;
      `re` is measured on growing inputs only, since 100 kB would take longer than the universe);
  (b) `re` on the same pattern at 16..24 characters: the exponential growth RE2 removes;
  (c) an everyday `"host" =~ /^web[0-9]+\\.example\\.com$/` per match on a repeated tag value (answers are
      remembered per text), and (d) on a new value each time: RE2 against `re`, as ratios.

    python benchmarks/regex.py [--rounds 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time

from tocsin.expr.regex import compile_go_regex

LIMIT_MS = 50.0


def _median_ms(fn: object, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    evil = compile_go_regex("(a+)+$")
    value = "a" * 100_000 + "b"
    pathological_ms = _median_ms(lambda: evil.matches(value), args.rounds)

    backtracking = re.compile("(a+)+$")
    growth = {n: _median_ms(lambda n=n: backtracking.search("a" * n + "b"), 3) for n in (16, 18, 20, 22)}

    text, count = "web042.example.com", 200_000
    distinct = [f"web{i}.example.com" for i in range(count)]
    go = compile_go_regex(r"^web[0-9]+\.example\.com$")
    py = re.compile(r"^web[0-9]+\.example\.com$")
    re2_us = _median_ms(lambda: [go.matches(text) for _ in range(count)], args.rounds) * 1000 / count
    re_us = _median_ms(lambda: [py.search(text) is not None for _ in range(count)], args.rounds) * 1000 / count
    fresh_us = _median_ms(lambda: [go.matches(t) for t in distinct], args.rounds) * 1000 / count
    re_fresh_us = _median_ms(lambda: [py.search(t) is not None for t in distinct], args.rounds) * 1000 / count

    result = {
        "pathological_100kB_ms": round(pathological_ms, 3),
        "limit_ms": LIMIT_MS,
        "re_backtracking_ms": {str(n): round(ms, 2) for n, ms in growth.items()},
        "everyday_match_us": {"re2": round(re2_us, 3), "re": round(re_us, 3), "ratio": round(re2_us / re_us, 2)},
        "distinct_texts_us": {
            "re2": round(fresh_us, 3),
            "re": round(re_fresh_us, 3),
            "ratio": round(fresh_us / re_fresh_us, 2),
        },
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"(a) RE2 (a+)+$ over 100 kB: {pathological_ms:.3f} ms (limit {LIMIT_MS:g} ms)")
        print("(b) re  (a+)+$ backtracking: " + ", ".join(f"{n} chars {ms:.1f} ms" for n, ms in growth.items()))
        print(
            f"(c) everyday =~, a repeated tag value: RE2 {re2_us:.3f} µs, re {re_us:.3f} µs, ratio {re2_us / re_us:.2f}"
        )
        print(
            f"(d) everyday =~, every value new: RE2 {fresh_us:.3f} µs, re {re_fresh_us:.3f} µs, "
            f"ratio {fresh_us / re_fresh_us:.2f}"
        )
    return 0 if pathological_ms < LIMIT_MS else 1


if __name__ == "__main__":
    sys.exit(main())
