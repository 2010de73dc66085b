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
        scored = [v for v in series.listening if v is not None]
        assert f"{scored[0]} → {scored[-1]}" in shown
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
    """A small change stays small: 60 and 62 look alike, 10 and 90 do not (a sparkline would blow both up)."""

    def columns(rows: list[str]) -> list[str]:
        return ["".join(row[i * 3 : i * 3 + 2] for row in rows) for i in range((len(rows[0]) + 1) // 3)]

    low, high = columns(bar_rows([60, 62])), columns(bar_rows([10, 90]))
    assert low[0] == low[1]
    assert high[0] != high[1]
    assert high[0].count(" ") > high[1].count(" ")


async def test_transcripten_opens_a_zip_of_students_and_filters_by_student(
    library: Library, home: Path, tmp_path: Path
) -> None:
    """A trainer opens the LMS download (a zip) in Transcripten; a damaged file does not stop the rest."""
    import zipfile

    from textual.widgets import DataTable, Input

    from tests.app.helpers import type_text

    archive = tmp_path / "inleveringen.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i, name in enumerate(["Anna de Boer", "Bram Visser", "Anna de Boer"]):
            t = fixed_transcript(library, TEACHER_LINES[: 2 + i], trainee=name, seed=3 + i)
            zf.writestr(f"groep/{i}.json", t.to_json())
        zf.writestr("groep/kapot.json", "{ niet af")
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "StartScreen")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen_name(pilot) == "TranscriptenScreen")
        screen = app.screen
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: screen_name(pilot) == "OpenCohortDialog")
        app.screen.query_one("#open-path", Input).value = str(archive)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "TranscriptenScreen")
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 3)
        screen.query_one("#f-trainee", Input).focus()
        await type_text(pilot, "bram")
        await wait_for(pilot, lambda: table.row_count == 1)
        assert table.get_row_at(0)[1] == "Bram Visser"
    assert not (home / "transcripts").exists() or not list((home / "transcripts").glob("*.json"))
