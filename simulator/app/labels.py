"""Short Dutch UI labels for codes the app shows (acts, outcomes, difficulty, speakers).

These are labels, not content: the texts a trainee reads at length (lines,
dossiers, explanations) come from YAML and the feedback engine.
"""

from __future__ import annotations

ACT_LABELS: dict[str, str] = {
    "open_question": "open vraag",
    "closed_question": "gesloten vraag",
    "why_question": "waarom-vraag",
    "leading_question": "suggestieve vraag",
    "paraphrase": "parafrase",
    "feeling_reflection": "gevoelsreflectie",
    "summary": "samenvatting",
    "affirmation": "waardering",
    "premature_advice": "te vroeg advies",
    "dismissing": "geruststellen/bagatelliseren",
    "jargon": "jargon",
    "defending": "verdedigen",
    "i_message": "ik-boodschap",
    "you_message": "jij-boodschap",
    "name_limit": "grens benoemd",
    "consequence": "consequentie",
    "holds_position": "standpunt vastgehouden",
    "caving": "toegegeven",
    "counter_attack": "tegenaanval",
    "structuring": "structuur",
}

COUNTERS: tuple[tuple[str, str], ...] = (
    ("open_question", "Open vragen"),
    ("closed_question", "Gesloten vragen"),
    ("paraphrase", "Parafrases"),
    ("summary", "Samenvattingen"),
    ("feeling_reflection", "Gevoelsreflecties"),
)
"""The live listening counters on the Gesprek screen, in display order."""

OUTCOMES: dict[str, str] = {
    "agreement": "Afspraak gemaakt",
    "escalation": "Escalatie: de ouder vertrok of kondigde een klacht aan",
    "ended_by_teacher": "Beëindigd door de leerkracht na grens en consequentie",
    "time_up": "De tijd is om",
    "stopped": "Gestopt zonder afspraak",
    "in_progress": "Nog niet afgerond",
}

DIFFICULTY_LABELS: dict[str, str] = {
    "makkelijk": "Makkelijk: rustiger start, minder gevoelig",
    "normaal": "Normaal",
    "moeilijk": "Moeilijk: gespannen start, gevoeliger",
}

VOICE_LABELS: dict[str, str] = {
    "scripted": "Vaste teksten",
    "local": "Taalmodel (lokaal)",
    "server": "Taalmodel (server)",
}

SPEAKERS: dict[str, str] = {"teacher": "Jij", "parent": "Ouder"}

TYPE_LABELS: dict[str, str] = {
    "adviesgesprek": "Adviesgesprek",
    "startgesprek": "Startgesprek",
    "zorggesprek": "Zorggesprek",
    "incident": "Incidentgesprek",
    "voortgangsgesprek": "Voortgangsgesprek",
}


def act_label(code: str) -> str:
    return ACT_LABELS.get(code, code)


def outcome_label(outcome: str | None) -> str:
    return OUTCOMES.get(outcome or "", outcome or "onbekend")

ROLE_LABELS: dict[str, str] = {
    "anxious": "bezorgde ouder",
    "pleitbezorger": "pleitbezorger",
    "disengaged": "ouder op afstand",
}


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)
