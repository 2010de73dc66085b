"""The voice protocol: a request in, text pieces out, cancellable at any piece.

The engine decides *what* the parent means (intent, state); a voice decides the
words. Every voice streams, so the UI can show text as it comes and Escape can
stop it. The scripted line for the same intent travels in the request, so any
voice can fall back to it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # plain data at run time: importing the voice protocol stays cheap for the CLI
    from simulator.content.schemas import Persona, Scenario

Progress = Callable[[str, float], None]
"""A loading voice reports (Dutch stage label, fraction 0..1) to the UI through this."""


class VoiceError(RuntimeError):
    """A voice cannot be made or cannot speak; the message is Dutch and meant for the trainee."""


@dataclass(frozen=True)
class VoiceRequest:
    """Everything a voice may use for one parent turn. Plain data, no engine objects."""

    persona: Persona
    scenario: Scenario
    intent: str
    band: str
    tension: int
    trust: int
    heard: int
    teacher_text: str
    history: tuple[tuple[str, str], ...]
    scripted_line: str
    style_examples: tuple[str, ...] = ()
    boundary_kind: str | None = None
    answer_topic: str | None = None
    concern_id: str | None = None
    next_step_id: str | None = None
    slots: Mapping[str, str] = field(default_factory=dict)
    seed: int = 0
    candidates: tuple[str, ...] = ()
    """Every curated line that could word this turn (scripted_line among them), for a voice that ranks."""


@runtime_checkable
class Voice(Protocol):
    """A source of parent words. `stream` yields pieces and stops soon after `cancel` is set."""

    name: str

    def stream(self, request: VoiceRequest, cancel: threading.Event) -> Iterator[str]: ...


@dataclass(frozen=True)
class Piece:
    """One event from `speak`: text to append, or a reset (the guard rejected what was shown).

    The last event has `final=True` and says which voice produced the line and why
    a fallback happened, if it did.
    """

    text: str = ""
    reset: bool = False
    final: bool = False
    voice: str | None = None
    fallback_reason: str | None = None
    cancelled: bool = False
