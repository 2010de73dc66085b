"""A cohort: many students' attempts, and what a trainer wants to know about them.

A trainer with 25 students, each practising several scenarios a few times, needs to
see who is stuck, which sub-skill the group misses and who improves. This module holds
the `Attempt` (one scored transcript; see `cohort_load` for reading files) and the
aggregates the CLI, the HTML page and the Voortgang screen show; `anonymised_copy()`
swaps every name for a stable pseudonym before anything is rendered.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from simulator.records.cohort_files import Skipped
from simulator.records.cohort_words import words

DEFAULT_SALT = "oudergesprek-cohort-v1"
"""Fixed, so the same name always gets the same pseudonym; pass your own salt to make guessing names harder."""
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”")
_NAME_STOPWORDS = frozenset({"van", "der", "den", "het", "ter", "ten", "de", "la", "le", "von", "el"})


@dataclass(frozen=True)
class Attempt:
    """One scored practice conversation of one student."""

    id: str
    student: str
    scenario: str
    scenario_title: str
    persona: str
    started: datetime | None
    listening: int | None
    """0-100; None where the report has no sub-score for it (nothing to judge in this conversation)."""
    boundaries: int | None
    self_listening: int | None
    self_boundaries: int | None
    outcome: str
    teacher_turns: int
    shown: Mapping[str, bool]
    """Sub-skill id -> shown at least once in this attempt."""
    subscores: Mapping[str, int]
    """Sub-skill id -> its sub-score (0-100) where the report has one."""
    quotes: Mapping[str, str]
    """Sub-skill id -> the teacher's own words that show (or concern) it."""
    source: str = ""

    @property
    def date(self) -> str:
        return self.started.strftime("%Y-%m-%d") if self.started else ""


@dataclass(frozen=True)
class StudentSummary:
    name: str
    attempts: tuple[Attempt, ...]

    @property
    def first(self) -> Attempt:
        return self.attempts[0]

    @property
    def last(self) -> Attempt:
        return self.attempts[-1]

    def scores(self, dimension: str) -> list[int]:
        """The scores on 'listening' or 'boundaries', oldest first, where there is one."""
        return [v for a in self.attempts if (v := getattr(a, dimension)) is not None]

    def trend(self, dimension: str) -> int | None:
        """Latest minus first score (0 after one scored attempt); None if never scored."""
        values = self.scores(dimension)
        return values[-1] - values[0] if values else None

    @property
    def trend_listening(self) -> int | None:
        return self.trend("listening")

    @property
    def trend_boundaries(self) -> int | None:
        return self.trend("boundaries")

    @property
    def last_rated(self) -> Attempt | None:
        """The latest attempt with a self-rating, to set against its feedback."""
        return next((a for a in reversed(self.attempts) if a.self_listening is not None), None)


@dataclass(frozen=True)
class ScenarioStats:
    scenario: str
    title: str
    count: int
    listening: tuple[int, ...]
    boundaries: tuple[int, ...]

    @staticmethod
    def median(values: tuple[int, ...]) -> float:
        return float(statistics.median(values)) if values else 0.0


@dataclass(frozen=True)
class SkillStats:
    id: str
    label: str
    never: str
    shown: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.shown / self.total) if self.total else 0

    @property
    def percent_never(self) -> int:
        return 100 - self.percent if self.total else 0


@dataclass
class Cohort:
    attempts: list[Attempt]
    skipped: list[Skipped] = field(default_factory=list)
    duplicates: int = 0
    anonymised: bool = False

    def students(self) -> list[StudentSummary]:
        """Students by name, each with attempts oldest first."""
        groups: dict[str, list[Attempt]] = {}
        for a in self.attempts:  # 'anna de boer' and 'Anna de Boer' are one student
            groups.setdefault(a.student.casefold(), []).append(a)
        out = []
        for _key, items in sorted(groups.items()):
            ordered = tuple(sorted(items, key=_attempt_order))
            out.append(StudentSummary(ordered[-1].student, ordered))
        return out

    def scenarios(self) -> list[ScenarioStats]:
        groups: dict[str, list[Attempt]] = {}
        for a in self.attempts:
            groups.setdefault(a.scenario, []).append(a)
        return [
            ScenarioStats(
                sid,
                items[0].scenario_title,
                len(items),
                tuple(a.listening for a in items if a.listening is not None),
                tuple(a.boundaries for a in items if a.boundaries is not None),
            )
            for sid, items in sorted(groups.items())
        ]

    def skills(self) -> list[SkillStats]:
        """Per sub-skill, how many students showed it in at least one attempt."""
        students = self.students()
        out = []
        for skill in words().skills:
            shown = sum(1 for s in students if any(a.shown.get(skill.id) for a in s.attempts))
            out.append(SkillStats(skill.id, skill.label, skill.never, shown, len(students)))
        return out

    def anonymised_copy(self, salt: str = DEFAULT_SALT) -> Cohort:
        """The same cohort with every student name (in names, quotes and file names) replaced by a pseudonym."""
        names = {a.student for a in self.attempts}
        scrub = _name_scrubber(names, salt)
        attempts = [
            replace(
                a,
                student=pseudonym(a.student, salt),
                quotes={k: scrub(v) for k, v in a.quotes.items()},
                source=file_pseudonym(a.source, salt),
            )
            for a in self.attempts
        ]
        # A reason can quote the file's own text (a value it could not read): drop every quoted part.
        skipped = [Skipped(file_pseudonym(s.name, salt), scrub(_QUOTED.sub("'…'", s.reason))) for s in self.skipped]
        return Cohort(attempts, skipped, self.duplicates, anonymised=True)


def _attempt_order(a: Attempt) -> tuple[float, str]:
    return (a.started.timestamp() if a.started else 0.0, a.id)


# --- pseudonyms -------------------------------------------------------------------------------


def _digest(text: str, salt: str) -> str:
    return hmac.new(salt.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonym(name: str, salt: str = DEFAULT_SALT) -> str:
    """A stable pseudonym: the same name (any case or spacing) always gets the same code."""
    key = " ".join(name.casefold().split())
    return words().text.pseudonym.format(code=_digest(key, salt)[:6].upper())


def file_pseudonym(name: str, salt: str = DEFAULT_SALT) -> str:
    """A file name can hold a student's name: show only a code (and the extension) instead."""
    if not name:
        return ""
    suffix = Path(name.rsplit(":", 1)[-1]).suffix
    return words().text.file_pseudonym.format(code=_digest(name, salt)[:8]) + suffix


def _name_scrubber(names: Iterable[str], salt: str) -> Any:
    """Replace each full name, and each of its longer parts, in free text with that student's pseudonym."""
    parts: dict[str, str] = {}
    for name in names:
        alias = pseudonym(name, salt)
        parts[name] = alias
        for token in re.findall(r"[^\W\d_]+", name):
            if len(token) >= 3 and token.casefold() not in _NAME_STOPWORDS:
                parts.setdefault(token, alias)
    if not parts:
        return lambda text: text
    ordered = sorted(parts, key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in ordered) + r")\b", re.IGNORECASE)
    lookup = {p.casefold(): a for p, a in parts.items()}
    return lambda text: pattern.sub(lambda m: lookup.get(m.group(0).casefold(), "?"), text)
