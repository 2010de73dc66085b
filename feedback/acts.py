"""Act recognition (placeholder: the real recogniser replaces the body of `recognise`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Act:
    """One recognised conversation act and the words that triggered it."""

    code: str
    evidence: str
    start: int = -1
    end: int = -1


def recognise(
    text: str, parent_before: str | None = None, history: Sequence[tuple[str, str]] = ()
) -> list[Act]:
    """The acts in one teacher turn. `history` holds the (speaker, text) turns before it."""
    return []
