"""A trainee's path through the app, driven by keyboard: start, dossier, conversation, look back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Button, ContentSwitcher, Input, Static

from simulator.app.screens.gesprek import GesprekScreen
from simulator.app.widgets.chat import ChatInput, ChatLog, ChatMessage
from simulator.app.widgets.meters import ParentMeters
from simulator.content.loader import Library
from simulator.records.transcript import Transcript, load_transcript
from tests.app.helpers import (
    TEACHER_LINES,
    TRAINEE,
    FrozenClock,
    make_app,
    saved,
    say,
    screen_name,
    start_conversation,
    type_text,
    wait_for,
)

pytestmark = pytest.mark.usefixtures("named")


async def test_full_conversation_from_start_to_report(library: Library, home: Path) -> None:
    app = make_app(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_conversation(pilot, seed="7", intention="Eerst luisteren, dan het advies helder brengen")
        screen = app.screen
        assert isinstance(screen, GesprekScreen)
        log = screen.query_one(ChatLog)
        opening = screen.session.transcript.turns[0].text
        assert opening.startswith("Goedemiddag")
        assert any(m.text == opening for m in log.query(ChatMessage))
        assert str(screen.query_one("#timer", Static).render()) == "Nog 15:00 min"

        await say(pilot, TEACHER_LINES[0], typed=True)
        for line in TEACHER_LINES[1:]:
            await say(pilot, line)
        turns = screen.session.transcript.turns
        assert [t.speaker for t in turns] == ["parent", "teacher"] * len(TEACHER_LINES) + ["parent"]
        shown = [m.text for m in log.query(ChatMessage)]
        assert shown == [t.text for t in turns]

        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: screen_name(pilot) == "ConfirmDialog")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "TerugblikScreen")
        review = app.screen
        # Self-rating comes first; no score is on screen yet.
        assert review.query_one(ContentSwitcher).current == "rating"
        assert not review.query("ReportView Static")
        await pilot.press("4", "2", "enter")
        await wait_for(pilot, lambda: review.ready)
        assert review.query_one(ContentSwitcher).current == "review"
        heads = [str(s.render()) for s in review.query(".score-head")]
        assert any(h.startswith("Luisteren:") and "Jouw inschatting: 4/5" in h for h in heads)
        assert any(h.startswith("Grenzen stellen:") and "Jouw inschatting: 2/5" in h for h in heads)
        assert review.query(".subscore"), "sub-scores with explanations are shown"
        turns_text = [str(o.prompt) for o in review.query_one("#turns").options]
        assert any("acties:" in t for t in turns_text)

    [transcript] = saved(home)
    assert transcript.trainee == TRAINEE
    assert transcript.seed == 7
    assert transcript.intention == "Eerst luisteren, dan het advies helder brengen"
    assert transcript.self_rating is not None
    assert (transcript.self_rating.listening, transcript.self_rating.boundaries) == (4, 2)
    assert transcript.outcome in {"stopped", "ended_by_teacher"}
    assert len(transcript.turns) == 2 * len(TEACHER_LINES) + 1


async def test_name_is_asked_once_and_remembered(library: Library, home: Path) -> None:
    (home / "config.toml").unlink()
    async with make_app(library).run_test() as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "NameDialog")
        await type_text(pilot, "Bram Visser")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "StartScreen")
        await wait_for(pilot, lambda: (home / "config.toml").exists())
    assert 'trainee_name = "Bram Visser"' in (home / "config.toml").read_text(encoding="utf-8")
    app = make_app(library)
    async with app.run_test() as pilot:
        await pilot.pause(0.2)
        assert screen_name(pilot) == "StartScreen"
        assert app.trainee == "Bram Visser"


async def test_meters_are_off_by_default_and_toggle_with_live_counters(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_conversation(pilot)
        screen = app.screen
        meters = screen.query_one(ParentMeters)
        assert not meters.display
        await say(pilot, "Hoe gaat het thuis met Daan?")
        await say(pilot, "U maakt zich zorgen over zijn toekomst.")
        await pilot.press("ctrl+o")
        assert meters.display
        state = screen.session.state
        assert str(screen.query_one("#meter-tension").render()).endswith(f"{round(state.tension):>3}")
        counters = str(screen.query_one("#counters").render())
        recorded = [a.code for t in screen.session.transcript.turns if t.speaker == "teacher" for a in t.acts or []]
        assert f"Open vragen{recorded.count('open_question'):>10}" in counters
        assert f"Parafrases{recorded.count('paraphrase'):>11}" in counters
        teacher_msgs = [m for m in screen.query(ChatMessage) if m.speaker == "teacher"]
        assert all(m.query_one(".acts").display for m in teacher_msgs)
        await pilot.press("ctrl+o")
        assert not meters.display


async def test_hint_is_shown_and_recorded(library: Library, home: Path) -> None:
    app = make_app(library)
    async with app.run_test() as pilot:
        await start_conversation(pilot)
        screen = app.screen
        await pilot.press("ctrl+t")
        hint_box = screen.query_one("#hint", Static)
        await wait_for(pilot, lambda: hint_box.has_class("-shown"))
        hint = screen.pending_hint
        assert hint and str(hint_box.render()) == f"Tip: {hint}"
        await say(pilot, "Hoe kijkt u naar het advies?")
        assert not hint_box.has_class("-shown")
        teacher = next(t for t in screen.session.transcript.turns if t.speaker == "teacher")
        assert teacher.hint == hint
    [transcript] = saved(home)
    assert transcript.hints_used == 1


async def test_escape_cancels_a_slow_parent_turn_and_input_stays_responsive(library: Library, home: Path) -> None:
    app = make_app(library, delay=0.15)
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "StartScreen")
        app.screen.query_one("#seed", Input).focus()
        await type_text(pilot, "7")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen_name(pilot) == "DossierScreen")
        await type_text(pilot, "Rustig blijven")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "GesprekScreen")
        screen = app.screen
        await wait_for(pilot, lambda: screen.current is not None and len(screen.current.text.split()) >= 2)
        # The trainee can type while the parent is still talking.
        await type_text(pilot, "Mag ik")
        assert screen.query_one(ChatInput).text == "Mag ik"
        assert screen.streaming
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.busy, timeout=5)
        opening = screen.session.transcript.turns[0]
        full = screen.session.pending or None
        assert full is None
        assert opening.interrupted
        assert len(opening.text.split()) < 20, "the line was cut off, not spoken to the end"
        last = list(screen.query(ChatMessage))[-1]
        assert last.note == "onderbroken"
        assert screen.query_one(ChatInput).text == "Mag ik"


async def test_very_long_paste_is_refused_and_long_input_wraps(library: Library) -> None:
    from textual import events

    app = make_app(library)
    async with app.run_test(notifications=True) as pilot:
        await start_conversation(pilot)
        box = app.screen.query_one(ChatInput)
        box.post_message(events.Paste("Dit is een heel lange plaktekst. " * 40))
        await pilot.pause(0.1)
        assert box.text == ""
        assert any("te lang" in n.message for n in app._notifications)
        box.insert("Ja. " * 300)
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert len(app.screen.session.transcript.turns) == 1, "an over-long turn is not sent"
        assert any("Je beurt is te lang" in n.message for n in app._notifications)
        box.clear()
        await type_text(pilot, "Ik wil graag ")
        box.insert("weten hoe u thuis merkt dat Daan moeite heeft met lezen, en wat u dan doet om hem te helpen.")
        await pilot.pause()
        assert box.wrapped_document.height > 1, "a long turn wraps instead of scrolling sideways"
        assert box.scroll_offset.x == 0
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.screen.busy and len(app.screen.session.transcript.turns) == 3)
        assert app.screen.session.transcript.turns[1].text.startswith("Ik wil graag weten")


async def test_engine_ends_the_conversation_when_time_is_up(library: Library) -> None:
    app = make_app(library, clock=lambda: FrozenClock(elapsed_seconds=16 * 60))
    async with app.run_test() as pilot:
        await start_conversation(pilot)
        screen = app.screen
        assert str(screen.query_one("#timer", Static).render()) == "De tijd is om"
        await say(pilot, "Goedemiddag, fijn dat u er bent.")
        assert screen.session.ended and screen.session.outcome == "time_up"
        assert screen.query_one(ChatInput).disabled
        assert "De tijd is om" in str(screen.query_one("#log .system", Static).render())
        await wait_for(pilot, lambda: app.focused is screen.query_one("#to-review", Button))
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "TerugblikScreen")


async def test_rewind_to_a_turn_is_a_new_attempt(library: Library, home: Path) -> None:
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_conversation(pilot)
        for line in TEACHER_LINES[:3]:
            await say(pilot, line)
        first = app.screen.session.transcript
        first_path = app.screen.session.path
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: screen_name(pilot) == "ConfirmDialog")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "TerugblikScreen")
        await pilot.press("3", "3", "enter")
        await wait_for(pilot, lambda: app.screen.ready)
        await pilot.press("t")
        await wait_for(pilot, lambda: screen_name(pilot) == "TurnPicker")
        # Redo the second teacher turn (transcript index 3).
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "GesprekScreen")
        screen = app.screen
        await wait_for(pilot, lambda: not screen.busy and len(list(screen.query(ChatMessage))) == 3)
        kept = screen.session.transcript
        assert kept.rewound_from == first.id
        assert [t.text for t in kept.turns] == [t.text for t in first.turns[:3]]
        assert len(list(screen.query(ChatMessage))) == 3
        await say(pilot, "Wat gaat er door u heen nu u dit hoort?")
        assert screen.session.path != first_path
    files = sorted((home / "transcripts").glob("*.json"))
    assert len(files) == 2
    old = load_transcript(first_path)
    assert len(old.turns) == 7 and old.self_rating is not None


async def test_try_again_meets_the_same_parent(library: Library) -> None:
    app = make_app(library)
    async with app.run_test() as pilot:
        await start_conversation(pilot, seed="123")
        first_opening = app.screen.session.transcript.turns[0].text
        await say(pilot, TEACHER_LINES[0])
        first_reply = app.screen.session.transcript.turns[2].text
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: screen_name(pilot) == "ConfirmDialog")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "TerugblikScreen")
        await pilot.press("5", "5", "enter")
        await wait_for(pilot, lambda: app.screen.ready)
        await pilot.press("o")
        await wait_for(pilot, lambda: screen_name(pilot) == "DossierScreen")
        assert app.screen.query_one("#intention", Input).value == "Eerst luisteren"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "GesprekScreen")
        await wait_for(pilot, lambda: not app.screen.busy and len(app.screen.session.transcript.turns) == 1)
        session = app.screen.session
        assert session.seed == 123
        assert session.transcript.turns[0].text == first_opening
        await say(pilot, TEACHER_LINES[0])
        assert session.transcript.turns[2].text == first_reply


async def test_quitting_mid_conversation_keeps_it_and_offers_resume(library: Library, home: Path) -> None:
    app = make_app(library)
    async with app.run_test() as pilot:
        await start_conversation(pilot)
        await say(pilot, TEACHER_LINES[0])
        await pilot.press("ctrl+q")
    [left] = saved(home)
    assert left.outcome == "in_progress" and len(left.turns) == 3

    app = make_app(library, check_unfinished=True)
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "ResumeDialog")
        await pilot.press("enter")  # "Verdergaan" has focus
        await wait_for(pilot, lambda: screen_name(pilot) == "GesprekScreen")
        screen = app.screen
        assert [m.text for m in screen.query(ChatMessage)] == [t.text for t in left.turns]
        await say(pilot, TEACHER_LINES[1])
        assert screen.session.transcript.id == left.id
    [resumed] = saved(home)
    assert resumed.id == left.id and len(resumed.turns) == 5

    app = make_app(library, check_unfinished=True)
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "ResumeDialog")
        await pilot.press("tab", "enter")  # "Terugblik"
        await wait_for(pilot, lambda: screen_name(pilot) == "TerugblikScreen")
    [reviewed] = saved(home)
    assert reviewed.outcome == "stopped"


async def test_quitting_while_the_parent_talks_keeps_the_teacher_turn(library: Library, home: Path) -> None:
    app = make_app(library, delay=0.2)
    async with app.run_test() as pilot:
        await start_conversation(pilot)
        screen = app.screen
        screen.query_one(ChatInput).insert(TEACHER_LINES[1])
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.streaming)
        await pilot.press("ctrl+q")
    await wait_for_file(home, lambda t: t.turns[1].speaker == "teacher")
    [left] = saved(home)
    assert left.outcome == "in_progress"
    assert left.turns[1].text == TEACHER_LINES[1]

    app = make_app(library, check_unfinished=True)
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "ResumeDialog")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "GesprekScreen")
        screen = app.screen
        await wait_for(pilot, lambda: not screen.busy and screen.session.transcript.turns[-1].speaker == "parent")
        turns = screen.session.transcript.turns
        assert [t.speaker for t in turns[-2:]] == ["teacher", "parent"], "the parent answers the kept turn"
        assert not screen.query_one(ChatInput).disabled


async def wait_for_file(home: Path, check: Callable[[Transcript], bool], timeout: float = 5.0) -> None:
    """The worker thread may still be committing after the app has closed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = saved(home)
        if files and check(files[0]):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("transcript not saved in time")


