"""Each parent keeps one register (u or je), lines fit the medium and the conversation, and validate says so."""

from __future__ import annotations

import re
from itertools import product
from pathlib import Path

import pytest

from simulator.content.loader import load_library, persona_lines
from simulator.content.register import band_address, line_address
from simulator.engine.director import Decision
from simulator.engine.lines import fill, fits, linesets, slot_values
from tests.conftest import DATA, run_cli

LIB = load_library()
PAIRS = list(product(sorted(LIB.scenarios), sorted(LIB.personas)))
PERSONA = (DATA / "content" / "persona_minimal.yaml").read_text(encoding="utf-8")
U_WORDS = re.compile(r"\b(u|uw)\b", re.IGNORECASE)
JE_WORDS = re.compile(r"\b(jij|jou|jouw)\b", re.IGNORECASE)
INTENTS = sorted({i for p in LIB.personas.values() for i in p.lines} | {"greet", "ask_news", "closing"})


def validate(path: Path) -> tuple[int, list[str]]:
    result = run_cli("validate", str(path))
    assert "Traceback" not in result.stderr
    return result.returncode, [x for x in result.stderr.splitlines() if x.strip()]


def sayable(scenario_id: str, persona_id: str) -> list[tuple[str, str]]:
    """Every (band, line) the engine may pick for this pairing, for the general intents."""
    scenario, persona = LIB.scenarios[scenario_id], LIB.personas[persona_id]
    out = []
    for intent, band in product(INTENTS, ("low", "mid", "high")):
        for lineset in linesets(persona, scenario, Decision(intent), intent):
            out += [(band, x.text) for x in lineset.band_entries(band) if fits(x, persona, scenario, band)]
    return out


@pytest.mark.parametrize(("scenario_id", "persona_id"), PAIRS)
def test_every_sayable_line_keeps_the_parents_register(scenario_id: str, persona_id: str) -> None:
    persona = LIB.personas[persona_id]
    for band, text in sayable(scenario_id, persona_id):
        if band_address(persona, band) == "je":
            assert not U_WORDS.search(text), f"{persona_id} ({band}) says 'u': {text}"
        else:
            assert not JE_WORDS.search(text), f"{persona_id} ({band}) says 'jij/jouw': {text}"


@pytest.mark.parametrize("persona_id", sorted(LIB.personas))
def test_persona_lines_follow_the_persona_register(persona_id: str) -> None:
    persona = LIB.personas[persona_id]
    for where, text in persona_lines(persona):
        band = where.rsplit(".", 1)[-1].split("[", 1)[0]
        for b in ("low", "mid", "high") if band == "any" else (band,):
            own = line_address(text)
            assert own in (None, band_address(persona, b)), f"{where}: {text}"


def test_a_phone_call_never_has_in_person_lines() -> None:
    phone = [s for s in LIB.scenarios.values() if s.medium == "phone"]
    assert phone, "one scenario is a phone call"
    for scenario, persona_id in product(phone, sorted(LIB.personas)):
        for _, text in sayable(scenario.id, persona_id):
            assert "naar huis" not in text.lower() and "hierheen" not in text.lower(), text


def test_lines_about_tests_are_not_said_in_the_bullying_talk() -> None:
    for persona_id in sorted(LIB.personas):
        for _, text in sayable("pesten-incident", persona_id):
            assert "zo'n toets" not in text.lower(), text


@pytest.mark.parametrize("persona_id", sorted(LIB.personas))
def test_every_persona_can_talk_about_their_own_life(persona_id: str) -> None:
    persona = LIB.personas[persona_id]
    assert {a.life for a in persona.answers if a.life} == {"work", "schedule", "family", "own_school", "language"}


@pytest.mark.parametrize("scenario_id", sorted(LIB.scenarios))
def test_each_parent_opens_with_their_own_line(scenario_id: str) -> None:
    openings = []
    for persona_id in sorted(LIB.personas):
        scenario, persona = LIB.scenarios[scenario_id], LIB.personas[persona_id]
        openings.append({x for s in linesets(persona, scenario, Decision("greet"), "greet") for x in s.all_lines()})
    for a, b in product(openings, openings):
        assert a is b or not a & b, "two parents share an opening line"


def test_sentence_starts_are_capitalised_after_filling_slots() -> None:
    slots = slot_values(LIB.scenarios["schooladvies-vmbo-gt"], dagdeel="vanmiddag")
    assert fill("{vorige_leerkracht} zei het al. {vorige_leerkracht} weet het.", slots).startswith("Meester Ruud")
    assert ". Meester Ruud weet" in fill("{vorige_leerkracht} zei het al. {vorige_leerkracht} weet het.", slots)
    assert fill("Ja... ja, dat is zo.", slots) == "Ja... ja, dat is zo."


def test_validate_rejects_a_line_in_the_wrong_register(tmp_path: Path) -> None:
    bad = tmp_path / "je.yaml"
    bad.write_text(PERSONA.replace("  address: u\n", "  address: je\n"), encoding="utf-8")
    code, lines = validate(bad)
    assert code == 1
    assert any("boundary_behaviours[0].lines.high" in x and "'u'" in x for x in lines), lines


def test_validate_rejects_an_unknown_medium_tag(tmp_path: Path) -> None:
    bad = tmp_path / "tag.yaml"
    text = PERSONA.replace('greet: {any: ["Goedemiddag."]}', 'greet: {any: [{text: "Goedemiddag.", medium: brief}]}')
    assert text != PERSONA
    bad.write_text(text, encoding="utf-8")
    code, lines = validate(bad)
    assert code == 1 and any("medium" in x for x in lines), lines


def test_validate_wants_answers_about_the_parents_own_life(tmp_path: Path) -> None:
    bad = tmp_path / "leven.yaml"
    bad.write_text(PERSONA.replace("    life: language\n", ""), encoding="utf-8")
    code, lines = validate(bad)
    assert code == 1 and any("language" in x for x in lines), lines
