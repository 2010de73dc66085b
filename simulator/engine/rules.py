"""The engine's general rules, loaded from rules.yaml and validated like all content."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from simulator.content.files import load_model


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bands(_Rule):
    low_below: int
    high_above: int


class Difficulty(_Rule):
    start_tension: int
    sensitivity: float


class RuleEffect(_Rule):
    tension: int = 0
    trust: int = 0
    heard: int = 0
    why: str


class NewsRules(_Rule):
    impact: RuleEffect
    delayed: RuleEffect
    reaction: dict[str, str]


class Saturation(_Rule):
    floor: float = Field(ge=0.0, le=1.0)


class CavingRule(_Rule):
    threshold_drop: int
    why: str


class Exploration(_Rule):
    acts: list[str]
    max_tension: int


class Escalation(_Rule):
    leave_tension: int
    leave_after_ignored: int
    test_every: int
    boundary_lasts: int
    sustained_turns: int
    earliest_unprovoked_walkout: int


class AttackRule(RuleEffect):
    min_rise: int


class FormulaRule(_Rule):
    wear: list[float]
    similarity: float = Field(ge=0.0, le=1.0)
    irritate: RuleEffect


class BoundaryTriggers(_Rule):
    earliest_turn: int
    provoking: list[str]
    own_agenda: list[str]
    own_agenda_after_news: int


class AgendaRules(_Rule):
    chance: dict[str, float]
    neutral_moves: list[str]
    neutral_effects: list[str]


class ClosingRules(_Rule):
    agreement_max_tension: int


class Agreement(_Rule):
    max_tension: int
    min_trust: int
    min_heard: int
    min_turns: int


class TurnRules(_Rule):
    long_words: int
    plain_max_sentence_words: int
    plain_min_words: int
    words_per_minute: int


class Dagdeel(_Rule):
    morning: str
    afternoon: str
    evening: str


class EngineRules(_Rule):
    bands: Bands
    difficulty: dict[str, Difficulty] = Field(min_length=1)
    limit_lands: RuleEffect
    limit_ignored: RuleEffect
    limit_acknowledged: RuleEffect
    limit_answers: dict[str, list[str]]
    limit_acknowledging: list[str]
    limit_unneeded: RuleEffect
    news: NewsRules
    saturation: Saturation
    caving_teaches: CavingRule
    exploration: Exploration
    escalation: Escalation
    agreement: Agreement
    turn: TurnRules
    strength_words: list[str]
    dagdeel: Dagdeel
    attack: AttackRule
    formula: FormulaRule
    boundary: BoundaryTriggers
    agenda: AgendaRules
    closing: ClosingRules


@cache
def engine_rules() -> EngineRules:
    path = Path(str(resources.files("simulator.engine") / "rules.yaml"))
    return load_model(EngineRules, path)