async def test_theme_is_remembered(library: Library, home: Path) -> None:
    app = make_app(library)
    async with app.run_test() as pilot:
        app.theme = "nord"
        await wait_for(pilot, lambda: 'theme = "nord"' in (home / "config.toml").read_text(encoding="utf-8"))
    app = make_app(library)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "nord"


async def test_command_palette_opens_transcripten(library: Library) -> None:
    app = make_app(library)
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "StartScreen")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: screen_name(pilot) == "CommandPalette")
        await type_text(pilot, "Transcripten")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "TranscriptenScreen")


async def test_no_color_is_respected(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(library)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.no_color


async def test_model_voice_loads_in_a_worker_with_progress(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from textual.widgets import Label, Select

    from simulator.app import backend
    from simulator.voices.scripted import ScriptedVoice

    release = threading.Event()

    def slow_model(kind: str, delay: float, progress=None):  # type: ignore[no-untyped-def]
        if kind == "scripted":
            return ScriptedVoice(delay=delay)
        assert progress is not None
        progress("Model laden", 0.5)
        release.wait(5)
        progress("Klaar", 1.0)
        voice = ScriptedVoice(delay=delay)
        voice.name = "local"
        return voice

    monkeypatch.setattr(backend, "make_voice", slow_model)
    app = make_app(library)
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "StartScreen" and bool(app.screen.query("#voice")))
        app.screen.query_one("#voice", Select).value = "local"
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen_name(pilot) == "DossierScreen")
        await type_text(pilot, "Luisteren")
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(app.screen.query("#progress-message")))
        label = app.screen.query_one("#progress-message", Label)
        await wait_for(pilot, lambda: str(label.render()) == "Model laden")
        intention = app.screen.query_one("#intention", Input)
        await pilot.press("!")  # the UI keeps handling keys while the model loads
        assert intention.value == "Luisteren!"
        release.set()
        await wait_for(pilot, lambda: screen_name(pilot) == "GesprekScreen")
        await wait_for(pilot, lambda: not app.screen.busy and len(app.screen.session.transcript.turns) == 1)
        assert app.screen.session.transcript.voice == "local"


