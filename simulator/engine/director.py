"""Choose the parent's next intent from the state, the phase and the teacher's last turn.

The order of the checks is the parent's psychology: a parent who is about to
explode reacts to that first; one who feels heard starts to tell more; a
question gets an answer about *that* question.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from feedback.codes import REFLECTION_CODES
from simulator.content.schemas import Answer, Persona, Scenario
from simulator.engine.lexicon import keyword_hits
from simulator.engine.rules import engine_rules
from simulator.engine.signals import TurnReading
from simulator.engine.state import LIMIT_CODES, ParentState, boundary_threshold

IRRITATING = frozenset({"defending", "dismissing", "why_question", "you_message", "leading_question"})


@dataclass(frozen=True)
class Decision:
    intent: str
    boundary_kind: str | None = None
    answer: Answer | None = None
    concern_id: str | None = None
    next_step_id: str | None = None
    ends: str | None = None


def answer_topics(persona: Persona, scenario: Scenario) -> list[Answer]:
    return [a for a in (*scenario.answers, *persona.answers) if not a.roles or persona.role in a.roles]


def _best_topic(reading: TurnReading, topics: list[Answer]) -> Answer | None:
    best, chosen = 0, None
    for topic in topics:
        hits = keyword_hits(reading.lemmas, topic.keywords)
        if hits > best:
            best, chosen = hits, topic
    return chosen


def _boundary(persona: Persona, scenario: Scenario, state: ParentState, teacher_turns: int) -> str | None:
    """The boundary this parent tests now: tension at a threshold and rising (or high), not just tested."""
    rules = engine_rules()
    if teacher_turns - state.tested_at < rules.escalation.test_every:
        return None
    if state.last_change <= 0 and state.tension <= rules.bands.high_above:
        return None
    recent = state.tested[-2:]
    expected = {m.kind for m in scenario.boundary_moments}
    ready = [
        b
        for b in persona.boundary_behaviours
        if state.tension >= boundary_threshold(b.min_tension, state.caved) and b.kind not in recent
    ]
    if not ready:
        return None
    ready.sort(key=lambda b: (b.kind not in expected, b.kind in state.tested, -b.min_tension))
    return ready[0].kind


def _hidden_ready(scenario: Scenario, state: ParentState) -> str | None:
    for c in scenario.concerns:
        if (
            c.hidden
            and state.concerns.get(c.id) == "unraised"
            and state.heard >= c.reveal_heard
            and state.explorations >= c.reveal_explorations
        ):
            return c.id
    return None


def _open_concern(scenario: Scenario, state: ParentState) -> str | None:
    for c in scenario.concerns:
        if not c.hidden and state.concerns.get(c.id) == "unraised":
            return c.id
    return None


def choose(
    persona: Persona,
    scenario: Scenario,
    state: ParentState,
    reading: TurnReading,
    rng: random.Random,
    teacher_turns: int,
) -> Decision:
    """The parent's next intent after a teacher turn (state already updated)."""
    rules = engine_rules()
    codes = set(reading.codes)
    limit_now = bool(LIMIT_CODES & codes)

    if state.tension >= rules.escalation.leave_tension or (
        state.ignored_limits >= rules.escalation.leave_after_ignored and state.tension > rules.bands.high_above
    ):
        return Decision("leave_angry", ends="escalation")
    if "counter_attack" in codes and state.tension > rules.bands.high_above:
        return Decision("leave_angry", ends="escalation")

    if state.limit_landed:
        return Decision("calm_down")

    kind = _boundary(persona, scenario, state, teacher_turns)
    if kind and not limit_now:
        return Decision("test_boundary", boundary_kind=kind)

    if reading.next_step and not codes & {"caving"}:
        a = rules.agreement
        if (
            state.tension <= a.max_tension
            and state.trust >= a.min_trust
            and state.heard >= a.min_heard
            and teacher_turns >= a.min_turns
            and state.news_given
        ):
            return Decision("accept_next_step", next_step_id=reading.next_step, ends="agreement")
        return Decision("challenge_basis" if rng.random() < 0.5 else "express_worry")

    if "caving" in codes:
        return Decision("challenge_basis")
    if "jargon" in codes:
        return Decision("confused")
    if codes & IRRITATING:
        return Decision("irritated")

    hidden = _hidden_ready(scenario, state)
    if hidden:
        return Decision("reveal_concern", concern_id=hidden)

    if codes & REFLECTION_CODES and not codes & {"open_question", "why_question", "leading_question"}:
        return Decision("acknowledge")  # a reflection with a check ("Klopt dat?") is not a new question

    if reading.is_question:
        for cid in reading.explored_concerns:
            concern = next(c for c in scenario.concerns if c.id == cid)
            if not concern.hidden and state.concerns.get(cid) == "unraised":
                return Decision("raise_concern", concern_id=cid)
        topic = _best_topic(reading, answer_topics(persona, scenario))
        if topic is not None:
            return Decision("answer", answer=topic)
        return Decision("example_from_home" if "open_question" in codes else "express_worry")

    if "affirmation" in codes:
        return Decision("acknowledge")

    concern = _open_concern(scenario, state)
    if concern and teacher_turns <= 3:
        return Decision("raise_concern", concern_id=concern)
    if state.phase == "negotiating" or "holds_position" in codes or "concrete_basis" in reading.signals:
        return Decision("challenge_basis")
    return Decision(rng.choice(("express_worry", "example_from_home", "challenge_basis")))


PRESUME_NEWS = frozenset({"challenge_basis", "express_worry", "example_from_home", "raise_concern", "acknowledge"})
OVERRIDES_NEWS = frozenset({"leave_angry", "test_boundary", "calm_down", "confused", "irritated"})


def news_reaction(decision: Decision, persona: Persona, state: ParentState, news_now: bool) -> Decision:
    """Bad news first: before it, the parent asks for it; right after it, the parent reacts to it."""
    if decision.intent in OVERRIDES_NEWS or decision.ends:
        return decision
    if not state.news_given and decision.intent in PRESUME_NEWS:
        return Decision("ask_news")
    if news_now:
        reactions = engine_rules().news.reaction
        return Decision(reactions.get(persona.role, reactions["default"]))
    return decision


def next_phase(state: ParentState, decision: Decision, teacher_turns: int) -> str:
    if decision.ends:
        return "closing"
    if decision.intent in {"challenge_basis", "test_boundary"} or teacher_turns >= 6:
        return "negotiating"
    if teacher_turns >= 1:
        return "exploring"
    return state.phase
