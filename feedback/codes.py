"""The shared vocabulary of conversation acts.

Transcripts, reports, the engine's effect tables and the tests all use these
codes, so they live in one place that imports nothing.
"""

from __future__ import annotations

LISTENING_CODES: tuple[str, ...] = (
    "open_question",
    "closed_question",
    "why_question",
    "leading_question",
    "paraphrase",
    "feeling_reflection",
    "summary",
    "affirmation",
    "premature_advice",
    "dismissing",
    "jargon",
    "defending",
)

BOUNDARY_CODES: tuple[str, ...] = (
    "i_message",
    "you_message",
    "name_limit",
    "consequence",
    "holds_position",
    "caving",
    "counter_attack",
    "structuring",
)

ALL_CODES: tuple[str, ...] = LISTENING_CODES + BOUNDARY_CODES

QUESTION_CODES: frozenset[str] = frozenset(
    {"open_question", "closed_question", "why_question", "leading_question"}
)
REFLECTION_CODES: frozenset[str] = frozenset({"paraphrase", "feeling_reflection", "summary"})
ROADBLOCK_CODES: frozenset[str] = frozenset(
    {"why_question", "leading_question", "premature_advice", "dismissing", "defending"}
)
