"""The keyword-only fallback: a hashed bag of folded words, `semantic=False`.

Callers that see `semantic=False` use keyword/lemma matching instead; the vectors still make
`cosine` meaningful (word overlap), so code that does not check the flag keeps working.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from collections.abc import Sequence

DIM = 256
_WORD = re.compile(r"\w+", re.UNICODE)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def bag_vector(text: str, dim: int = DIM) -> list[float]:
    """L2-normalised counts of hashed words; the zero vector for a text without words."""
    vec = [0.0] * dim
    for word in _WORD.findall(_fold(text)):
        vec[zlib.crc32(word.encode()) % dim] += 1.0
    norm = math.sqrt(sum(v * v for v in vec))
    return [v / norm for v in vec] if norm else vec


class KeywordEmbedder:
    """Always available; `note` says why no semantic model is in use (empty when none was asked for)."""

    name = "keywords"
    semantic = False

    def __init__(self, note: str = "") -> None:
        self.note = note

    def embed(self, texts: Sequence[str], *, query: bool) -> list[list[float]]:
        return [bag_vector(t) for t in texts]
