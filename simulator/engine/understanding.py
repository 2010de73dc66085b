"""One teacher turn, understood once: the reading (acts), the moves, and how often it was said before.

The move classifier (`simulator.engine.moves`) may be absent in a partial checkout or
fail on odd input; the engine then guesses the moves from the acts alone, so a
conversation never stops for it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from feedback.codes import QUESTION_CODES, REFLECTION_CODES
from feedback.reading import Reading, read_turn
from simulator.content.schemas import Persona, Scenario
from simulator.engine.lexicon import words
from simulator.engine.rules import engine_rules
from simulator.engine.signals import TurnReading

MIN_REPEAT_WORDS = 4
"""Shorter lines ("Ja.", "Oké.") are ordinary backchannel, not a formula."""


@dataclass(frozen=True)
class GuessedMove:
    """A move guessed from the acts alone (no move classifier available)."""

    kind: str
    topic: str | None = None
    score: float = 0.5
    evidence: str = ""

    def as_record(self) -> dict[str, Any]:
        return {"kind": self.kind, "topic": self.topic, "score": self.score}


def read(text: str, history: Sequence[tuple[str, str]]) -> Reading:
    parent_before = next((t for s, t in reversed(history) if s == "parent"), None)
    return read_turn(text, parent_before, history)


def guess_moves(turn: TurnReading) -> list[GuessedMove]:
    codes = set(turn.codes)
    out: list[GuessedMove] = []
    if turn.tells_news:
        out.append(GuessedMove("news"))
    if codes & {"you_message", "counter_attack"}:
        out.append(GuessedMove("attack"))
    if turn.next_step:
        out.append(GuessedMove("proposal", f"next_step:{turn.next_step}"))
    if codes & {"name_limit", "i_message", "consequence"}:
        out.append(GuessedMove("limit"))
    if codes & REFLECTION_CODES:
        out.append(GuessedMove("check" if "summary" in codes else "reflection"))
    if codes & QUESTION_CODES or turn.is_question:
        out.append(GuessedMove("question"))
    return out or [GuessedMove("information")]


def moves_for(
    reading: Reading, turn: TurnReading, scenario: Scenario, persona: Persona, history: Sequence[Any]
) -> list[Any]:
    """The teacher's moves, main move first; guessed from the acts if the classifier is unavailable."""
    try:
        from simulator.engine.moves import understand
    except ImportError:
        return guess_moves(turn)
    try:
        found = list(understand(reading, scenario, persona, list(history)))
    except Exception:  # a classifier bug must not end a trainee's conversation
        return guess_moves(turn)
    return found or guess_moves(turn)


def warm_up(scenario: Scenario, persona: Persona) -> threading.Thread | None:
    """Embed this pair's content in a background thread, so the first teacher turn does not wait (the app)."""
    try:
        from simulator.engine.moves import warm_up as embed_content
    except ImportError:
        return None
    thread = threading.Thread(target=embed_content, args=(scenario, persona), name="warm-up", daemon=True)
    thread.start()
    return thread


def to_child(text: str, scenario: Scenario) -> bool:
    """Does the teacher speak to the child ("Milan, vind je het leuk?") in a conversation the child attends?"""
    if not scenario.with_child:
        return False
    name = scenario.dossier.child.name.lower()
    said = words(text)
    return bool(said) and (said[0] == name or (said[-1] == name and text.rstrip().endswith("?")))


def move_record(move: Any) -> dict[str, Any]:
    if hasattr(move, "as_record"):
        return dict(move.as_record())
    return {"kind": move.kind, "topic": move.topic, "score": float(move.score)}


def _similar(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def repeats(text: str, earlier: Sequence[str]) -> int:
    """How often the teacher said this line, or one very like it, before."""
    own = set(words(text))
    if len(own) < MIN_REPEAT_WORDS:
        return 0
    limit = engine_rules().formula.similarity
    return sum(1 for line in earlier if _similar(own, set(words(line))) >= limit)
