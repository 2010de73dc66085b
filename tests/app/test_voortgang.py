"""A trainee's path to their own progress: Start → Voortgang, scores per scenario with self-ratings and advice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import Static

from simulator.app.screens.voortgang import bar_rows
from simulator.content.loader import Library
from simulator.records.transcript import SelfRating, Transcript, save_transcript
from tests.app.helpers import TEACHER_LINES, TRAINEE, fixed_transcript, make_app, screen_name, wait_for

pytestmark = pytest.mark.usefixtures("named")

POOR_LINES = [
    "Goedemiddag. Het advies is vmbo-gt, daar valt niet over te praten.",
    "Dat is nu eenmaal het LVS en de CITO-uitslag.",
    "Waarom denkt u dat het anders zou moeten?",
    "Maakt u zich maar geen zorgen, het komt allemaal goed.",
]


def store(home: Path, t: Transcript, name: str) -> None:
    save_transcript(t, home / "transcripts" / f"{name}.json")


@pytest.fixture
def attempts(library: Library, home: Path) -> list[Transcript]:
    """Three attempts by the trainee (poor, mixed, good) and one by someone else on the same laptop."""
    plays = [POOR_LINES, POOR_LINES[:2] + TEACHER_LINES[2:], TEACHER_LINES]
    out = []
    for i, lines in enumerate(plays):
        t = fixed_transcript(library, lines, seed=7 + i)
        t.started_at = datetime(2026, 3, 2, 14, 30, tzinfo=UTC) + timedelta(days=7 * i)
        t.self_rating = SelfRating(listening=2 + i, boundaries=3)
        store(home, t, f"mine-{i}")
        out.append(t)
    other = fixed_transcript(library, TEACHER_LINES, trainee="Bram Visser", seed=3)
    store(home, other, "other")
    return out


def texts(screen: object) -> str:
    return "\n".join(str(s.render()) for s in screen.query(Static))  # type: ignore[attr-defined]


async def open_voortgang(pilot) -> None:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: screen_name(pilot) == "StartScreen")
    await pilot.press("ctrl+o")
    await wait_for(pilot, lambda: screen_name(pilot) == "VoortgangScreen")
    await wait_for(pilot, lambda: pilot.app.screen.progress is not None)


async def test_voortgang_shows_own_attempts_with_self_ratings_and_advice(
    library: Library, attempts: list[Transcript]
) -> None:
    app = make_app(library)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_voortgang(pilot)
        screen = app.screen
        progress = screen.progress
        assert progress.attempts == 3, "only the trainee's own attempts count, not a classmate's"
        (series,) = progress.series
        assert [a.id for a in series.attempts] == [t.id for t in attempts], "oldest attempt first"
        shown = texts(screen)
        assert TRAINEE in shown
        assert "Bram Visser" not in shown
        assert f"{series.listening[0]} → {series.listening[-1]}" in shown
        for t in attempts:
            assert f"{t.self_rating.listening}/5 · {t.self_rating.boundaries}/5" in shown  # type: ignore[union-attr]
        latest_words = " ".join(turn.text for turn in attempts[-1].turns if turn.speaker == "teacher")
        for advice in (progress.improved, progress.practise):
            if advice is not None and advice.quote:
                assert advice.quote in latest_words, "each quote comes from the latest attempt"
                assert advice.quote in shown
        assert progress.improved is None or progress.improved.last > progress.improved.first
        assert screen.query("#practise") or progress.practise is None
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(pilot) == "StartScreen")


async def test_voortgang_without_attempts_says_what_to_do(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_voortgang(pilot)
        assert pilot.app.screen.progress.attempts == 0
        assert pilot.app.screen.query("#voortgang-empty")


def test_bars_use_a_fixed_scale() -> None:
    """A small change stays small: 60 and 62 look alike, 10 and 90 do not."""
    low, high = bar_rows([60, 62]), bar_rows([10, 90])
    assert low[0].split(" ")[0] == low[0].split(" ")[1] or low[1].split(" ")[0] == low[1].split(" ")[1]
    assert high[0].split(" ")[0] != high[0].split(" ")[1]
    assert all(len(row) == len(low[0]) for row in low)
