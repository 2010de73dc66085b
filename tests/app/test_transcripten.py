"""A trainer's path: find saved attempts, open one with its report, comment, override, export."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, SelectionList, Static

from simulator.app.widgets.report import TurnList
from simulator.content.loader import Library
from simulator.records.transcript import Transcript, load_transcript, save_transcript
from tests.app.helpers import TEACHER_LINES, fixed_transcript, make_app, screen_name, type_text, wait_for

pytestmark = pytest.mark.usefixtures("named")


def store(home: Path, transcript: Transcript, name: str) -> Path:
    path = home / "transcripts" / f"{name}.json"
    save_transcript(transcript, path)
    return path


@pytest.fixture
def three(library: Library, home: Path) -> list[Path]:
    """Three saved attempts by two trainees on two days."""
    a = fixed_transcript(library, TEACHER_LINES, trainee="Anna de Boer")
    b = fixed_transcript(library, TEACHER_LINES[:2], trainee="Bram Visser", seed=3)
    c = fixed_transcript(library, TEACHER_LINES[:3], trainee="Anna de Boer", seed=9)
    c.started_at = datetime(2026, 3, 9, 9, 15, tzinfo=UTC)
    return [store(home, a, "a"), store(home, b, "b"), store(home, c, "c")]


async def open_transcripten(pilot) -> None:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: screen_name(pilot) == "StartScreen")
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: screen_name(pilot) == "TranscriptenScreen")
    await wait_for(pilot, lambda: pilot.app.screen.query_one(DataTable).row_count > 0)


async def test_browse_and_filter_saved_sessions(library: Library, three: list[Path]) -> None:
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_transcripten(pilot)
        screen = app.screen
        table = screen.query_one(DataTable)
        assert table.row_count == 3
        screen.query_one("#f-trainee", Input).focus()
        await type_text(pilot, "bram")
        await wait_for(pilot, lambda: table.row_count == 1)
        assert table.get_row_at(0)[1] == "Bram Visser"
        screen.query_one("#f-trainee", Input).value = ""
        screen.query_one("#f-date", Input).focus()
        await type_text(pilot, "2026-03-09")
        await wait_for(pilot, lambda: table.row_count == 1)
        assert table.get_row_at(0)[0].startswith("2026-03-09")
        assert "1 van 3 gesprekken" in str(screen.query_one("#count", Static).render())


async def open_first(pilot) -> None:  # type: ignore[no-untyped-def]
    await open_transcripten(pilot)
    pilot.app.screen.query_one(DataTable).focus()
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen_name(pilot) == "TranscriptScreen")
    await wait_for(pilot, lambda: pilot.app.screen.shown >= 1)


async def test_open_read_only_with_report_and_comment_on_a_turn(library: Library, three: list[Path]) -> None:
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot)
        screen = app.screen
        path = screen.saved.path
        heads = [str(s.render()) for s in screen.query(".score-head")]
        assert any(h.startswith("Luisteren:") for h in heads)
        await pilot.press("c")  # first press opens the Beurten tab
        turns = screen.query_one(TurnList)
        await wait_for(pilot, lambda: app.focused is turns)
        await pilot.press("down")
        await pilot.press("c")
        await wait_for(pilot, lambda: screen_name(pilot) == "CommentDialog")
        await type_text(pilot, "Sterk: het nieuws meteen gebracht.")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.shown >= 2)
        assert "opmerking Anna de Boer: Sterk: het nieuws meteen gebracht." in str(turns.get_option_at_index(1).prompt)
    turn = load_transcript(path).turns[1]
    assert [(c.author, c.text) for c in turn.comments] == [("Anna de Boer", "Sterk: het nieuws meteen gebracht.")]


async def test_trainer_overrides_an_act_and_a_score(library: Library, three: list[Path]) -> None:
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot)
        screen = app.screen
        path = screen.saved.path
        engine_codes = {a.code for a in screen.transcript.turns[3].acts or []}
        await pilot.press("a")
        turns = screen.query_one(TurnList)
        await wait_for(pilot, lambda: app.focused is turns)
        await pilot.press("down", "down", "down")  # turn 4: "Hoe kijkt u daar tegenaan?"
        await pilot.press("a")
        await wait_for(pilot, lambda: screen_name(pilot) == "ActOverrideDialog")
        dialog = app.screen
        codes = dialog.query_one(SelectionList)
        codes.focus()
        # Toggle "samenvatting" (summary) by keyboard.
        target = next(i for i in range(codes.option_count) if codes.get_option_at_index(i).value == "summary")
        codes.highlighted = target
        await pilot.press("space")
        dialog.query_one("#reason", Input).focus()
        await type_text(pilot, "Vat twee punten samen.")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.shown >= 2)
        assert "trainer: " in str(turns.get_option_at_index(3).prompt)

        await pilot.press("s")
        await wait_for(pilot, lambda: screen_name(pilot) == "ScoreOverrideDialog")
        app.screen.query_one("#score", Input).focus()
        await type_text(pilot, "60")
        app.screen.query_one("#reason", Input).focus()
        await type_text(pilot, "Goede toon, meer ruimte dan de score zegt.")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.shown >= 3)
        heads = " ".join(str(s.render()) for s in screen.query(".score-head"))
        assert "Trainer: 60/100" in heads

    saved = load_transcript(path)
    [override] = saved.turns[3].overrides
    expected = "absent" if "summary" in engine_codes else "present"
    assert (override.target, override.trainer, override.reason) == ("act:summary", expected, "Vat twee punten samen.")
    [score] = saved.score_overrides
    assert (score.target, score.trainer) == ("score:listening", "60")


async def test_export_markdown_and_html_to_the_data_dir(library: Library, three: list[Path], home: Path) -> None:
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot)
        screen = app.screen
        stem = screen.saved.path.stem
        await pilot.press("m")
        md = home / "exports" / f"{stem}.md"
        await wait_for(pilot, lambda: md.exists())
        await wait_for(pilot, lambda: str(md) in str(screen.query_one("#export-path", Static).render()))
        await pilot.press("h")
        html = home / "exports" / f"{stem}.html"
        await wait_for(pilot, lambda: html.exists())
        await wait_for(pilot, lambda: str(html) in str(screen.query_one("#export-path", Static).render()))
    assert "# Oudergesprek: verslag" in md.read_text(encoding="utf-8")
    text = html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text


async def test_overrides_export_as_gold_set_items(library: Library, three: list[Path], home: Path) -> None:
    from simulator.records.overrides import override_act

    transcript = load_transcript(three[0])
    override_act(transcript, 3, "summary", True, "Vat samen", "trainer")
    save_transcript(transcript, three[0])
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_transcripten(pilot)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: any((home / "exports").glob("goudset-*.jsonl")))
    [gold] = (home / "exports").glob("goudset-*.jsonl")
    lines = gold.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and "Hoe kijkt u daar tegenaan?" in lines[0]
