"""Rebuild a session from a saved transcript: resume after quitting, or rewind to an earlier turn."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from simulator.content.schemas import Persona, Scenario
from simulator.engine.clock import SimulatedClock, WallClock
from simulator.records.transcript import Transcript
from simulator.records.voice_use import interrupted
from simulator.voices.base import Voice

if TYPE_CHECKING:
    from simulator.engine.session import ParentPlan, Session


def replay(
    cls: type[Session],
    transcript: Transcript,
    scenario: Scenario,
    persona: Persona,
    *,
    voice: Voice | None = None,
    upto: int | None = None,
    save_dir: Path | None = None,
    path: Path | None = None,
    clock: SimulatedClock | WallClock | None = None,
) -> Session:
    """Replay the teacher turns with the same engine and seed; keep the parent's words as they were."""
    session = cls(
        scenario,
        persona,
        voice=voice,
        seed=transcript.seed or 0,
        difficulty=transcript.difficulty or "normaal",
        trainee=transcript.trainee,
        intention=transcript.intention,
        save_dir=save_dir,
        clock=clock,
    )
    if path is not None:
        session.path = path
    saving, session.path = session.path, None  # no writes while replaying
    pending: ParentPlan | None = None
    for turn in transcript.turns[:upto]:
        if turn.speaker == "teacher":
            pending = session.teacher_says(turn.text, hint=turn.hint)
            session.transcript.turns[-1].comments = list(turn.comments)
            continue
        if pending is None and not session.transcript.turns:
            pending = session.open()
        if pending is not None:
            voice = turn.voice or session.voice.name
            session.commit(pending, turn.text, voice, turn.fallback_reason, interrupted(turn))
            session.transcript.turns[-1].comments = list(turn.comments)
        pending = None
    session.pending = pending
    session.transcript.hints_used = sum(1 for t in session.transcript.turns if t.hint)
    if upto is None:
        session.transcript.id = transcript.id
        session.transcript.started_at = transcript.started_at
    else:
        session.transcript.rewound_from = transcript.id
    session.path = saving
    session._save()
    return session
