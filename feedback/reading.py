"""One reading of a teacher turn: its words, sentences, lemmas and recognised acts, computed once.

The engine (how the parent understands the turn), the scores and the hints all need the same
facts about a turn. Reading it once here keeps them in agreement and saves re-tokenising the
same text three times per turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from feedback.acts import Act, recognise
from feedback.text import fold, lemma, sentences, words

if TYPE_CHECKING:  # the embedder package is optional at run time; only its type is needed here
    from feedback.embed import Embedder


@dataclass(frozen=True)
class Reading:
    """What one teacher turn says, in the shapes the engine and the feedback use."""

    text: str  # the teacher's text, as typed
    norm: str  # folded/normalised text used by the rules (same length as `text`)
    sentences: tuple[str, ...]
    tokens: tuple[str, ...]  # lowercased, accent-folded word tokens
    lemmas: tuple[str, ...]  # simplemma lemma per token
    acts: tuple[Act, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        """The act codes, in `ALL_CODES` order."""
        return tuple(a.code for a in self.acts)


def read_turn(
    text: str,
    parent_before: str | None = None,
    history: Sequence[tuple[str, str]] = (),
    embedder: Embedder | None = None,
) -> Reading:
    """Read one teacher turn. `history` holds the (speaker, text) turns before it, oldest first.

    With an embedder whose `semantic` is true, the paraphrase check also compares meaning;
    without one it uses lemma overlap only.
    """
    if not isinstance(text, str):
        text = ""
    if embedder is None or not getattr(embedder, "semantic", False):
        hist = tuple((str(s), str(t)) for s, t in _pairs(history))
        return _read_cached(text, parent_before if isinstance(parent_before, str) else None, hist)
    return _read(text, parent_before, history, embedder)


def _pairs(history: Sequence[tuple[str, str]]) -> list[tuple[object, object]]:
    out: list[tuple[object, object]] = []
    for item in history or ():
        if isinstance(item, Sequence) and not isinstance(item, str | bytes) and len(item) >= 2:
            out.append((item[0], item[1]))
        elif isinstance(item, dict):
            out.append((item.get("speaker", ""), item.get("text", "")))
    return out


@lru_cache(maxsize=512)
def _read_cached(text: str, parent_before: str | None, history: tuple[tuple[str, str], ...]) -> Reading:
    """The engine, the scores and the hints read the same turn; the first one pays."""
    return _read(text, parent_before, history, None)


def _read(
    text: str, parent_before: str | None, history: Sequence[tuple[str, str]], embedder: Embedder | None
) -> Reading:
    tokens = tuple(words(text))
    return Reading(
        text=text,
        norm=fold(text),
        sentences=tuple(sentences(text)),
        tokens=tokens,
        lemmas=tuple(lemma(t) for t in tokens),
        acts=tuple(recognise(text, parent_before, history, embedder=embedder)),
    )
