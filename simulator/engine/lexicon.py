"""Words and lemmas for matching a teacher's turn to topics, concerns and case facts."""

from __future__ import annotations

import re

from feedback.acts import lemma  # the recogniser's cached lemmatiser: one cache for both

_WORD = re.compile(r"[a-zà-ÿ0-9]+(?:[-'][a-zà-ÿ0-9]+)*", re.IGNORECASE)
_SENTENCE = re.compile(r"[.!?]+\s+|[.!?]+$")


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def lemmas(text: str) -> set[str]:
    """Lemmas plus surface forms, so keywords match whichever form a writer chose."""
    out: set[str] = set()
    for w in words(text):
        out.add(w)
        out.add(lemma(w))
    return out


def keyword_hits(text_lemmas: set[str] | frozenset[str], keywords: list[str]) -> int:
    """How many keywords occur, by word or lemma; a multiword keyword needs all its words.

    No substring matching: "middag" must not match "goedemiddag", nor "stemming" "toestemming".
    """
    hits = 0
    for kw in keywords:
        parts = kw.lower().split()
        if all(p in text_lemmas or lemma(p) in text_lemmas for p in parts):
            hits += 1
    return hits


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text) if s and s.strip()]
