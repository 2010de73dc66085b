"""Pick and fill the curated line for a decision: right intent, right band, never repeated.

When an intent's pool is used up, the parent falls back to a neighbouring
intent that still makes sense, so a conversation never repeats a line.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime

from simulator.content.schemas import LineSet, Persona, Scenario
from simulator.engine.director import Decision
from simulator.engine.rules import engine_rules

FALLBACKS: dict[str, tuple[str, ...]] = {
    "answer": ("example_from_home", "express_worry", "acknowledge"),
    "raise_concern": ("express_worry", "example_from_home"),
    "reveal_concern": ("express_worry", "acknowledge"),
    "example_from_home": ("express_worry", "answer", "acknowledge"),
    "express_worry": ("example_from_home", "challenge_basis", "acknowledge"),
    "challenge_basis": ("express_worry", "irritated"),
    "acknowledge": ("express_worry", "example_from_home"),
    "confused": ("irritated", "express_worry"),
    "irritated": ("challenge_basis", "express_worry"),
    "test_boundary": ("irritated", "challenge_basis"),
    "calm_down": ("acknowledge", "express_worry"),
    "accept_next_step": ("acknowledge", "closing"),
    "leave_angry": ("irritated",),
    "closing": ("acknowledge",),
    "greet": ("express_worry",),
    "ask_news": ("greet",),
}


def slot_values(scenario: Scenario, when: datetime | None = None, dagdeel: str | None = None) -> dict[str, str]:
    child = scenario.dossier.child
    she = child.gender == "meisje"
    if dagdeel is None:
        names = engine_rules().dagdeel
        hour = (when or datetime.now()).hour
        dagdeel = names.morning if hour < 12 else names.afternoon if hour < 18 else names.evening
    values = {
        "kind": child.name,
        "hij": "zij" if she else "hij",
        "hem": "haar" if she else "hem",
        "zijn": "haar" if she else "zijn",
        "groep": f"groep {scenario.groep}",
        "dagdeel": dagdeel,
        "school": scenario.dossier.school,
        **scenario.slots,
    }
    values["Hij"] = values["hij"].capitalize()
    values["Zijn"] = values["zijn"].capitalize()
    return values


def fill(text: str, slots: Mapping[str, str]) -> str:
    """Fill `{slot}`s; an unknown slot stays visible rather than crashing a conversation."""
    out = text
    for key, value in slots.items():
        out = out.replace("{" + key + "}", value)
    return out


def linesets(persona: Persona, scenario: Scenario, decision: Decision, intent: str) -> list[LineSet]:
    """Every LineSet that may word this intent for this persona in this scenario."""
    sets: list[LineSet] = []
    if intent == "answer" and decision.answer is not None and decision.intent == "answer":
        sets.append(decision.answer.lines)
    if intent in {"raise_concern", "reveal_concern"} and decision.concern_id:
        sets += [c.lines for c in scenario.concerns if c.id == decision.concern_id]
    if intent == "test_boundary":
        sets += [b.lines for b in persona.boundary_behaviours if b.kind == decision.boundary_kind]
    if intent == "accept_next_step" and decision.next_step_id:
        sets += [LineSet(any=n.accept_lines) for n in scenario.next_steps if n.id == decision.next_step_id]
    sources = [persona.lines, scenario.lines, scenario.role_lines.get(persona.role, {})]
    if intent == "greet" and any("greet" in s for s in sources[1:]):
        sources = sources[1:]  # the scenario knows how this meeting came about (planned, a call, after a mail)
    for source in sources:
        if intent in source:
            sets.append(source[intent])
    return sets


def pick_line(
    persona: Persona,
    scenario: Scenario,
    decision: Decision,
    band: str,
    used: set[str],
    rng: random.Random,
) -> tuple[str, str, tuple[str, ...]]:
    """(raw line, intent actually used, style examples) for a decision; never a used line."""
    chain = (decision.intent, *FALLBACKS.get(decision.intent, ()))
    for intent in chain:
        sets = linesets(persona, scenario, decision, intent)
        pool = [line for s in sets for line in s.for_band(band) if line not in used]
        if not pool:
            pool = [line for s in sets for line in s.all_lines() if line not in used]
        if pool:
            line = rng.choice(sorted(set(pool)))
            examples = tuple(x for x in sorted(set(pool)) if x != line)[:3]
            return line, intent, examples
    # Every related pool is used up: take any unused line the persona has (rare, long sessions).
    spare = sorted({line for s in persona.lines.values() for line in s.all_lines()} - used)
    if spare:
        return rng.choice(spare), decision.intent, ()
    return "...", decision.intent, ()
