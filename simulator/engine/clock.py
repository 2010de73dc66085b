"""Conversation time: simulated from word counts (non-interactive play) or real (the app)."""

from __future__ import annotations

import time

from simulator.engine.rules import engine_rules


class SimulatedClock:
    """Conversation time from word counts, so non-interactive play is deterministic."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def add_words(self, n: int) -> None:
        self.seconds += n * 60.0 / engine_rules().turn.words_per_minute

    def elapsed(self) -> float:
        return self.seconds


class WallClock:
    """Real time since the conversation started (the app)."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def add_words(self, n: int) -> None:
        pass

    def elapsed(self) -> float:
        return time.monotonic() - self.start
