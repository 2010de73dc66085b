"""Graded ladders: spoil one skill at a time, and the score must fall, rung by rung.

For every scenario the good script (tests/data/scripts/<scenario>.good.txt) is played
against the scripted parent, as `oudergesprek play` does. Each ladder then changes the
teacher's lines of that conversation, one skill per rung and cumulatively (the parent's
lines stay as they were, so only the teacher's words differ), and scores every rung with
the real act recogniser, as the app scores a transcript. A trainee who does one more
thing wrong must see a clearly lower score: each rung at least GAP points below the last.
No expected score is written down; only the order and the gaps are asserted.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from functools import cache

import pytest

from feedback.codes import REFLECTION_CODES
from simulator.content.loader import load_library
from simulator.engine.session import Session
from simulator.records.feedback_bridge import PRESSURE_INTENTS, report_for
from simulator.records.transcript import Transcript
from tests.conftest import DATA

LIB = load_library()
SCENARIOS = sorted(LIB.scenarios)
PERSONA = "jeroen-pleitbezorger"  # the parent who pushes most: positions get tested
GAP = 5

# Spoiling lines: prototypical novice phrasings, different each time (a repeat counts once).
ADVICE = (
    "U moet hem gewoon wat strenger aanpakken thuis.",
    "Mijn advies is: laat haar elke avond een half uur oefenen.",
    "U kunt het beste een vast schema maken.",
    "Probeer gewoon eens wat vaker samen te lezen.",
    "Het beste is als u elke avond samen leest.",
)
CLOSED = (
    "Gaat het goed thuis?",
    "Heeft u daar vaker last van?",
    "Is dat al lang zo?",
    "Speelt dat thuis ook?",
    "Was dat vorig jaar ook zo?",
    "Kent u dat?",
)
PLAIN = ("Dat is duidelijk.", "Dan weet u dat.", "Dat was het wel zo'n beetje.", "Oké.", "Goed.")
JARGON = (
    "Volgens het LVS zit hij op DLE-niveau.",
    "Dat staat in het OPP.",
    "De referentieniveaus 1F en 2F zijn niet gehaald.",
    "We kijken handelingsgericht naar de onderwijsbehoeften.",
)
WHY = ("Waarom heeft u dat niet eerder gemeld?", "Waarom doet hij dat eigenlijk?", "Waarom leest u niet gewoon mee?")
YOU = ("U luistert gewoon niet naar wat ik zeg.", "U bent gewoon onredelijk.")
CAVING = ("Nou vooruit, dan doen we het maar zoals u wilt.", "Goed, als u het zo graag wilt, pas ik het aan.")
ATTACK = ("Dat is uw probleem, niet het mijne.", "Met dit soort ouders valt niet te praten.")
LIMITING = frozenset({"name_limit", "i_message", "holds_position", "consequence"})

Lines = list[str]  # teacher lines, in order
Codes = list[frozenset[str]]  # the acts of the good conversation's teacher lines
Spoil = Callable[[Lines, Codes], Lines]
Rung = tuple[str, Spoil]


def _cycle(options: tuple[str, ...]) -> Iterator[str]:
    return itertools.cycle(options)


def replace(codes_wanted: frozenset[str], options: tuple[str, ...]) -> Callable[[Lines, Codes], Lines]:
    """Replace every line that carries one of the codes by a spoiling line."""

    def spoil(lines: Lines, codes: Codes) -> Lines:
        new = _cycle(options)
        return [next(new) if codes[i] & codes_wanted else line for i, line in enumerate(lines)]

    return spoil


def append(options: tuple[str, ...], turns: tuple[int, ...]) -> Callable[[Lines, Codes], Lines]:
    """Add a spoiling sentence to the given teacher turns (counted from the second)."""

    def spoil(lines: Lines, codes: Codes) -> Lines:
        new = _cycle(options)
        chosen = {1 + (t % max(1, len(lines) - 1)) for t in turns}
        return [f"{line} {next(new)}" if i in chosen else line for i, line in enumerate(lines)]

    return spoil


LISTENING: list[Rung] = [
    ("reflecties vervangen door advies", replace(REFLECTION_CODES, ADVICE)),
    ("open vragen vervangen door gesloten vragen", replace(frozenset({"open_question"}), CLOSED)),
    ("vakjargon toegevoegd", append(JARGON, (0, 2, 4))),
    ("waarom-vragen toegevoegd", append(WHY, (1, 3, 5))),
]
LIMITING_SPOIL = replace(LIMITING, PLAIN)
BOUNDARIES: list[Rung] = [
    ("grens en standpunt weggelaten", LIMITING_SPOIL),  # only where the parent pushed
    ("jij-boodschappen toegevoegd", append(YOU, (1, 4))),
    ("toegeven onder druk", append(CAVING, (2, 5))),
    ("tegenaanvallen toegevoegd", append(ATTACK, (3, 6))),
    ("structuur weggelaten", replace(frozenset({"structuring"}), PLAIN)),
]


@cache
def played(scenario_id: str) -> Transcript:
    """The good script against the scripted parent, as `oudergesprek play` plays it."""
    lines = [x for x in (DATA / "scripts" / f"{scenario_id}.good.txt").read_text(encoding="utf-8").splitlines() if x]
    session = Session(LIB.scenarios[scenario_id], LIB.personas[PERSONA], seed=0)
    session.say(session.open())
    for line in lines:
        plan = session.teacher_says(line)
        if plan is None or session.ended:
            break
        session.say(plan)
    if not session.ended:
        session.end(by_teacher=False)
    return session.transcript


def with_lines(transcript: Transcript, lines: Lines) -> Transcript:
    """The same conversation with other teacher lines, their acts left to the recogniser."""
    out = transcript.model_copy(deep=True)
    teacher = [t for t in out.turns if t.speaker == "teacher"]
    for turn, line in zip(teacher, lines, strict=True):
        turn.text, turn.acts, turn.overrides = line, None, []
    return out


def ladder(scenario_id: str, rungs: list[Rung], dim: str) -> list[tuple[str, int, str]]:
    good = played(scenario_id)
    lines = [t.text for t in good.turns if t.speaker == "teacher"]
    codes = [frozenset(a.code for a in t.acts or ()) for t in good.turns if t.speaker == "teacher"]
    pushed = any(t.intent in PRESSURE_INTENTS for t in good.turns if t.speaker == "parent")
    out = []
    for name, spoil in [("goed", lambda lines, codes: lines), *rungs]:
        spoilt = spoil(lines, codes)
        if (spoilt == lines and out) or (spoil is LIMITING_SPOIL and not pushed):
            continue  # the good conversation never showed (or never needed) this skill: nothing to take away
        lines = spoilt
        report = report_for(with_lines(good, lines), LIB)
        block = getattr(report, dim)
        out.append((name, block.score, " | ".join(f"{s.id} {s.score}" for s in block.subscores)))
    return out


def assert_falls(steps: list[tuple[str, int, str]]) -> None:
    assert len(steps) >= 4, f"a ladder needs at least three spoiled rungs: {steps}"
    for (above, high, subs_high), (below, low, subs_low) in itertools.pairwise(steps):
        detail = f"\n  {above}: {subs_high}\n  {below}: {subs_low}"
        assert low <= high - GAP, f"'{below}' scores {low}, not {GAP} below '{above}' ({high}).{detail}"


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_listening_falls_with_every_skill_spoiled(scenario_id: str) -> None:
    assert_falls(ladder(scenario_id, LISTENING, "listening"))


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_boundaries_fall_with_every_skill_spoiled(scenario_id: str) -> None:
    assert_falls(ladder(scenario_id, BOUNDARIES, "boundaries"))
