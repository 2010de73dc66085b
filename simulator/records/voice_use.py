"""Which voice spoke each parent turn, so a trainer can judge a language model.

A model voice whose line the guard rejected falls back to a curated line: the turn then
records the scripted voice and a reason. The app marks such turns subtly and the Terugblik
shows how often it happened.
"""

from __future__ import annotations

from simulator.records.transcript import Transcript, Turn

SCRIPTED = "scripted"
RANKING_PREFIX = "rank:"
"""A ranking voice (`--voice local-rank`) is named `rank:<model>`: the model chose a curated line."""
# Transcripts written before interruption had its own flag stored this Dutch reason instead.
_LEGACY_INTERRUPTED = "afgebroken door de leerkracht"


def interrupted(turn: Turn) -> bool:
    """The trainee cut the parent off (Esc or quit) mid-line."""
    return bool(turn.interrupted) or turn.fallback_reason == _LEGACY_INTERRUPTED


def fell_back(transcript: Transcript, turn: Turn) -> bool:
    """A model was asked to word this parent turn, and a curated line spoke instead."""
    model_voice = (transcript.voice or SCRIPTED) != SCRIPTED
    return (
        model_voice
        and turn.speaker == "parent"
        and turn.voice == SCRIPTED
        and turn.fallback_reason is not None
        and not interrupted(turn)
    )


def fallback_rate(transcript: Transcript) -> tuple[int, int] | None:
    """(fallbacks, parent turns) for a conversation with a model voice; None for the scripted voice."""
    if (transcript.voice or SCRIPTED) == SCRIPTED:
        return None
    parent = [t for t in transcript.turns if t.speaker == "parent" and not interrupted(t)]
    return sum(1 for t in parent if fell_back(transcript, t)), len(parent)


def model_chose_lines(transcript: Transcript) -> bool:
    """The model only chose among curated lines (`--voice local-rank`); it wrote none itself."""
    return (transcript.voice or "").startswith(RANKING_PREFIX)