async def test_unavailable_model_voice_falls_back_to_scripted_lines(library: Library) -> None:
    from textual.widgets import Select

    app = make_app(library)
    async with app.run_test(notifications=True) as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "StartScreen" and bool(app.screen.query("#voice")))
        voice = app.screen.query_one("#voice", Select)
        if "server" not in [value for _, value in voice._options]:
            pytest.fail("the start screen offers every voice the registry knows")
        voice.value = "server"  # no server URL configured
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen_name(pilot) == "DossierScreen")
        await type_text(pilot, "Luisteren")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "GesprekScreen")
        await wait_for(pilot, lambda: not app.screen.busy and len(app.screen.session.transcript.turns) == 1)
        assert app.screen.session.transcript.voice == "scripted"
        assert any("vaste teksten" in n.message for n in app._notifications)


async def test_a_failed_turn_gives_the_text_back(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(library)
    async with app.run_test(notifications=True) as pilot:
        await start_conversation(pilot)
        screen = app.screen

        def broken(text: str, hint: str | None = None) -> None:
            raise OSError("schijf vol")

        monkeypatch.setattr(screen.session, "teacher_says", broken)
        screen.query_one(ChatInput).insert("Hoe gaat het met Daan?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.busy and screen.query_one(ChatInput).text != "")
        assert screen.query_one(ChatInput).text == "Hoe gaat het met Daan?"
        assert [m.speaker for m in screen.query(ChatMessage)] == ["parent"]
        assert any("schijf vol" in n.message for n in app._notifications)
