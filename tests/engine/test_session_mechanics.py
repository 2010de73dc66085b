"""Turn-loop mechanics a trainer relies on: saved after every turn, deterministic, resumable."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from simulator.content.loader import load_files
from simulator.engine.session import Session, play_script
from simulator.records.transcript import load_transcript
from simulator.voices.scripted import ScriptedVoice
from tests.conftest import DATA

pytestmark = pytest.mark.usefixtures("keyword_embedder")

LINES = [
    "Goedemiddag, fijn dat u er bent.",
    "Hoe gaat het met uw werk?",
    "U maakt zich zorgen over later, hoor ik.",
    "Wat ziet u thuis?",
    "Na de doorstroomtoets kijken we opnieuw, via de heroverweging.",
]


def minimal_library():  # type: ignore[no-untyped-def]
    lib, problems = load_files(sorted((DATA / "content").glob("*.yaml")))
    assert not problems
    return lib


def new_session(tmp_path: Path, seed: int = 1, **kw: object) -> Session:
    lib = minimal_library()
    return Session(lib.scenarios["test-scenario"], lib.personas["test-ouder"], seed=seed, save_dir=tmp_path, **kw)  # type: ignore[arg-type]


def test_transcript_is_saved_after_every_turn(tmp_path: Path) -> None:
    session = new_session(tmp_path)
    session.say(session.open())
    assert session.path is not None
    assert len(load_transcript(session.path).turns) == 1
    plan = session.teacher_says(LINES[0])
    # The teacher's turn is on disk before the parent has said anything.
    assert [t.speaker for t in load_transcript(session.path).turns] == ["parent", "teacher"]
    assert plan is not None
    session.say(plan)
    saved = load_transcript(session.path)
    assert [t.speaker for t in saved.turns] == ["parent", "teacher", "parent"]
    assert saved.turns[-1].state is not None and saved.turns[-1].intent
    assert saved.outcome == "in_progress"


def test_same_seed_same_conversation(tmp_path: Path) -> None:
    a = play_script(new_session(tmp_path / "a", seed=5), LINES)
    b = play_script(new_session(tmp_path / "b", seed=5), LINES)
    assert a.pairs() == b.pairs()
    assert [t.state for t in a.turns] == [t.state for t in b.turns]


def test_no_parent_line_repeats(tmp_path: Path) -> None:
    lines = [f"Hoe gaat het thuis, vraag {n}?" for n in range(12)]
    t = play_script(new_session(tmp_path), lines)
    parent = [x.text for x in t.turns if x.speaker == "parent" and x.text != "..."]
    assert len(parent) == len(set(parent))


def test_parent_answers_the_question_asked(tmp_path: Path) -> None:
    session = new_session(tmp_path)
    session.say(session.open())
    plan = session.teacher_says("Wat voor werk doet u eigenlijk?")
    assert plan is not None
    assert session.say(plan) == "Ik werk in de nachtdienst."


def test_slots_are_filled(tmp_path: Path) -> None:
    t = play_script(new_session(tmp_path, seed=2), ["Vertel eens.", "En verder?", "Hm.", "Ja.", "Goed."])
    text = " ".join(x.text for x in t.turns if x.speaker == "parent")
    assert "{" not in text


def test_rewind_starts_a_new_attempt_and_keeps_the_old(tmp_path: Path) -> None:
    session = new_session(tmp_path)
    old = play_script(session, LINES)
    lib = minimal_library()
    again = Session.resume(
        old, lib.scenarios["test-scenario"], lib.personas["test-ouder"], upto=4, save_dir=tmp_path / "nieuw"
    )
    assert again.transcript.pairs() == old.pairs()[:4]
    assert again.transcript.rewound_from == old.id
    assert again.path is not None and again.path != session.path
    assert session.path is not None and load_transcript(session.path).pairs() == old.pairs()
    plan = again.teacher_says("Hoe gaat het met uw werk?")
    assert plan is not None
    again.say(plan)
    assert len(load_transcript(again.path).turns) == 6


def test_resume_after_quitting_mid_turn_offers_the_pending_parent_turn(tmp_path: Path) -> None:
    session = new_session(tmp_path)
    session.say(session.open())
    session.teacher_says("Wat ziet u thuis?")  # the app quit before the parent spoke
    assert session.path is not None
    lib = minimal_library()
    resumed = Session.resume(
        load_transcript(session.path), lib.scenarios["test-scenario"], lib.personas["test-ouder"], path=session.path
    )
    assert resumed.pending is not None
    resumed.say(resumed.pending)
    assert [t.speaker for t in load_transcript(session.path).turns] == ["parent", "teacher", "parent"]


def test_cancel_keeps_partial_words_and_says_so(tmp_path: Path) -> None:
    session = new_session(tmp_path, voice=ScriptedVoice())
    session.say(session.open())
    plan = session.teacher_says("Wat ziet u thuis?")
    assert plan is not None
    cancel = threading.Event()
    pieces = []
    for piece in session.speak(plan, cancel):
        pieces.append(piece)
        cancel.set()
    assert pieces[-1].final and pieces[-1].cancelled
    last = session.transcript.turns[-1]
    assert last.speaker == "parent"
    assert last.interrupted
