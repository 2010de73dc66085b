"""Build tests/data/guard_set.jsonl from sampled contexts, labelled Gemma outputs and perturbations.

Positives are curated lines of the engine's intent in their own context (the line
the engine chose is left out of what the candidate is compared with). Negatives
are curated lines of a contrary intent or another scenario, and perturbations of a
good line that a small model makes: third person, wrong gender, teacher-speak,
English, meta-text, invented facts, quote marks, repeats, echoes, thanks in a quarrel.
"""

from __future__ import annotations

import random
import re
from typing import Any

from tests.voices.guard_set_tools import CONTEXTS, GEMMA, GUARD_SET, read_jsonl, request_of, write_jsonl

CONTRARY = {
    "worried": ("accept_next_step", "closing", "calm_down", "acknowledge"),
    "accepting": ("irritated", "challenge_basis", "leave_angry", "test_boundary"),
    "other": ("leave_angry", "closing", "greet"),
}
WORRIED = {"challenge_basis", "express_worry", "raise_concern", "reveal_concern", "irritated", "test_boundary",
           "leave_angry", "confused"}  # fmt: skip
ACCEPTING = {"accept_next_step", "calm_down", "closing", "acknowledge"}
ENGLISH = [
    "I really think {kind} deserves better than this, honestly.",
    "Well, I don't know what to say about that. My child is doing fine at home.",
    "Thank you for your time, I appreciate the conversation.",
    "Can you explain why {kind} got this advice?",
]
META = [
    "Als ouder zou ik zeggen: {line}",
    "Hier is een mogelijke reactie van de ouder: {line}",
    "{line} (Dit is een voorbeeldantwoord in de rol van de ouder.)",
    "Antwoord: {line}",
]
INVENTED = [
    " Vorig jaar had {hij} nog een 9 voor rekenen.",
    " Op 14 maart zei meester Bram nog dat {hij} naar het vwo kon.",
    " Mijn zus Fatima heeft dat ook al gezegd.",
    " Dat was op dinsdag 3 oktober, dat weet ik nog precies.",
    " Zijn broer Daan heeft havo gedaan, dus dat kan {hij} ook.",
]
SATISFIED = [
    "Bedankt voor het fijne gesprek, ik ben heel tevreden.",
    "Ik ben zeer tevreden over dit gesprek. Bedankt!",
    "Prima, dank u wel, dan zijn we het helemaal eens.",
]
DEMANDS = [
    "Goed, maar ik eis dat {kind} volgende week meteen een andere juf krijgt.",
    "Oké, maar anders ga ik naar de directeur.",
]
TEACHER = [
    "Hoe gaat het thuis met uw kind?",
    "Wij als school vinden het belangrijk dat u op de hoogte bent.",
    "Ik als leerkracht zie dat {kind} in mijn klas goed meedoet.",
    "Wat vindt u er zelf van, als ouder?",
]


def _other_lines(persona: Any, scenario: Any, intents: tuple[str, ...]) -> list[str]:
    out = []
    for source in (persona.lines, scenario.lines):
        for intent in intents:
            if intent in source:
                out += [e.text for e in source[intent].entries()]
    return out


def _fill(text: str, slots: dict[str, str]) -> str:
    for key, value in slots.items():
        text = text.replace("{" + key + "}", value)
    return text[:1].upper() + text[1:]


def _third_person(line: str, first: str, relation: str) -> str | None:
    own = "zijn" if relation == "vader" else "haar"
    if not re.search(r"\b(?:ik|Ik|mijn|Mijn)\b", line):
        return None
    out = re.sub(r"^Ik\b", first, line)
    out = re.sub(r"(?<=[.!?] )Ik\b", first, out)
    out = re.sub(r"\bik\b", first, out)
    out = re.sub(r"\b[Mm]ijn\b", own, out)
    return out if out != line else None


