"""Fixtures for the app tests: every test gets its own OUDERGESPREK_HOME and the test content."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.content import Library
from tests.tui.helpers import TRAINEE, load_test_library


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every app test gets its own OUDERGESPREK_HOME: transcripts and config never leak."""
    path = tmp_path / "oudergesprek-home"
    path.mkdir()
    monkeypatch.setenv("OUDERGESPREK_HOME", str(path))
    monkeypatch.delenv("NO_COLOR", raising=False)
    yield path


@pytest.fixture
def library() -> Library:
    return load_test_library()


@pytest.fixture
def named() -> None:
    """A trainee who has used the app before: the name question does not come up."""
    from simulator.config import update_config

    update_config(trainee_name=TRAINEE)
