"""The transcript: what was said, by whom, and what the engine made of it.

Schema id `oudergesprek.transcript/1`. Only `turns` is required, so trainers can
bring transcripts from elsewhere. Saving is atomic (temp file + rename) and
happens after every turn, so a crash never loses a finished turn.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulator.content.files import parse_json, read_text
from simulator.content.problems import ContentError, Problem, problems_from_validation
from simulator.labels import message
from simulator.limits import MAX_TRANSCRIPT_BYTES, MAX_TURN_CHARS, MAX_TURNS
from simulator.storage import save_atomic

SCHEMA_ID = "oudergesprek.transcript/1"

Outcome = Literal["agreement", "escalation", "ended_by_teacher", "time_up", "stopped", "in_progress"]


def now() -> datetime:
    return datetime.now(UTC)


class Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", populate_by_name=True)


class ActRecord(Model):
    code: str
    evidence: str = ""


class MoveRecord(Model):
    """A teacher move the engine understood (greeting, question, news, ...), with its topic."""

    kind: str
    topic: str | None = None
    score: float = 0.0


class StateSnapshot(Model):
    tension: int
    trust: int
    heard: int
    phase: str = ""
    boundary_active: str | None = None
    concerns: dict[str, str] = {}


class Cause(Model):
    """Why a number moved: the act or signal, the rule, and by how much."""

    source: str
    why: str
    tension: int = 0
    trust: int = 0
    heard: int = 0


class Comment(Model):
    author: str
    text: str
    at: datetime | None = None


class Override(Model):
    """A trainer's disagreement with the engine: a code added/removed, or a score."""

    target: str
    engine: str
    trainer: str
    reason: str
    author: str = ""
    at: datetime | None = None


class Turn(Model):
    speaker: Literal["teacher", "parent"]
    text: str
    timestamp: datetime | None = None
    acts: list[ActRecord] | None = None
    moves: list[MoveRecord] | None = None
    state: StateSnapshot | None = None
    intent: str | None = None
    causes: list[Cause] | None = None
    voice: str | None = None
    fallback_reason: str | None = None
    interrupted: bool | None = None  # the trainee cut the parent off mid-line (Esc or quit)
    hint: str | None = None
    comments: list[Comment] = []
    overrides: list[Override] = []


class SelfRating(Model):
    listening: Annotated[int, Field(ge=1, le=5)]
    boundaries: Annotated[int, Field(ge=1, le=5)]


class Transcript(Model):
    schema_id: Literal["oudergesprek.transcript/1"] = Field(default=SCHEMA_ID, alias="schema")
    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12])
    scenario_id: str | None = None
    persona_id: str | None = None
    voice: str | None = None
    seed: int | None = None
    difficulty: str | None = None
    trainee: str | None = None
    intention: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    turns: list[Turn]
    outcome: Outcome | None = None
    final_state: StateSnapshot | None = None
    hints_used: int = 0
    self_rating: SelfRating | None = None
    rewound_from: str | None = None
    score_overrides: list[Override] = []

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, exclude_none=True, indent=2)

    def pairs(self) -> list[tuple[str, str]]:
        """(speaker, text) pairs: the plain form the feedback engine reads."""
        return [(t.speaker, t.text) for t in self.turns]


def parse_transcript(text: str, source: str = "<transcript>") -> Transcript:
    """Parse JSON text into a Transcript; errors name the source, line and field."""
    data = parse_json(text, source)
    if not isinstance(data, dict):
        raise ContentError([Problem(source, "verwacht een JSON-object met 'turns'", line=1)])
    lines = _json_lines(text, data)
    _check_limits(data, source, lines)
    try:
        return Transcript.model_validate_json(text)
    except ValidationError as err:
        raise ContentError(problems_from_validation(source, err, lines)) from None


def _check_limits(data: dict[str, Any], source: str, lines: dict[tuple[object, ...], int]) -> None:
    """Refuse more turns, or longer turns, than a conversation has (see simulator/limits.py)."""
    turns = data.get("turns")
    if not isinstance(turns, list):
        return
    if len(turns) > MAX_TURNS:
        raise ContentError([Problem(source, message("too_many_turns", count=len(turns), limit=MAX_TURNS), "turns")])
    problems = [
        Problem(
            source,
            message("turn_too_long", chars=len(turn["text"]), limit=MAX_TURN_CHARS),
            f"turns[{i}].text",
            lines.get(("turns", i)),
        )
        for i, turn in enumerate(turns)
        if isinstance(turn, dict) and isinstance(turn.get("text"), str) and len(turn["text"]) > MAX_TURN_CHARS
    ]
    if problems:
        raise ContentError(problems)


def _json_lines(text: str, data: dict[str, Any]) -> dict[tuple[object, ...], int]:
    """Best-effort line numbers for turns[i] in pretty-printed JSON."""
    out: dict[tuple[object, ...], int] = {}
    turns = data.get("turns")
    if not isinstance(turns, list):
        return out
    lines = text.splitlines()
    speaker_lines = [i + 1 for i, line in enumerate(lines) if '"speaker"' in line]
    if len(speaker_lines) == len(turns):
        for i, line_no in enumerate(speaker_lines):
            out[("turns", i)] = line_no
            out[("turns", i, "speaker")] = line_no
    return out


def load_transcript(path: Path) -> Transcript:
    return parse_transcript(read_text(path, MAX_TRANSCRIPT_BYTES), str(path))


def save_transcript(transcript: Transcript, path: Path) -> None:
    save_atomic(path, transcript.to_json())
