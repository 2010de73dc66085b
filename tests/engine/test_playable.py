"""Every persona x scenario plays 15+ turns without repeating a line or contradicting the case file."""

from __future__ import annotations

import re
from itertools import product

import pytest

from simulator.content.loader import load_library, persona_lines, scenario_lines
from simulator.engine.session import Session

LIB = load_library()
pytestmark = pytest.mark.usefixtures("keyword_embedder")
PAIRS = list(product(sorted(LIB.scenarios), sorted(LIB.personas)))

# A patient teacher who keeps asking and reflecting, so the conversation neither ends nor escalates.
NEUTRAL = [
    "Goedemiddag, fijn dat u er bent.",
    "Hoe gaat het thuis?",
    "Wat vindt uw kind er zelf van?",
    "U maakt zich zorgen, hoor ik.",
    "Vertel eens wat meer over hoe het vroeger op school ging.",
    "Wat doet uw kind graag na schooltijd?",
    "Hoe is het met vriendjes en vriendinnetjes?",
    "Wat zou u willen dat er verandert?",
    "Hoe ziet een gewone avond bij u thuis eruit?",
    "Wat heeft u nodig van mij?",
    "Hoe was het vorig jaar?",
    "Wat merkt u aan de stemming thuis?",
    "U bent teleurgesteld, begrijp ik.",
    "Hoe past dit bij uw werk en uw tijd?",
    "Wat hoopt u voor later?",
    "Wat zou helpen, denkt u?",
    "Hoe reageert uw kind als het over school gaat?",
]

ADVICE_LEVELS = ("vmbo-bb", "vmbo-kb", "vmbo-gt", "vmbo-gl", "vmbo-tl", "havo", "vwo")


@pytest.mark.parametrize(("scenario_id", "persona_id"), PAIRS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fifteen_turns_without_repeats(scenario_id: str, persona_id: str, seed: int) -> None:
    session = Session(LIB.scenarios[scenario_id], LIB.personas[persona_id], seed=seed, difficulty="makkelijk")
    said = [session.say(session.open())]
    for line in NEUTRAL:
        plan = session.teacher_says(line)
        if plan is None:
            break
        said.append(session.say(plan))
    assert len(said) >= 16, f"ended after {len(said)} parent turns: {session.outcome}"
    assert len(said) == len(set(said)), "a parent line repeated"
    assert "..." not in said
    assert not any("{" in s or "}" in s for s in said)


def _other_child_names(scenario_id: str) -> set[str]:
    own = LIB.scenarios[scenario_id].dossier.child.name
    return {s.dossier.child.name for s in LIB.scenarios.values()} - {own}


@pytest.mark.parametrize(("scenario_id", "persona_id"), PAIRS)
def test_no_line_contradicts_the_case_file(scenario_id: str, persona_id: str) -> None:
    """Lines that can be said in this pairing name no other child, groep or advice level."""
    scenario, persona = LIB.scenarios[scenario_id], LIB.personas[persona_id]
    lines = [t for _, t in persona_lines(persona)]
    for where, text in scenario_lines(scenario):
        if where.startswith("role_lines.") and not where.startswith(f"role_lines.{persona.role}."):
            continue
        lines.append(text)
    case_text = " ".join([scenario.dossier.message, *scenario.dossier.results, *scenario.slots.values()]).lower()
    others = _other_child_names(scenario_id)
    for text in lines:
        words = set(re.findall(r"[A-Za-zÀ-ÿ-]+", text))
        assert not words & others, f"{text!r} names another scenario's child"
        for number in re.findall(r"groep (\d)", text):
            assert int(number) <= scenario.groep + 1, f"{text!r} speaks of a later groep than {scenario.groep}"
        for level in ADVICE_LEVELS:
            if re.search(rf"\b{level}\b", text.lower()):
                assert level in case_text or level in " ".join(scenario.parent_knows).lower(), (
                    f"{text!r} mentions {level}, which is not in this case file"
                )


def test_at_least_400_distinct_parent_lines() -> None:
    lines = {t for p in LIB.personas.values() for _, t in persona_lines(p)}
    lines |= {t for s in LIB.scenarios.values() for _, t in scenario_lines(s)}
    assert len(lines) >= 400


def test_all_roles_and_scenario_types_present() -> None:
    assert {"anxious", "pleitbezorger", "disengaged"} <= {p.role for p in LIB.personas.values()}
    assert {"adviesgesprek", "startgesprek", "zorggesprek", "incident", "voortgangsgesprek"} <= {
        s.type for s in LIB.scenarios.values()
    }
