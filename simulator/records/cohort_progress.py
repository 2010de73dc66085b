"""One trainee's own progress: attempts per scenario, the sub-skill that improved most, the one to practise next.

The Voortgang screen shows this; it lives here (not in the app) so it is plain data a
test can check without a terminal, computed from the same attempts as the cohort view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.records.cohort import Attempt
from simulator.records.cohort_load import load_cohort
from simulator.records.cohort_words import Skill, words

if TYPE_CHECKING:
    from simulator.content.loader import Library


@dataclass(frozen=True)
class SkillChange:
    """A sub-skill's score in the first and the latest attempt that scored it, and a quote from the latest attempt."""

    skill: Skill
    first: int
    last: int
    quote: str

    @property
    def change(self) -> int:
        return self.last - self.first


@dataclass(frozen=True)
class ScenarioSeries:
    scenario: str
    title: str
    attempts: tuple[Attempt, ...]

    @property
    def listening(self) -> list[int | None]:
        return [a.listening for a in self.attempts]

    @property
    def boundaries(self) -> list[int | None]:
        return [a.boundaries for a in self.attempts]


@dataclass(frozen=True)
class Progress:
    series: tuple[ScenarioSeries, ...]
    improved: SkillChange | None
    practise: SkillChange | None
    skipped: int = 0

    @property
    def attempts(self) -> int:
        return sum(len(s.attempts) for s in self.series)


def _order(a: Attempt) -> tuple[float, str]:
    return (a.started.timestamp() if a.started else 0.0, a.id)


def progress_of(attempts: Sequence[Attempt], skipped: int = 0) -> Progress:
    """Progress over one trainee's attempts (any order); finished or not, every attempt with teacher turns counts."""
    ordered = sorted(attempts, key=_order)
    groups: dict[str, list[Attempt]] = {}
    for a in ordered:
        groups.setdefault(a.scenario, []).append(a)
    series = tuple(ScenarioSeries(sid, items[0].scenario_title, tuple(items)) for sid, items in groups.items())
    if not ordered:
        return Progress(series, None, None, skipped)
    latest = ordered[-1]
    changes: list[SkillChange] = []
    for skill in words().skills:
        scored = [a.subscores[skill.id] for a in ordered if skill.id in a.subscores]
        if scored:
            changes.append(SkillChange(skill, scored[0], scored[-1], latest.quotes.get(skill.id, "")))
    improving = [c for c in changes if c.change > 0]
    improved = max(improving, key=lambda c: c.change, default=None)
    # Practise next: the weakest sub-skill of the latest attempt, not shown there first, then lowest score.
    candidates = [
        SkillChange(c.skill, c.first, latest.subscores[c.skill.id], c.quote)
        for c in changes
        if c.skill.id in latest.subscores and (improved is None or c.skill.id != improved.skill.id)
    ]
    practise = min(candidates, key=lambda c: (bool(latest.shown.get(c.skill.id)), c.last), default=None)
    return Progress(series, improved, practise, skipped)


def own_progress(folder: Path, trainee: str | None, library: Library | None = None) -> Progress:
    """The trainee's attempts in `folder` (their own data dir); without a name, every attempt there."""
    group = load_cohort([folder] if folder.is_dir() else [], library, workers=1)  # called from an app thread
    key = " ".join((trainee or "").casefold().split())
    mine = [a for a in group.attempts if not key or a.student.casefold() == key]
    return progress_of(mine, len(group.skipped))
