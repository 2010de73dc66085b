"""Move classification: what kind of second part a teacher turn asks of the parent.

Sentences are our own (not the probe set's). These run on the keyword fallback, so they hold
on every install; the semantic router is checked in test_routing.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from feedback.embed import reset_embedder
from simulator.content.loader import load_library
from simulator.engine.cues import CueError, load_cues
from simulator.engine.moves import KINDS, Move, dutch_share, repeat_of, understand

LIB = load_library()
SCENARIO = LIB.scenario("zorggesprek-dyslexie")
PERSONA = LIB.persona("agnieszka-anxious")


@pytest.fixture(autouse=True)
def keywords_only(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    monkeypatch.setenv("OUDERGESPREK_EMBEDDER", "keywords")
    monkeypatch.setenv("OUDERGESPREK_CACHE", str(tmp_path_factory.getbasetemp() / "emb-cache"))
    reset_embedder()
    yield
    reset_embedder()


def main(text: str, history: list[tuple[str, str]] | None = None) -> Move:
    moves = understand(text, SCENARIO, PERSONA, history or [("teacher", "Hallo, kom binnen.")])
    assert moves and all(m.kind in KINDS for m in moves)
    return moves[0]


def test_opening_greeting_is_a_greeting() -> None:
    assert understand("Goedenavond meneer, welkom op school!", SCENARIO, PERSONA, [])[0].kind == "greeting"


@pytest.mark.parametrize(
    "text",
    ["Heeft u een beetje kunnen parkeren?", "Zin in een kopje thee?", "Wat een regen vandaag, hè?"],
)
def test_small_talk_is_not_a_case_question(text: str) -> None:
    move = main(text)
    assert move.kind == "small_talk" and move.topic is None


def test_goodbye_after_thanks_is_a_goodbye() -> None:
    moves = understand("Nou, bedankt voor uw tijd. Tot ziens!", SCENARIO, PERSONA, [("teacher", "Hoi.")])
    kinds = [m.kind for m in moves]
    assert kinds[0] == "goodbye" and "thanks" in kinds


@pytest.mark.parametrize("text", ["Dag!", "Nou. Dag hoor.", "Tot over twee weken!"])
def test_a_short_farewell_late_in_the_talk_is_a_goodbye(text: str) -> None:
    history = [("teacher", "Hallo."), ("parent", "Dag."), ("teacher", "Zullen we vrijdag bellen?"), ("parent", "Goed.")]
    assert main(text, history).kind == "goodbye"


@pytest.mark.parametrize("text", ["U bent gewoon onredelijk.", "Jij overdrijft echt altijd."])
def test_a_judging_you_message_is_an_attack_not_a_reflection(text: str) -> None:
    kinds = [m.kind for m in understand(text, SCENARIO, PERSONA, [("teacher", "Hallo.")])]
    assert kinds[0] == "attack" and "reflection" not in kinds


def test_a_question_with_a_loanword_is_understood() -> None:
    assert main("Werkt u eigenlijk fulltime, of parttime?").kind == "question"


def test_asking_on_the_phone_whether_it_suits_is_small_talk() -> None:
    assert main("Hallo, met de juf van Luuk! Stoor ik?").kind == "small_talk"


def test_what_the_parent_already_knows_is_no_news_to_them() -> None:
    scenario = LIB.scenario("huiswerk-gemiste-afspraken")
    history = [("teacher", "Hallo, met de juf."), ("parent", "Ja, hallo.")]
    moves = understand("De twee afspraken op school zijn niet doorgegaan, dat was jammer.", scenario, PERSONA, history)
    assert moves[0].kind != "new_fact"


def test_thanks_alone() -> None:
    assert main("Dank u wel dat u dit allemaal vertelt.").kind == "thanks"


@pytest.mark.parametrize(
    "text",
    [
        "Als u gewoon eens zou luisteren, was er niks aan de hand.",
        "Hou toch je mond, ik praat nu.",
        "U bent echt een slechte moeder.",
    ],
)
def test_insults_and_blame_are_attacks(text: str) -> None:
    assert main(text).kind == "attack"


@pytest.mark.parametrize(
    "text",
    [
        "Hello, do you understand what I am saying?",
        "asdkj qwpeo zmxn",
        "Dziękuję bardzo, do widzenia.",
        "",
        "?!",
    ],
)
def test_other_language_and_gibberish_are_unintelligible(text: str) -> None:
    assert main(text).kind == "unintelligible"


@pytest.mark.parametrize("text", ["Oké", "ja", "Hmm.", "Tja", "Goed zo!"])
def test_short_dutch_replies_are_understood(text: str) -> None:
    assert main(text).kind != "unintelligible"


def test_novice_typos_are_still_dutch() -> None:
    assert dutch_share("hoe gaat t met m thuis, leest ie wel eens wat?") >= 0.5
    assert main("hoe gaat t met m thuis, leest ie wel eens wat?").kind == "question"


def test_repeat_of_own_earlier_line() -> None:
    line = "Het onderzoek laat zien of er meer aan de hand is."
    history = [("teacher", line), ("parent", "Hoe bedoelt u?")]
    moves = understand(line.upper(), SCENARIO, PERSONA, history)
    assert moves[0].kind == "repeat"
    assert repeat_of("Iets heel anders.", history) is None
    assert repeat_of(line, [("parent", line)]) is None  # repeating the parent is not a repeat


def test_summary_with_check() -> None:
    text = "Als ik u goed begrijp wilt u eerst meer weten over de test. Klopt dat?"
    assert main(text).kind == "check"


def test_limit() -> None:
    text = "Ik begrijp uw boosheid, maar schreeuwen accepteer ik niet. Wel kan ik rustig uitleggen."
    assert main(text).kind == "limit"


def test_reflection_is_not_a_question() -> None:
    assert main("U voelt zich overvallen door dit bericht.").kind == "reflection"


def test_proposal_routes_to_a_next_step() -> None:
    move = main("Zullen we over twee weken een vervolggesprek plannen, met de intern begeleider erbij?")
    assert move.kind == "proposal" and move.topic == "next_step:vervolggesprek-ib"


def test_moves_record_for_the_transcript() -> None:
    record = main("Wat vindt u daarvan?").as_record()
    assert set(record) == {"kind", "topic", "score"}


def test_cue_file_errors_are_one_dutch_line(tmp_path: Path) -> None:
    bad = tmp_path / "moves.yaml"
    bad.write_text("greeting: [hallo]\nonbekend: 1\n", encoding="utf-8")
    with pytest.raises(CueError) as err:
        load_cues(bad)
    assert str(bad) in str(err.value) and "\n" not in str(err.value)
