"""Facts about a teacher turn beyond its acts: concrete basis, strengths, concerns, length."""

from __future__ import annotations

from dataclasses import dataclass

from feedback.codes import QUESTION_CODES, REFLECTION_CODES, ROADBLOCK_CODES
from simulator.content.schemas import Scenario
from simulator.engine.lexicon import keyword_hits, lemmas, sentences, words
from simulator.engine.rules import engine_rules

HARSH = ROADBLOCK_CODES | {"jargon", "you_message", "counter_attack"}
"""Plain words do not soften a reproach: plain_language needs a turn without these."""


@dataclass(frozen=True)
class TurnReading:
    """What the engine reads in one teacher turn."""

    codes: tuple[str, ...]
    signals: tuple[str, ...]
    lemmas: frozenset[str]
    explored_concerns: tuple[str, ...]
    next_step: str | None
    is_question: bool
    tells_news: bool


def read_turn(text: str, codes: list[str], scenario: Scenario) -> TurnReading:
    rules = engine_rules().turn
    lem = lemmas(text)
    n_words = len(words(text))
    code_set = set(codes)
    asks = bool(code_set & QUESTION_CODES) or text.rstrip().endswith("?")
    signals: list[str] = []
    if (keyword_hits(lem, scenario.case_keywords) >= 1 and any(ch.isdigit() for ch in text)) or (
        keyword_hits(lem, scenario.case_keywords) >= 2
    ):
        signals.append("concrete_basis")
    if asks and keyword_hits(lem, engine_rules().strength_words) >= 1:
        signals.append("asks_about_strengths")
    explored: list[str] = []
    if asks or code_set & REFLECTION_CODES:
        explored = [c.id for c in scenario.concerns if keyword_hits(lem, c.keywords) >= 1]
        if explored:
            signals.append("explores_concern")
    if n_words >= rules.long_words:
        signals.append("long_turn")
    parts = sentences(text)
    if (
        n_words >= rules.plain_min_words
        and not code_set & HARSH
        and parts
        and n_words / len(parts) <= rules.plain_max_sentence_words
    ):
        signals.append("plain_language")
    if not codes:
        signals.append("no_acts")
    step = None
    if "structuring" in code_set:
        best = 0
        for ns in scenario.next_steps:
            hits = keyword_hits(lem, ns.keywords)
            if hits > best:
                best, step = hits, ns.id
    return TurnReading(
        codes=tuple(codes),
        signals=tuple(signals),
        lemmas=frozenset(lem),
        explored_concerns=tuple(explored),
        next_step=step,
        is_question=asks,
        tells_news=keyword_hits(lem, scenario.news_keywords) >= 1,
    )
