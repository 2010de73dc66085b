"""Fixtures for the app tests: every test gets its own OUDERGESPREK_HOME and the test content."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.content.loader import Library
from tests.app.helpers import TRAINEE, load_test_library


@pytest.fixture
def home(isolated_home: Path) -> Path:
    """The test's own OUDERGESPREK_HOME (set for every test by the root conftest)."""
    return isolated_home


@pytest.fixture
def library() -> Library:
    return load_test_library()


@pytest.fixture
def named() -> None:
    """A trainee who has used the app before: the name question does not come up."""
    from simulator.settings.config import update_config

    update_config(trainee_name=TRAINEE)


@pytest.fixture(autouse=True)
def keyword_understanding(monkeypatch: pytest.MonkeyPatch) -> None:
    """The UI tests drive screens, not routing: the keyword fallback keeps each turn fast and deterministic.

    Routing with the sentence embedder is tested in tests/engine and tests/feedback.
    """
    from feedback.embed import reset_embedder

    monkeypatch.setenv("OUDERGESPREK_EMBEDDER", "keywords")
    reset_embedder()
