"""Where user data lives: `--data-dir`, else `OUDERGESPREK_HOME`, else the platform's user data dir."""

from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "OUDERGESPREK_HOME"


def set_data_dir(path: Path) -> None:
    """`--data-dir` sets the environment variable, so workers and subprocesses see it too."""
    os.environ[ENV_HOME] = str(path)


def data_dir() -> Path:
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("oudergesprek", appauthor=False))


def config_dir() -> Path:
    """Config sits beside the data when a home is set, so tests and portable installs stay self-contained."""
    if os.environ.get(ENV_HOME):
        return data_dir()
    import platformdirs

    return Path(platformdirs.user_config_dir("oudergesprek", appauthor=False))


def transcripts_dir() -> Path:
    return data_dir() / "transcripts"


ENV_CACHE = "OUDERGESPREK_CACHE"


def cache_dir() -> Path:
    """Converted models and machine measurements: large, rebuildable, so kept apart from transcripts.

    One per machine, never per data dir (a second `--data-dir` must not convert a model again):
    `OUDERGESPREK_CACHE` wins (an institute can share one cache; tests reuse one per run), else the
    platform's user cache dir.
    """
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("oudergesprek", appauthor=False))
