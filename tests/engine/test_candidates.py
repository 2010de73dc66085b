"""Rank mode's contract with the engine: the parent may only speak curated lines the engine offered.

A ranking voice (simulator/voices/local/rank.py) picks one of `request.candidates` instead of the
engine's own choice. The trainee must never notice: the line is still curated, still fits the
intent, and the engine must not say it again later because it did not choose it itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from simulator.content.loader import load_library
from simulator.engine.play import play_script
from simulator.engine.session import Session
from simulator.voices.base import VoiceRequest

pytestmark = pytest.mark.usefixtures("keyword_embedder")

TEACHER = [
    "Goedemiddag meneer, fijn dat u er bent.",
    "Ik wil het met u hebben over het advies. Ons advies is vmbo-gt.",
    "Wat maakt dat u schrikt van dit advies?",
    "Wat ziet u thuis als ze met huiswerk bezig is?",
    "Ik hoor dat u bang bent dat ze zich gaat vervelen.",
    "Dat advies verander ik vandaag niet, dat kan ik niet waarmaken.",
    "Wat zou u helpen om hier met een goed gevoel uit te gaan?",
    "Zullen we na de doorstroomtoets opnieuw kijken?",
    "Ik begrijp dat u het er niet mee eens bent, maar het advies blijft staan.",
    "Het advies blijft vmbo-gt, daar verandert niets aan.",
    "Nogmaals: het advies blijft vmbo-gt.",
]


class LastCandidateVoice:
    """Always speaks the last offered candidate: a ranker that disagrees with the engine where it can."""

    name = "rank:test"
    speaks_curated = True

    def __init__(self) -> None:
        self.requests: list[VoiceRequest] = []

    def stream(self, request: VoiceRequest, cancel: threading.Event) -> Iterator[str]:
        self.requests.append(request)
        yield request.candidates[-1] if request.candidates else request.scripted_line


@pytest.fixture(scope="module")
def played() -> tuple[Session, LastCandidateVoice]:
    lib = load_library()
    voice = LastCandidateVoice()
    session = Session(lib.scenario("schooladvies-vmbo-gt"), lib.persona("jeroen-pleitbezorger"), voice=voice, seed=4)
    play_script(session, TEACHER)
    return session, voice


def test_candidates_hold_the_engines_choice_and_only_curated_lines(played) -> None:  # type: ignore[no-untyped-def]
    _, voice = played
    offered = [r for r in voice.requests if r.candidates]
    assert offered, "no turn offered a choice of lines"
    for request in offered:
        assert request.scripted_line in request.candidates
        assert len(set(request.candidates)) == len(request.candidates)


def test_the_parent_speaks_the_ranked_line_without_a_guard_or_fallback(played) -> None:  # type: ignore[no-untyped-def]
    session, voice = played
    parent = [t for t in session.transcript.turns if t.speaker == "parent"][1:]  # after the opening
    spoken = {r.candidates[-1] for r in voice.requests if r.candidates}
    assert spoken & {t.text for t in parent}
    assert all(t.fallback_reason is None for t in parent)


def test_a_ranked_line_is_never_offered_again(played) -> None:  # type: ignore[no-untyped-def]
    _, voice = played
    said: set[str] = set()
    for request in voice.requests:
        assert not (set(request.candidates) & said), "a line the parent already said is offered again"
        assert request.scripted_line not in said
        if request.candidates:
            said.add(request.candidates[-1])
