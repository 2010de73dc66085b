"""Short builders for conversations in the score and hint tests."""

from __future__ import annotations

from feedback.acts import Act

Turns = list[tuple[str, str]]


def T(text: str) -> tuple[str, str]:
    return ("teacher", text)


def P(text: str) -> tuple[str, str]:
    return ("parent", text)


def A(*codes: str) -> list[Act]:
    return [Act(c, "") for c in codes]
