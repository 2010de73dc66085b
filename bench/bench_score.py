"""Benchmark: time to score a 40-turn transcript, and 1,000 of them.

Targets (issues 3, 11, 15): < 20 ms median per 40-turn transcript; < 10 s for 1,000 on
2 cores; < 2 s for one 2,000-turn minimal transcript (text only, every act recognised).
The first figure and the batch include act recognition (feedback.acts.recognise); the
line "acts recognised" shows whether a real recogniser was in place. The figures
with acts given time the scoring rules alone (hand-coded acts: tests/data/transcripts/acts/).

    python bench/bench_score.py [--repeat 200] [--count 1000] [--workers N] [--long 2000]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import statistics
import sys
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from feedback.acts import Act, recognise  # noqa: E402
from feedback.scoring import ScoreContext, score, scoring_config  # noqa: E402
from feedback.scoring.conversation import HISTORY_WINDOW  # noqa: E402

SOURCES = ROOT / "tests" / "data" / "transcripts"
TURNS = 40


def _pool() -> list[tuple[str, str, list[Act] | None]]:
    """All test-conversation turns in a row, with their hand-coded acts."""
    pool: list[tuple[str, str, list[Act] | None]] = []
    for path in sorted(SOURCES.glob("*.json")):
        coded = json.loads((SOURCES / "acts" / path.name).read_text(encoding="utf-8"))["acts"]
        for i, t in enumerate(json.loads(path.read_text(encoding="utf-8"))["turns"]):
            acts = [Act(c, e) for c, e in coded.get(str(i), [])] if t["speaker"] == "teacher" else None
            pool.append((t["speaker"], t["text"], acts))
    return pool


def transcripts(count: int) -> list[list[tuple[str, str, list[Act] | None]]]:
    """`count` transcripts of exactly 40 turns, stitched from the test conversations in rotation."""
    pool = _pool()
    out = []
    for n in range(count):
        start = (n * 7) % len(pool)
        out.append((pool[start:] + pool[:start])[:TURNS])
    return out


def precompute(turns: list[tuple[str, str]]) -> list[list | None]:
    acts: list[list | None] = []
    for i, (speaker, text) in enumerate(turns):
        if speaker != "teacher":
            acts.append(None)
            continue
        history = tuple(turns[max(0, i - HISTORY_WINDOW) : i])  # what the scorer gives the recogniser
        before = next((t for s, t in reversed(history) if s == "parent"), None)
        acts.append(recognise(text, before, history))
    return acts


def _score_one(turns: list[tuple[str, str]]) -> int:
    return score(turns, ScoreContext(bad_news=True)).listening.score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="timed runs of one 40-turn transcript")
    parser.add_argument("--count", type=int, default=1000, help="transcripts in the batch run")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--long", type=int, default=2000, help="turns in the long minimal transcript")
    args = parser.parse_args()

    scoring_config()  # load the data file once, before timing and before forking workers
    stitched = transcripts(1)[0]
    one = [(s, t) for s, t, _ in stitched]
    hand_coded = [a for _, _, a in stitched]
    acts = precompute(one)
    print(f"machine: {platform.platform()}, python {platform.python_version()}, cpu count {os.cpu_count()}")
    print(f"transcript: {len(one)} turns, {sum(1 for s, _ in one if s == 'teacher')} teacher turns")
    print(f"acts recognised: {sum(len(a) for a in acts if a)}")

    score(one, ScoreContext(bad_news=True))  # warm-up
    full, scoring_only, coded = [], [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        score(one, ScoreContext(bad_news=True))
        full.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        score(one, ScoreContext(bad_news=True), acts=acts)
        scoring_only.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        score(one, ScoreContext(bad_news=True), acts=hand_coded)
        coded.append(time.perf_counter() - t0)
    med, p95 = statistics.median(full) * 1000, sorted(full)[int(0.95 * len(full)) - 1] * 1000
    print(f"one transcript, recognise + score: median {med:.2f} ms, p95 {p95:.2f} ms (target < 20 ms)")
    print(f"one transcript, score with recognised acts given: median {statistics.median(scoring_only) * 1000:.2f} ms")
    print(f"one transcript, score with hand-coded acts given: median {statistics.median(coded) * 1000:.2f} ms")

    batch = [[(s, t) for s, t, _ in turns] for turns in transcripts(args.count)]
    t0 = time.perf_counter()
    with Pool(args.workers) as pool:
        pool.map(_score_one, batch, chunksize=max(1, args.count // (args.workers * 8)))
    elapsed = time.perf_counter() - t0
    print(f"{args.count} transcripts, {args.workers} workers: {elapsed:.2f} s (target < 10 s on 2 cores)")

    # A long minimal transcript: text only. Each turn gets its own number so no turn is a
    # word-for-word repeat (which a cache, or the scorer's repeat rule, would make cheap).
    pool = _pool()
    long = [(s, f"{t} ({n})") for n, (s, t, _) in enumerate(itertools.islice(itertools.cycle(pool), args.long))]
    t0 = time.perf_counter()
    report = score(long, ScoreContext(bad_news=True))
    elapsed = time.perf_counter() - t0
    print(f"one {args.long}-turn minimal transcript: {elapsed:.2f} s (target < 2 s), score {report.listening.score}")


if __name__ == "__main__":
    main()
