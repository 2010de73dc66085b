"""Helpers for driving the app like a trainee: fixed content, a frozen clock, patient waiting.

The test content in tests/app/content/ belongs to these tests, so shipped YAML
edits never change a snapshot. The frozen clock and fixed seeds keep screens still.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from textual.pilot import Pilot

from simulator.app.app import AppOptions, OudergesprekApp
from simulator.content.loader import Library, load_files
from simulator.records.transcript import Transcript, load_transcript

CONTENT = Path(__file__).resolve().parent / "content"
SCENARIO = "tui-advies"
PERSONA = "tui-moeder"
TRAINEE = "Anna de Boer"


def load_test_library() -> Library:
    lib, problems = load_files(sorted(CONTENT.glob("*.yaml")))
    assert not problems, problems
    return lib


class FrozenClock:
    """A conversation clock that does not move: the timer always shows the same minutes."""

    def __init__(self, elapsed_seconds: float = 0.0) -> None:
        self.seconds = elapsed_seconds

    def add_words(self, n: int) -> None:
        pass

    def elapsed(self) -> float:
        return self.seconds


def make_app(
    library: Library,
    *,
    delay: float = 0.0,
    clock: Callable[[], FrozenClock] | None = FrozenClock,
    check_unfinished: bool = False,
) -> OudergesprekApp:
    options = AppOptions(voice_delay=delay, clock=clock, dagdeel="vanmiddag", check_unfinished=check_unfinished)
    return OudergesprekApp(library=library, options=options)


async def wait_for(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app work (workers, streaming) until `condition` holds, as a patient user would."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {getattr(condition, '__name__', 'condition')}")
        await pilot.pause(0.02)


def screen_name(pilot: Pilot[None]) -> str:
    return type(pilot.app.screen).__name__


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*[("space" if ch == " " else ch) for ch in text])


def saved(home: Path) -> list[Transcript]:
    return [load_transcript(p) for p in sorted((home / "transcripts").glob("*.json"))]


def fixed_transcript(library: Library, lines: list[str], *, trainee: str = TRAINEE, seed: int = 7) -> Transcript:
    """A finished conversation played by the engine, with fixed times (for the trainer screens)."""
    from simulator.engine.session import Session, play_script

    session = Session(
        library.scenarios[SCENARIO], library.personas[PERSONA], seed=seed, trainee=trainee, dagdeel="vanmiddag"
    )
    session.transcript.intention = "Eerst luisteren, dan het advies helder brengen"
    transcript = play_script(session, lines)
    transcript.started_at = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
    transcript.ended_at = datetime(2026, 3, 2, 14, 45, tzinfo=UTC)
    for turn in transcript.turns:
        turn.timestamp = transcript.started_at
    return transcript


TEACHER_LINES = [
    "Goedemiddag. Ik kom meteen ter zake: het voorlopig advies voor Daan is vmbo-gt.",
    "Hoe kijkt u daar tegenaan?",
    "U schrikt ervan en u maakt zich zorgen over later, klopt dat?",
    "Wat ziet u thuis als Daan aan zijn huiswerk zit?",
]


async def start_conversation(pilot: Pilot[None], *, seed: str = "7", intention: str = "Eerst luisteren") -> None:
    """Start screen → Dossier → Gesprek, by keyboard, until the parent's opening line is complete."""
    from textual.widgets import Button, Input

    app = pilot.app

    def ready() -> bool:
        buttons = app.screen.query("#go").results(Button)
        return screen_name(pilot) == "StartScreen" and any(not b.disabled for b in buttons)

    await wait_for(pilot, ready)
    app.screen.query_one("#seed", Input).focus()
    await type_text(pilot, seed)
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: screen_name(pilot) == "DossierScreen")
    await type_text(pilot, intention)
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen_name(pilot) == "GesprekScreen")
    await wait_for(pilot, lambda: not app.screen.busy and len(app.screen.session.transcript.turns) >= 1)


async def say(pilot: Pilot[None], text: str, *, typed: bool = False) -> None:
    """Enter a teacher turn (typed key by key, or inserted at once like a dictation tool), press Enter,
    and wait for the parent's full answer."""
    from simulator.app.widgets.chat import ChatInput

    screen = pilot.app.screen
    before = len(screen.session.transcript.turns)
    if typed:
        await type_text(pilot, text)
    else:
        screen.query_one(ChatInput).insert(text)
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: not screen.busy and (len(screen.session.transcript.turns) >= before + 2 or screen.session.ended),
    )
