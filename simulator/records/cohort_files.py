"""Finding transcript files for a cohort: single files, folders and zip archives, read defensively.

Transcripts reach a trainer from many laptops, via an LMS download, a zip or a shared
drive, so anything may be in there. Zip members are read in memory with a hard cap
per member and per archive (a zip bomb stops at the cap, whatever its header says),
never extracted, and a member whose name climbs out of the archive is refused.
Every file that is not read comes back as a `Skipped` with a Dutch reason: never fatal.
"""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from simulator.limits import MAX_TRANSCRIPT_BYTES
from simulator.records.cohort_words import words

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Caps that keep a hostile or mistaken input from eating the trainer's memory or time."""

    file_bytes: int = MAX_TRANSCRIPT_BYTES
    """One transcript (the same cap as everywhere else); a long real conversation is well under 200 KB."""
    zip_bytes: int = 512 * MB
    """All members of one archive together, as actually read (not as the header claims)."""
    files: int = 20_000
    """Files considered per call, over all paths."""


@dataclass(frozen=True)
class Source:
    """One candidate transcript: a display name and its raw bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Skipped:
    """A file that was not read, and why (Dutch, one line)."""

    name: str
    reason: str


def display(name: str) -> str:
    """A name safe to print in a terminal or a page: control characters become '?'."""
    return name if name.isprintable() else "".join(ch if ch.isprintable() else "?" for ch in name)


def is_transcript_name(name: str) -> bool:
    return name.lower().endswith(".json")


def _hidden(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return any(p.startswith(".") or p == "__MACOSX" for p in parts)


def _safe_member(name: str) -> bool:
    """Relative, no '..', no drive letter, no backslash tricks: a name that stays inside the archive."""
    if not name or "\x00" in name or "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return False
    return ".." not in PurePosixPath(name).parts


class _Budget:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.files = 0

    def take(self) -> bool:
        self.files += 1
        return self.files <= self.limits.files


def iter_sources(paths: list[Path], limits: Limits | None = None) -> Iterator[Source | Skipped]:
    """Every candidate transcript under `paths` (files, folders, zips), in a stable order."""
    limits = limits or Limits()
    budget = _Budget(limits)
    for path in paths:
        if budget.files > limits.files:
            return
        yield from _from_path(path, limits, budget)


def _from_path(path: Path, limits: Limits, budget: _Budget) -> Iterator[Source | Skipped]:
    reasons = words().reasons
    if path.is_dir():
        for root, dirs, files in os.walk(path):  # does not follow symlinked folders: no loops
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__MACOSX")
            for name in sorted(files):
                if name.startswith("."):
                    continue
                if not budget.take():
                    yield Skipped(display(str(path)), reasons.too_many.format(limit=limits.files))
                    return
                yield from _from_file(Path(root) / name, limits)
        return
    if not path.exists():
        yield Skipped(display(str(path)), reasons.missing)
        return
    if not budget.take():
        yield Skipped(display(str(path)), reasons.too_many.format(limit=limits.files))
        return
    yield from _from_file(path, limits)


def _from_file(path: Path, limits: Limits) -> Iterator[Source | Skipped]:
    reasons = words().reasons
    name = display(str(path))
    if path.suffix.lower() == ".zip":
        yield from _from_zip(path, limits)
        return
    if not is_transcript_name(path.name):
        yield Skipped(name, reasons.not_transcript)
        return
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device named *.json would block or never end
            yield Skipped(name, reasons.not_transcript)
            return
        if info.st_size > limits.file_bytes:
            yield Skipped(name, reasons.too_big.format(limit=limits.file_bytes // MB))
            return
        with path.open("rb") as fh:
            data = fh.read(limits.file_bytes + 1)
    except OSError as exc:
        yield Skipped(name, reasons.unreadable.format(detail=exc.strerror or exc))
        return
    if len(data) > limits.file_bytes:
        yield Skipped(name, reasons.too_big.format(limit=limits.file_bytes // MB))
        return
    yield Source(name, data)


def _from_zip(path: Path, limits: Limits) -> Iterator[Source | Skipped]:
    reasons = words().reasons
    zip_name = display(str(path))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        detail = reasons.bad_zip if isinstance(exc, zipfile.BadZipFile | ValueError) else str(exc)
        yield Skipped(zip_name, detail)
        return
    total = 0
    with archive:
        infos = archive.infolist()
        for count, info in enumerate(sorted(infos, key=lambda i: i.filename)):
            member = info.filename
            name = f"{zip_name}:{display(member)}"
            if count >= limits.files:
                yield Skipped(zip_name, reasons.too_many.format(limit=limits.files))
                return
            if not _safe_member(member):
                yield Skipped(name, reasons.unsafe_name)
                continue
            if info.is_dir() or _hidden(member):
                continue
            if member.lower().endswith(".zip"):
                yield Skipped(name, reasons.nested_zip)
                continue
            if not is_transcript_name(member):
                yield Skipped(name, reasons.not_transcript)
                continue
            if info.file_size > limits.file_bytes:
                yield Skipped(name, reasons.too_big.format(limit=limits.file_bytes // MB))
                continue
            try:
                with archive.open(info) as fh:
                    data = fh.read(limits.file_bytes + 1)  # bounded, whatever the header claims
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError, EOFError) as exc:
                yield Skipped(name, reasons.unreadable.format(detail=type(exc).__name__))
                continue
            if len(data) > limits.file_bytes:
                yield Skipped(name, reasons.too_big.format(limit=limits.file_bytes // MB))
                continue
            total += len(data)
            if total > limits.zip_bytes:
                yield Skipped(zip_name, reasons.zip_too_big.format(limit=limits.zip_bytes // MB))
                return
            yield Source(name, data)
