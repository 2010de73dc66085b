"""Time one scripted parent turn, including act recognition, over every persona x scenario.

Run: .venv/bin/python bench/bench_engine.py
"""

from __future__ import annotations

import os
import platform
import statistics
import time

from simulator.content.loader import load_library
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


def main() -> None:
    cpu = platform.processor() or platform.machine()
    print(f"machine: {os.cpu_count()} cores, {cpu}, python {platform.python_version()}")
    lib = load_library()
    start = time.perf_counter()
    warm = Session(next(iter(lib.scenarios.values())), next(iter(lib.personas.values())))
    warm.say(warm.open())
    warm.say(warm.teacher_says(TEACHER_LINES[0]))  # type: ignore[arg-type]
    print(f"first turn (loads rules, lemma data): {(time.perf_counter() - start) * 1000:.0f} ms")
    times: list[float] = []
    for scenario in lib.scenarios.values():
        for persona in lib.personas.values():
            for seed in range(5):
                session = Session(scenario, persona, seed=seed)
                session.say(session.open())
                for line in TEACHER_LINES:
                    start = time.perf_counter()
                    plan = session.teacher_says(line)
                    if plan is None:
                        break
                    session.say(plan)
                    times.append(time.perf_counter() - start)
                    if session.ended:
                        break
    times.sort()
    print(f"scripted parent turn incl. act recognition: n={len(times)}")
    print(
        f"  median {statistics.median(times) * 1000:.2f} ms, p95 {times[int(len(times) * 0.95)] * 1000:.2f} ms, "
        f"max {times[-1] * 1000:.2f} ms (target < 20 ms)"
    )


if __name__ == "__main__":
    main()