def _swap_gender(line: str, girl: bool) -> str | None:
    swaps = (
        {"zij": "hij", "Zij": "Hij", "haar": "hem", "dochter": "zoon", "meisje": "jongen"}
        if girl
        else {"hij": "zij", "Hij": "Zij", "hem": "haar", "zijn": "haar", "zoon": "dochter", "jongen": "meisje"}
    )
    out = re.sub(r"\b(" + "|".join(swaps) + r")\b", lambda m: swaps[m.group()], line)
    return out if out != line else None


def build(seed: int = 11) -> None:
    from simulator.content.loader import load_library

    rng = random.Random(seed)
    library = load_library()
    contexts = read_jsonl(CONTEXTS)
    out: list[dict[str, Any]] = []

    def add(ctx: dict[str, Any], line: str | None, kind: str, ok: bool) -> None:
        if line:
            out.append({**ctx, "candidate": line, "kind": kind, "label": ok})

    for ctx in contexts:
        request = request_of(ctx, library)
        persona, scenario = request.persona, request.scenario
        child = scenario.dossier.child
        slots = dict(request.slots)
        said = {t for _, t in request.history}
        right = [x for x in request.style_examples if x not in said and x != request.scripted_line]
        add(ctx, rng.choice(right) if right else None, "curated_right", True)
        add(ctx, request.scripted_line if rng.random() < 0.5 else None, "curated_chosen", True)
        group = "worried" if request.intent in WORRIED else "accepting" if request.intent in ACCEPTING else "other"
        wrong = [_fill(x, slots) for x in _other_lines(persona, scenario, CONTRARY[group])]
        add(ctx, rng.choice(wrong) if wrong and rng.random() < 0.6 else None, "curated_wrong", False)
        others = [s for s in library.scenarios.values() if s.dossier.child.name != child.name]
        if rng.random() < 0.35 and others:
            other = rng.choice(others)
            lines = [e.text for ls in other.lines.values() for e in ls.entries() if "{kind}" in e.text]
            if lines:
                from simulator.engine.lines import slot_values

                add(ctx, _fill(rng.choice(lines), slot_values(other, dagdeel="middag")), "other_scenario", False)
        base = request.scripted_line
        first = persona.name.split()[0]
        kind = rng.choice(["third_person", "wrong_gender", "teacher", "english", "meta", "invented_fact", "quoted",
                           "repeat", "echo", "stance"])  # fmt: skip
        if kind == "third_person":
            add(ctx, _third_person(base, first, persona.relation), kind, False)
        elif kind == "wrong_gender":
            add(ctx, _swap_gender(base, child.gender == "meisje"), kind, False)
        elif kind == "teacher":
            add(ctx, _fill(rng.choice(TEACHER), slots), kind, False)
        elif kind == "english":
            add(ctx, _fill(rng.choice(ENGLISH), slots), kind, False)
        elif kind == "meta":
            add(ctx, rng.choice(META).replace("{line}", base), kind, False)
        elif kind == "invented_fact":
            add(ctx, base + _fill(rng.choice(INVENTED), slots), kind, False)
        elif kind == "quoted":
            add(ctx, f"'{base}'", kind, False)
        elif kind == "repeat":
            earlier = [t for s, t in request.history if s == "parent"]
            add(ctx, rng.choice(earlier) if earlier else None, kind, False)
        elif kind == "echo":
            add(ctx, request.teacher_text or None, kind, False)
        elif kind == "stance":
            if request.intent in WORRIED:
                add(ctx, rng.choice(SATISFIED), kind, False)
            elif request.intent in ACCEPTING:
                add(ctx, _fill(rng.choice(DEMANDS), slots), kind, False)
    if GEMMA.exists():
        out += [r for r in read_jsonl(GEMMA) if r.get("label") is not None]
    for i, record in enumerate(out):
        record["id"] = i
    write_jsonl(GUARD_SET, out)
    print(len(out), "records;", sum(bool(r["label"]) for r in out), "good")
