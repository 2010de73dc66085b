"""The tension/trust timeline of a conversation, with the teacher lines that moved it.

Used by the Terugblik screen and the HTML export, so both show the same jumps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.records.transcript import Cause, Transcript

JUMP = 6
"""A change of at least this many points in tension or trust is marked as a jump."""


@dataclass(frozen=True)
class Point:
    turn: int
    tension: int
    trust: int
    heard: int
    teacher_turn: int | None = None
    teacher_text: str = ""
    causes: tuple[Cause, ...] = ()
    d_tension: int = 0
    d_trust: int = 0
    jump: bool = False
    intent: str | None = None


@dataclass
class Timeline:
    points: list[Point] = field(default_factory=list)

    @property
    def jumps(self) -> list[Point]:
        return [p for p in self.points if p.jump]


def timeline(transcript: Transcript) -> Timeline:
    """One point per parent turn that carries a state (engine transcripts); empty for minimal ones."""
    points: list[Point] = []
    prev: tuple[int, int] | None = None
    last_teacher: int | None = None
    for i, turn in enumerate(transcript.turns):
        if turn.speaker == "teacher":
            last_teacher = i
            continue
        if turn.state is None:
            continue
        s = turn.state
        d_t = s.tension - prev[0] if prev else 0
        d_tr = s.trust - prev[1] if prev else 0
        teacher_text = transcript.turns[last_teacher].text if last_teacher is not None else ""
        points.append(
            Point(
                turn=i,
                tension=s.tension,
                trust=s.trust,
                heard=s.heard,
                teacher_turn=last_teacher,
                teacher_text=teacher_text,
                causes=tuple(turn.causes or ()),
                d_tension=d_t,
                d_trust=d_tr,
                jump=prev is not None and (abs(d_t) >= JUMP or abs(d_tr) >= JUMP),
                intent=turn.intent,
            )
        )
        prev = (s.tension, s.trust)
        last_teacher = None
    return Timeline(points)
