"""The one model cache per machine: converted models, vocabularies and CPU measurements.

It lives in the platform's user cache dir (`OUDERGESPREK_CACHE` overrides), never
in a data dir, so a second `--data-dir` does not convert a GGUF again. A
conversion is keyed by the content hash of its source and the converter
version, so a changed file or a changed converter never reuses a stale one.
Writers take a lock file and write atomically: two first loads at once (two
trainees on a shared machine, parallel tests) wait for each other instead of
corrupting the cache.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

CONVERTER_VERSION = 3
"""Bump when `convert.convert_gguf` writes something different: older conversions are then ignored."""

LOCK_TIMEOUT = 1800.0
"""Seconds to wait for another process's conversion (a large GGUF on a slow laptop takes minutes)."""

HASH_CHUNK = 1 << 22

DONE_MARK = "oudergesprek-cache.json"
"""Written last into a converted model directory: a conversion without it is incomplete."""


def root() -> Path:
    from simulator.settings.paths import cache_dir

    return cache_dir()


def models_dir() -> Path:
    return root() / "models"


@contextmanager
def locked(target: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold `<target>.lock` (filelock: works across processes and on Windows)."""
    from filelock import FileLock

    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target.with_name(target.name + ".lock")), timeout=timeout):
        yield


def write_json(path: Path, data: object) -> None:
    """Atomic: a reader sees the old file or the new one, never half of one."""
    from simulator.storage import save_atomic

    save_atomic(path, json.dumps(data, indent=1))


def read_json(path: Path) -> dict:  # type: ignore[type-arg]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def content_hash(path: Path) -> str:
    """sha256 of the file's bytes; remembered per (path, size, mtime) so a 300 MB model is read once."""
    path = path.resolve()
    stat = path.stat()
    index_path = root() / "hashes.json"
    stamp = f"{path}|{stat.st_size}|{stat.st_mtime_ns}"
    known = read_json(index_path)
    if isinstance(known.get(stamp), str):
        return str(known[stamp])
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)
    value = digest.hexdigest()
    with locked(index_path, timeout=60):
        known = read_json(index_path)
        known[stamp] = value
        write_json(index_path, known)
    return value


def hash_of(parts: Iterable[str]) -> str:
    """One hash over several recorded hashes (a package's RECORD lines for its model files)."""
    digest = hashlib.sha256()
    for part in sorted(parts):
        digest.update(part.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def conversion_key(label: str, digest: str) -> str:
    return f"{label}-{digest[:16]}-c{CONVERTER_VERSION}"


def size_bytes(folder: Path | None = None) -> int:
    folder = folder or root()
    if not folder.is_dir():
        return 0
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def clear(folder: Path | None = None) -> int:
    """Empty the cache; returns the bytes freed.

    Each converted model is removed under its own lock (the one `convert.prepare` holds), so a
    conversion running in another window finishes first instead of losing its files.
    """
    folder = folder or root()
    if not folder.is_dir():
        return 0
    before = size_bytes(folder)
    for item in _entries(folder):
        with locked(item, timeout=LOCK_TIMEOUT):
            if item.is_dir() and not item.is_symlink():
                shutil.rmtree(item, ignore_errors=True)
            else:
                item.unlink(missing_ok=True)
    return before - size_bytes(folder)


def _entries(folder: Path) -> list[Path]:
    """What `clear` removes: every converted model, then everything else; lock files stay."""
    models = folder / "models"
    inner = sorted(p for p in models.iterdir() if not p.name.endswith(".lock")) if models.is_dir() else []
    outer = sorted(p for p in folder.iterdir() if not p.name.endswith(".lock"))
    return [*inner, *outer]
