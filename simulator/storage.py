"""Writing files so that a crash, a kill or a full disk never leaves a half-written transcript or setting.

A save writes a temp file beside the target and renames it over the target.
A save that is killed leaves its temp file behind; the next save in that
folder removes temp files older than `STALE_TEMP_SECONDS`, so they never pile
up. A failed save raises `SaveError`, an OSError whose message is one Dutch
line naming the path and the cause (disk full, read-only folder, ...).
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import time
from pathlib import Path

from simulator.labels import message
from simulator.limits import STALE_TEMP_SECONDS

TEMP_SUFFIX = ".tmp"
_READ_ONLY = {errno.EACCES, errno.EPERM, errno.EROFS}


class SaveError(OSError):
    """A save that did not happen; `str()` is a Dutch line naming the path, `path` says where."""

    def __init__(self, path: Path, cause: OSError) -> None:
        if cause.errno == errno.ENOSPC or cause.errno == getattr(errno, "EDQUOT", -1):
            text = message("disk_full", path=path)
        elif cause.errno in _READ_ONLY:
            text = message("read_only", path=path)
        elif cause.errno in (errno.ENOENT, errno.ENOTDIR):
            text = message("missing_folder", path=path)
        else:
            text = message("save_failed", path=path, reason=cause.strerror or cause)
        super().__init__(cause.errno, text)
        self.path = path
        self.read_only = cause.errno in _READ_ONLY

    def __str__(self) -> str:
        return str(self.strerror)


def clean_stale_temps(folder: Path, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove temp files that interrupted saves left in `folder`; returns what was removed."""
    removed: list[Path] = []
    cutoff = time.time() - older_than
    try:
        candidates = list(folder.glob(f".*{TEMP_SUFFIX}"))
    except OSError:
        return removed
    for tmp in candidates:
        with contextlib.suppress(OSError):
            if tmp.is_file() and tmp.stat().st_mtime < cutoff:
                tmp.unlink()
                removed.append(tmp)
    return removed


def save_atomic(path: Path, text: str) -> None:
    """Write to a temp file in the same directory, fsync, then rename over the target."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_temps(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    except OSError as exc:
        raise SaveError(path, exc) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise SaveError(path, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def writable(folder: Path) -> bool:
    """Whether a save into `folder` can work: it exists (or can be made) and a file can be created in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".schrijftest.", suffix=TEMP_SUFFIX, dir=folder)
    except OSError:
        return False
    os.close(fd)
    Path(probe).unlink(missing_ok=True)
    return True
