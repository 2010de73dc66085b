"""Guarded speaking: a rejected line is cleared, retried once, then replaced by the scripted line.

These tests drive the retry-and-fallback mechanism with the form check only; whether a line says what the
engine meant is tested with the labelled guard set in test_guard_meaning.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from simulator.engine.session import Session
from simulator.voices.base import Piece, VoiceRequest
from simulator.voices.fallback import speak
from simulator.voices.guard import check_form, words

GOOD = "Nou, ik vind het gewoon raar. Ze haalt goede cijfers en dan krijgt ze dit advies?"
ENGLISH = "I really don't think that is fair to my daughter, you know."


class FakeVoice:
    """Says the given lines in turn, word by word; records the seeds it was asked with."""

    def __init__(self, *lines: str | Exception, name: str = "local:fake") -> None:
        self.lines = list(lines)
        self.name = name
        self.seeds: list[int] = []

    def stream(self, request: VoiceRequest, cancel: threading.Event) -> Iterator[str]:
        self.seeds.append(request.seed)
        line = self.lines.pop(0)
        if isinstance(line, Exception):
            yield "Eh"
            raise line
        for word in line.split(" "):
            yield word + " "


def run(voice: FakeVoice, request: VoiceRequest) -> tuple[list[Piece], str]:
    pieces = list(speak(voice, request, threading.Event(), check=check_form))
    text = ""
    for p in pieces:
        text = "" if p.reset else text
        text += p.text
    return pieces, text.strip()


def test_a_good_model_line_is_kept_and_names_the_model(request_obj) -> None:
    pieces, text = run(FakeVoice(GOOD), request_obj)
    assert text == GOOD
    assert pieces[-1].final and pieces[-1].voice == "local:fake" and pieces[-1].fallback_reason is None
    assert not any(p.reset for p in pieces)


def test_a_rejected_line_is_cleared_and_retried_with_another_seed(request_obj) -> None:
    voice = FakeVoice(ENGLISH, GOOD)
    pieces, text = run(voice, request_obj)
    assert text == GOOD
    assert sum(p.reset for p in pieces) == 1
    assert pieces[-1].voice == "local:fake"
    assert voice.seeds[0] != voice.seeds[1]


def test_two_rejections_fall_back_to_the_scripted_line_with_both_reasons(request_obj) -> None:
    pieces, text = run(FakeVoice(ENGLISH, "Leerkracht: Goedemiddag."), request_obj)
    assert text == request_obj.scripted_line
    final = pieces[-1]
    assert final.voice == "scripted"
    assert final.fallback_reason is not None
    assert final.fallback_reason.startswith("local:fake")
    assert words().reasons["not_dutch"] in final.fallback_reason
    assert words().reasons["speaks_as_teacher"] in final.fallback_reason


def test_a_failing_voice_falls_back_at_once_with_its_message(request_obj) -> None:
    voice = FakeVoice(RuntimeError("De taalmodelserver is niet bereikbaar."), GOOD)
    pieces, text = run(voice, request_obj)
    assert text == request_obj.scripted_line
    assert pieces[-1].fallback_reason == "local:fake: De taalmodelserver is niet bereikbaar."
    assert len(voice.seeds) == 1  # the voice already retried what it could; no second wait


def test_cancel_stops_without_fallback(request_obj) -> None:
    cancel = threading.Event()
    voice = FakeVoice(GOOD)
    out = []
    for piece in speak(voice, request_obj, cancel):
        out.append(piece)
        cancel.set()
    assert out[-1].final and out[-1].cancelled and out[-1].voice == "local:fake"


def test_the_transcript_records_voice_and_fallback_reason(library) -> None:
    session = Session(library.scenario("schooladvies-vmbo-gt"), library.persona("jeroen-pleitbezorger"), seed=3)
    session.voice = FakeVoice(ENGLISH, ENGLISH)
    plan = session.open()
    session.say(plan)
    turn = session.transcript.turns[-1]
    assert turn.speaker == "parent"
    assert turn.text == plan.request.scripted_line
    assert turn.voice == "scripted"
    assert turn.fallback_reason and words().reasons["not_dutch"] in turn.fallback_reason


def test_a_model_whose_lines_keep_failing_stops_speaking_and_can_earn_it_back(request_obj) -> None:
    """Two rejected lines: the model is no longer heard; still judged unseen, it speaks again once enough pass."""
    voice = FakeVoice(ENGLISH, ENGLISH, ENGLISH, *[GOOD] * 8)
    _, text = run(voice, request_obj)  # turn 1: both tries rejected
    assert text == request_obj.scripted_line
    pieces, text = run(voice, request_obj)  # turn 2: written unseen, judged, the scripted line speaks
    assert text == request_obj.scripted_line
    assert not any(p.reset for p in pieces)  # nothing of the model was shown, so nothing to clear
    reason = pieces[-1].fallback_reason or ""
    assert "0 van de laatste 3" in reason and words().reasons["not_dutch"] in reason
    assert len(voice.seeds) == 3  # one unseen try, no retry
    spoken = [run(voice, request_obj)[1] == GOOD for _ in range(6)]
    # Good lines pass unseen until enough of the window passed; from then on the model speaks.
    assert spoken[0] is False and spoken[-1] is True
    assert spoken == sorted(spoken)


def test_the_record_is_kept_per_model_for_the_next_conversation(request_obj) -> None:
    """A new voice object for the same model starts where the last conversation ended."""
    run(FakeVoice(ENGLISH, ENGLISH), request_obj)
    again = FakeVoice(GOOD, GOOD)
    pieces, text = run(again, request_obj)
    assert text == request_obj.scripted_line  # judged unseen: its good line counts, but is not heard yet
    assert "1 van de laatste 3" in (pieces[-1].fallback_reason or "")
    _, text = run(FakeVoice(GOOD, name="local:other"), request_obj)
    assert text == GOOD  # another model has its own record


def test_a_model_whose_lines_pass_keeps_speaking(request_obj) -> None:
    voice = FakeVoice(ENGLISH, GOOD, *[GOOD] * 5)
    texts = [run(voice, request_obj)[1] for _ in range(6)]
    assert texts == [GOOD] * 6
