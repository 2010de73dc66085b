"""Engine tests run on the keyword router, so they are fast and give the same result on every machine.

The semantic embedder is measured on its own (tests/engine/test_moves*, the probe evaluation);
these tests check the dialogue policy that sits on top of whichever router is present.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from feedback.embed import reset_embedder


@pytest.fixture(scope="module")
def keyword_embedder() -> Iterator[None]:
    mp = pytest.MonkeyPatch()
    mp.setenv("OUDERGESPREK_EMBEDDER", "keywords")
    reset_embedder()
    yield
    mp.undo()
    reset_embedder()
