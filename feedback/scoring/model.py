"""The report as data: dimensions, sub-scores with quotes, and what did not apply.

`Report.to_dict()` is the JSON the CLI, the app, the export and saved reports read; new
fields are only ever added, so older readers keep working.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Evidence:
    """A short quote of the teacher's words and the index of the turn it came from."""

    turn: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"turn": self.turn, "text": self.text}


@dataclass(frozen=True)
class SubScore:
    """One aspect of a dimension, with its weight, a Dutch explanation and quotes."""

    id: str
    label: str
    score: int
    weight: float
    explanation: str
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "score": self.score,
            "weight": self.weight,
            "explanation": self.explanation,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class NotApplicable:
    """A sub-score whose situation never arose: shown as n.v.t., left out of the mean."""

    id: str
    label: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "reason": self.reason}


@dataclass(frozen=True)
class Dimension:
    """A scored dimension (listening, boundaries, bad news): weighted mean of its sub-scores."""

    id: str
    label: str
    score: int
    subscores: tuple[SubScore, ...]
    summary: str
    no_boundary_moment: bool | None = None
    boundary_turns: tuple[int, ...] | None = None
    not_applicable: tuple[NotApplicable, ...] = ()
    basis: str = ""

    def subscore(self, sid: str) -> SubScore | None:
        return next((s for s in self.subscores if s.id == sid), None)

    def skipped(self, sid: str) -> NotApplicable | None:
        return next((s for s in self.not_applicable if s.id == sid), None)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "label": self.label,
            "score": self.score,
            "subscores": [s.to_dict() for s in self.subscores],
            "summary": self.summary,
            "basis": self.basis,
            "not_applicable": [s.to_dict() for s in self.not_applicable],
        }
        if self.no_boundary_moment is not None:
            out["no_boundary_moment"] = self.no_boundary_moment
        if self.boundary_turns is not None:
            out["boundary_turns"] = list(self.boundary_turns)
        return out


@dataclass(frozen=True)
class TurnActs:
    """The acts recognised in one teacher turn."""

    index: int
    text: str
    codes: tuple[str, ...]
    evidence: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "text": self.text, "codes": list(self.codes), "evidence": dict(self.evidence)}


@dataclass(frozen=True)
class Report:
    """The whole session report; `to_dict()` is the JSON the CLI and UI read."""

    listening: Dimension
    boundaries: Dimension
    bad_news: Dimension | None
    turns: tuple[TurnActs, ...]
    counts: Mapping[str, int]
    scenario_title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario_title": self.scenario_title,
            "listening": self.listening.to_dict(),
            "boundaries": self.boundaries.to_dict(),
            "bad_news": self.bad_news.to_dict() if self.bad_news else None,
            "turns": [t.to_dict() for t in self.turns],
            "counts": dict(self.counts),
        }


@dataclass(frozen=True)
class ScoreContext:
    """What the simulator knows about the session that the words alone do not say."""

    bad_news: bool = False  # scenario conveys bad news (lower advice, referral)
    boundary_turns: tuple[int, ...] | None = None  # parent turns that crossed a line; None = detect
    scenario_title: str | None = None
    # Parent turns that challenged the teacher's position (the engine's intents); None = detect.
    pressure_turns: tuple[int, ...] | None = None
