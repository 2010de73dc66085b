"""How far a model's lines can be trusted, judged by the guard's recent verdicts on them.

The guard judges one line at a time, and no line-level check is perfect: on a blind set it let
through about one fluent but wrong line in four (tests/data/guard_fresh). How often that reaches the
trainee depends on the model. For a model that writes mostly good Dutch, an accepted line is
almost always fine. For a model that writes almost nothing usable (Gemma 3 270M: 0 of 120 lines
judged fine by hand), *every* accepted line is a miss. The guard's pass rate tells the two apart,
so a model whose recent lines mostly failed the guard does not speak: the curated line does, the
model keeps writing unseen, and it speaks again once its lines pass again. The record is kept per
model in the data dir (`model_trust.json`), so the next conversation starts where this one ended.
"""

from __future__ import annotations

import contextlib
import json
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class TrustSettings:
    window: int
    min_judged: int
    min_pass: float
    reason: str


@lru_cache(maxsize=1)
def settings() -> TrustSettings:
    raw = resources.files("simulator.voices").joinpath("guard_words.yaml").read_text(encoding="utf-8")
    t = yaml.safe_load(raw)["trust"]
    return TrustSettings(int(t["window"]), int(t["min_judged"]), float(t["min_pass"]), str(t["reason"]))


@dataclass
class TrackRecord:
    """The guard's verdicts on one model's latest lines (True: accepted), kept in `path` when it is set."""

    name: str = ""
    path: Path | None = None
    verdicts: deque[bool] = field(default_factory=lambda: deque(maxlen=settings().window))

    def add(self, passed: bool) -> None:
        self.verdicts.append(passed)
        if self.path is not None:
            _save(self.path, self.name, list(self.verdicts))

    @property
    def trusted(self) -> bool:
        """Until `min_judged` lines are judged the model gets the benefit of the doubt.

        The share counts one pass more than seen, so one retry in a good model's first turn (1 of 2)
        does not silence it, while two failures (1 of 3) do.
        """
        s = settings()
        judged = len(self.verdicts)
        return judged < s.min_judged or (sum(self.verdicts) + 1) / (judged + 1) >= s.min_pass

    def reason(self) -> str:
        """The Dutch line the transcript keeps when the model does not speak."""
        return settings().reason.format(passed=sum(self.verdicts), judged=len(self.verdicts))


FILE = "model_trust.json"
_RECORDS: dict[tuple[str, str], TrackRecord] = {}


def record_of(voice: Any) -> TrackRecord:
    """One record per model (the voice's name), kept in the data dir across conversations.

    So a model that failed the guard in an earlier conversation starts this one unheard, instead of
    getting the benefit of the doubt again in every first turn.
    """
    from simulator.settings.paths import data_dir

    path = data_dir() / FILE
    key = (str(path), str(voice.name))
    found = _RECORDS.get(key)
    if found is None:
        found = TrackRecord(name=key[1], path=path)
        found.verdicts.extend(_load(path).get(key[1], []))
        _RECORDS[key] = found
    return found


def forget(voice: Any) -> None:
    """Start the model's record afresh (a measurement of first conversations uses this)."""
    record = record_of(voice)
    record.verdicts.clear()
    if record.path is not None:
        _save(record.path, record.name, [])


def _load(path: Path) -> dict[str, list[bool]]:
    """The stored records; an unreadable or hand-edited file counts as no record (it is rewritten on the next save)."""
    try:
        if path.stat().st_size > 1_000_000:
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # RecursionError: a file of "[[[[…"
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(k): [bool(x) for x in v[-settings().window :]]
        for k, v in data.items()
        if isinstance(v, list) and all(isinstance(x, bool) for x in v)
    }


def _save(path: Path, name: str, verdicts: list[bool]) -> None:
    """Write this model's verdicts beside the others'; a data dir that cannot be written keeps them in memory only."""
    from simulator.storage import save_atomic

    data = _load(path)
    data[name] = verdicts
    with contextlib.suppress(OSError, ValueError):  # ValueError: a name that cannot be written as UTF-8
        save_atomic(path, json.dumps(data, ensure_ascii=False, indent=1))
