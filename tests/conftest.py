"""Shared fixtures: every test gets its own user data dir, and helpers to run the CLI like a user."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def run_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache (converted models, embeddings) for the whole run: per machine, as for a user."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cache: Path) -> Iterator[Path]:
    """No test may read or write the real user's transcripts, config or cache, nor inherit voice settings."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("OUDERGESPREK_HOME", str(home))
    monkeypatch.setenv("OUDERGESPREK_CACHE", str(run_cache))
    monkeypatch.delenv("OUDERGESPREK_VOICE", raising=False)
    monkeypatch.delenv("OUDERGESPREK_MODEL", raising=False)
    monkeypatch.delenv("OUDERGESPREK_SERVER_URL", raising=False)
    monkeypatch.delenv("OUDERGESPREK_THREADS", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    yield home


def run_cli(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `oudergesprek ARGS` in a subprocess, as a trainer would from a shell."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=full_env,
        timeout=120,
    )
