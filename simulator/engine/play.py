"""Non-interactive play: a whole conversation from a list of teacher lines (`oudergesprek play`, tests)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from simulator.records.transcript import Transcript

if TYPE_CHECKING:
    from simulator.engine.session import Session


def play_script(
    session: Session,
    teacher_lines: list[str],
    on_turn: Callable[[str, str], None] | None = None,
) -> Transcript:
    """Run a whole conversation from a list of teacher lines (non-interactive play)."""
    opening = session.say(session.open())
    if on_turn:
        on_turn("parent", opening)
    for line in teacher_lines:
        if session.ended:
            break
        if not line.strip():
            continue
        if on_turn:
            on_turn("teacher", line.strip())
        plan = session.teacher_says(line)
        if plan is None:
            break
        reply = session.say(plan)
        if on_turn:
            on_turn("parent", reply)
    if not session.ended:
        session.end(by_teacher=False)
    return session.transcript
