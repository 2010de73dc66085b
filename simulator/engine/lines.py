"""Pick and fill the curated line for a decision: right intent, right band, never repeated.

When an intent's pool is used up, the parent falls back to a neighbouring
intent that still makes sense, so a conversation never repeats a line. Lines
that do not fit this conversation (medium, conversation type, u/je) are skipped.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from datetime import datetime

from simulator.content.register import band_address, fits_address
from simulator.content.schemas import LineSet, Persona, Scenario, TaggedLine
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
    "leave_angry": ("threaten_leave", "irritated"),
    "closing": ("acknowledge",),
    "greet": ("greet_back", "express_worry"),
    "ask_news": ("greet",),
    "greet_back": ("small_talk", "acknowledge"),
    "small_talk": ("greet_back", "acknowledge"),
    "dont_know": ("confused", "acknowledge"),
    "react_new_fact": ("express_worry", "acknowledge"),
    "repair": ("confused",),
    "repeat_noticed": ("irritated",),
    "defend": ("irritated", "challenge_basis"),
    "correct": ("irritated", "challenge_basis"),
    "doubt_next_step": ("challenge_basis", "express_worry"),
    "threaten_leave": ("irritated",),
    "accept_limit": ("calm_down", "acknowledge"),
    "child_prompt": ("small_talk",),
}

_SENTENCE_START = re.compile(r"(^|(?<!\.)[.!?]\s+)([a-zà-ÿ])")


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
    """Fill `{slot}`s and capitalise sentence starts ("{vorige_leerkracht} zei" -> "Meester Ruud zei").

    An unknown slot stays visible rather than crashing a conversation.
    """
    out = text
    for key, value in slots.items():
        out = out.replace("{" + key + "}", value)
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), out)


def fits(line: TaggedLine, persona: Persona, scenario: Scenario, band: str) -> bool:
    """Does this line fit this conversation: its medium, its type, and the parent's u or je?"""
    if line.medium and line.medium != scenario.medium:
        return False
    if line.types and scenario.type not in line.types:
        return False
    return fits_address(line.text, line.address, band_address(persona, band))


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
    if intent == "greet" and "greet" in sources[2]:
        sources = sources[2:]  # this parent's own opening for this meeting (planned, a call, after a mail)
    elif intent == "greet" and "greet" in sources[1]:
        sources = sources[1:]
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
) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    """(raw line, intent actually used, style examples, the whole pool) for a decision; never a used line.

    The pool holds every line that could word this decision here, the chosen one included, so a
    voice that ranks curated lines (the model chooses, the curated lines speak) can pick another.
    """
    chain = (decision.intent, *FALLBACKS.get(decision.intent, ()))

    def usable(entries: list[TaggedLine]) -> list[str]:
        return [x.text for x in entries if x.text not in used and fits(x, persona, scenario, band)]

    # First the mood's own band along the whole chain, then any band: a parent whose irritation has
    # grown does not fall back to a mild line while a fitting neighbour intent still has one.
    topical = decision.answer or decision.concern_id or decision.next_step_id or decision.boundary_kind
    passes = [(chain[:1], False), (chain[:1], True)] if topical else []
    passes += [(chain, False), (chain, True)]
    for intents, any_band in passes:
        for intent in intents:
            sets = linesets(persona, scenario, decision, intent)
            pool = [line for s in sets for line in usable(s.entries() if any_band else s.band_entries(band))]
            if pool:
                ordered = sorted(set(pool))
                line = rng.choice(ordered)
                examples = tuple(x for x in ordered if x != line)[:3]
                return line, intent, examples, tuple(ordered)
    # Every related pool is used up: take any unused line the persona has (rare, long sessions).
    spare = sorted({line for s in persona.lines.values() for line in usable(s.band_entries(band))})
    if spare:
        line = rng.choice(spare)
        return line, decision.intent, (), (line,)
    return "...", decision.intent, (), ()
