"""How long the act recogniser takes for one teacher turn (median and p95 over the gold set).

The engine calls `recognise` on every turn while the trainee waits, so this must stay far below
what a person notices. Prints the machine facts first, so numbers from different machines are
not compared blindly.

    python bench/bench_acts.py [FILE.jsonl] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from feedback.acts import recognise  # noqa: E402
from feedback.evaluate import load_items  # noqa: E402

DEFAULT = ROOT / "tests" / "data" / "acts_gold.jsonl"


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    index = max(0, min(len(sorted_values) - 1, round(q * len(sorted_values)) - 1))
    return sorted_values[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=5, help="passes over the file (default 5)")
    args = parser.parse_args()

    items = load_items(args.file)
    print(f"python {platform.python_version()} ({platform.python_implementation()}), {platform.platform()}")
    load = os.getloadavg() if hasattr(os, "getloadavg") else "n/a"
    print(f"os.cpu_count() = {os.cpu_count()}, load average = {load}")
    print(f"file: {args.file} ({len(items)} turns), passes: {args.repeat}")

    start = time.perf_counter()
    recognise("Hoe gaat het?")
    print(f"first call (loads rules and lemma data): {(time.perf_counter() - start) * 1e3:.0f} ms")
    for item in items:  # warm the lemma cache, as a running session would be
        recognise(item.text, item.parent_before, item.history)

    times: list[float] = []
    for _ in range(args.repeat):
        for item in items:
            t = time.perf_counter()
            recognise(item.text, item.parent_before, item.history)
            times.append(time.perf_counter() - t)
    times.sort()
    ms = [t * 1e3 for t in times]
    print(
        f"per turn: median {statistics.median(ms):.3f} ms, p95 {percentile(ms, 0.95):.3f} ms, "
        f"max {ms[-1]:.3f} ms over {len(ms)} calls"
    )
    long_text = ("Ik begrijp dat u boos bent, maar het advies blijft havo. Hoe ziet u dat? " * 140)[:10_000]
    t = time.perf_counter()
    recognise(long_text, long_text)
    print(f"one 10,000-character turn: {(time.perf_counter() - t) * 1e3:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
