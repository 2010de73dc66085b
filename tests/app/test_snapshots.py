"""Snapshots of the main screens at 80×24 and 120×40 (fixed content, seed, clock and dates).

The report screens quote the feedback engine's texts: when those change on
purpose, review the diff and run `pytest tests/app --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from simulator.content.loader import Library
from simulator.records.transcript import save_transcript
from tests.app.helpers import TEACHER_LINES, fixed_transcript, make_app, say, screen_name, start_conversation, wait_for

pytestmark = pytest.mark.usefixtures("named")

SIZES = [(80, 24), (120, 40)]
Snap = Callable[..., bool]


async def at_start(pilot: Pilot[None]) -> None:
    def ready() -> bool:
        buttons = pilot.app.screen.query("#go")
        return screen_name(pilot) == "StartScreen" and bool(buttons) and not buttons.first().disabled

    await wait_for(pilot, ready)


async def at_dossier(pilot: Pilot[None]) -> None:
    await at_start(pilot)
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: screen_name(pilot) == "DossierScreen")


async def in_conversation(pilot: Pilot[None]) -> None:
    await start_conversation(pilot)
    for line in TEACHER_LINES[:2]:
        await say(pilot, line)
    if pilot.app.size.width >= 120:
        await pilot.press("ctrl+o")


async def rating(pilot: Pilot[None]) -> None:
    await in_conversation(pilot)
    await pilot.press("ctrl+b")
    await wait_for(pilot, lambda: screen_name(pilot) == "ConfirmDialog")
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen_name(pilot) == "TerugblikScreen")


async def report(pilot: Pilot[None]) -> None:
    await rating(pilot)
    await pilot.press("4", "3", "enter")
    await wait_for(pilot, lambda: pilot.app.screen.ready)


async def transcripten(pilot: Pilot[None]) -> None:
    await at_start(pilot)
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: screen_name(pilot) == "TranscriptenScreen")
    await wait_for(pilot, lambda: pilot.app.screen.query_one("DataTable").row_count == 2)


SCREENS: dict[str, Callable[[Pilot[None]], Awaitable[None]]] = {
    "start": at_start,
    "dossier": at_dossier,
    "gesprek": in_conversation,
    "zelfbeoordeling": rating,
    "terugblik": report,
    "transcripten": transcripten,
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(SCREENS))
def test_screen(name: str, size: tuple[int, int], library: Library, home: Path, snap_compare: Snap) -> None:
    if name == "transcripten":
        folder = home / "transcripts"
        save_transcript(fixed_transcript(library, TEACHER_LINES), folder / "a.json")
        save_transcript(fixed_transcript(library, TEACHER_LINES[:2], trainee="Bram Visser"), folder / "b.json")
    assert snap_compare(make_app(library), terminal_size=size, run_before=SCREENS[name])
