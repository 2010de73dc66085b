"""Disk cache for embeddings of curated content: computed once per content version and model.

The key is a hash of the model name, the query flag and every text, so editing one line of
content makes a new entry. Files are float32 arrays written atomically; a damaged file is
recomputed, never trusted. `feedback` must not import `simulator`, so the cache folder is
resolved here the same way `simulator.settings.paths.cache_dir` does.
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from feedback.embed import Embedder

_MAGIC = b"OGEMB1\n"


def cache_dir() -> Path:
    """`OUDERGESPREK_CACHE`, else `<OUDERGESPREK_HOME>/cache`, else the platform's user cache dir."""
    env = os.environ.get("OUDERGESPREK_CACHE")
    if env:
        return Path(env)
    home = os.environ.get("OUDERGESPREK_HOME")
    if home:
        return Path(home) / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir("oudergesprek", appauthor=False))


def cache_key(model: str, texts: Sequence[str], query: bool) -> str:
    h = hashlib.sha256()
    h.update(f"{model}\0{int(query)}\0{len(texts)}\0".encode())
    for t in texts:
        h.update(t.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()[:32]


def _read(path: Path, n: int) -> list[list[float]] | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC) + 8
    if not data.startswith(_MAGIC) or len(data) < head:
        return None
    count, dim = struct.unpack("<II", data[len(_MAGIC) : head])
    if count != n or len(data) != head + 4 * count * dim:
        return None
    flat = array("f")
    flat.frombytes(data[head:])
    return [flat[i * dim : (i + 1) * dim].tolist() for i in range(count)]


def _write(path: Path, vectors: list[list[float]]) -> None:
    dim = len(vectors[0]) if vectors else 0
    flat = array("f", [x for v in vectors for x in v])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".emb-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAGIC + struct.pack("<II", len(vectors), dim) + flat.tobytes())
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache only costs time


def cached_embed(embedder: Embedder, texts: Sequence[str], *, query: bool = False) -> list[list[float]]:
    """`embedder.embed(texts)`, read from / written to the disk cache when the model is semantic."""
    texts = list(texts)
    if not texts:
        return []
    if not embedder.semantic:
        return embedder.embed(texts, query=query)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in embedder.name)[:80]
    path = cache_dir() / "embeddings" / safe / f"{cache_key(embedder.name, texts, query)}.f32"
    hit = _read(path, len(texts))
    if hit is not None:
        return hit
    vectors = embedder.embed(texts, query=query)
    _write(path, vectors)
    return vectors
