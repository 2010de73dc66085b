"""The parent's own agenda: what they push after answering the teacher (or instead, when nothing was asked).

The order of the checks is the parent's psychology: a parent who is about to
leave says so first; a boundary test needs a trigger (a provoking act, earlier
caving, or the parent's own demand once the news has landed), never a tension
number alone; one who feels heard starts to tell more.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from feedback.codes import REFLECTION_CODES
from simulator.content.schemas import Answer, Persona, Scenario
from simulator.engine.lexicon import keyword_hits
from simulator.engine.rules import engine_rules
from simulator.engine.signals import TurnReading
from simulator.engine.state import ParentState, band, boundary_threshold

IRRITATING = frozenset({"defending", "dismissing", "why_question", "you_message", "leading_question"})


@dataclass(frozen=True)
class Decision:
    """One part of a parent turn; `lead` is the response part said before it, when there is one."""

    intent: str
    boundary_kind: str | None = None
    answer: Answer | None = None
    concern_id: str | None = None
    next_step_id: str | None = None
    ends: str | None = None
    lead: Decision | None = None


@dataclass(frozen=True)
class Context:
    """Everything the policy knows about the turn it answers."""

    persona: Persona
    scenario: Scenario
    state: ParentState
    reading: TurnReading
    rng: random.Random
    teacher_turns: int
    kinds: frozenset[str] = frozenset()
    news_now: bool = False
    provoked: bool = False
    to_child: bool = False  # the teacher spoke to the child (who is there), not to the parent

    @property
    def codes(self) -> set[str]:
        return set(self.reading.codes)


def answer_topics(persona: Persona, scenario: Scenario) -> list[Answer]:
    return [a for a in (*scenario.answers, *persona.answers) if not a.roles or persona.role in a.roles]


def best_topic(reading: TurnReading, topics: list[Answer]) -> Answer | None:
    best, chosen = 0, None
    for topic in topics:
        hits = keyword_hits(reading.lemmas, topic.keywords)
        if hits > best:
            best, chosen = hits, topic
    return chosen


def provoking(codes: set[str], kinds: frozenset[str]) -> bool:
    return bool(codes & set(engine_rules().boundary.provoking)) or "attack" in kinds


def walkout(ctx: Context) -> Decision | None:
    """Leave only after sustained high tension plus provocation or an ignored limit, and after a threat."""
    r = engine_rules().escalation
    state = ctx.state
    if ctx.teacher_turns < r.earliest_unprovoked_walkout and not ctx.provoked:
        return None
    high = band(state.tension) == "high"
    sustained = state.high_turns >= r.sustained_turns
    hot = state.tension >= r.leave_tension and sustained and (ctx.provoked or state.ignored_limits > 0)
    ignored = state.ignored_limits >= r.leave_after_ignored and high
    struck_back = "counter_attack" in ctx.codes and high and sustained
    if not (hot or ignored or struck_back):
        return None
    if state.threatened:
        return Decision("leave_angry", ends="escalation")
    return Decision("threaten_leave")


def boundary(ctx: Context) -> str | None:
    """The boundary this parent tests now, if something triggered it."""
    rules = engine_rules()
    state = ctx.state
    if ctx.teacher_turns - state.tested_at < rules.escalation.test_every or ctx.news_now:
        return None
    early = ctx.teacher_turns < rules.boundary.earliest_turn
    if early and not ctx.kinds & {"attack"}:
        return None  # not in the first parent turns, unless the teacher attacked
    caved = state.caved > state.caved_at_test and state.news_given
    own = (
        state.news_given
        and state.news_at >= 0
        and ctx.teacher_turns - state.news_at >= rules.boundary.own_agenda_after_news
        and state.last_change >= 0
    )
    mine = set(rules.boundary.own_agenda)

    def triggered(kind: str) -> bool:
        """Provocation sets off a reaction; the parent's own demand needs its own moment (or caving)."""
        if kind in mine:
            return caved or own
        return ctx.provoked or caved

    recent = state.tested[-2:]
    expected = {m.kind for m in ctx.scenario.boundary_moments}
    ready = [
        b
        for b in ctx.persona.boundary_behaviours
        if state.tension >= boundary_threshold(b.min_tension, state.caved)
        and b.kind not in recent
        and triggered(b.kind)
    ]
    if not ready:
        return None
    ready.sort(key=lambda b: (b.kind not in expected, b.kind in state.tested, -b.min_tension))
    return ready[0].kind


def hidden_ready(scenario: Scenario, state: ParentState) -> str | None:
    for c in scenario.concerns:
        if (
            c.hidden
            and state.concerns.get(c.id) == "unraised"
            and state.heard >= c.reveal_heard
            and state.explorations >= c.reveal_explorations
        ):
            return c.id
    return None


def open_concern(scenario: Scenario, state: ParentState) -> str | None:
    for c in scenario.concerns:
        if not c.hidden and state.concerns.get(c.id) == "unraised":
            return c.id
    return None


QUIET_RESPONSES = frozenset(
    {"closing", "repair", "calm_down", "leave_angry", "threaten_leave", "repeat_noticed", "child_prompt"}
)
"""After these the parent adds nothing of their own."""

ADDS_TO = frozenset(
    {"answer", "small_talk", "greet_back", "acknowledge", "react_new_fact", "dont_know", "doubt_next_step"}
)
"""Responses after which a parent may add a worry or concern of their own."""


def agenda(ctx: Context, response: Decision | None) -> Decision | None:
    """The parent's own part of the turn, after the response (or the whole turn without one)."""
    state, scenario = ctx.state, ctx.scenario
    if response is not None and (response.intent in QUIET_RESPONSES or response.ends):
        return None
    if response is not None and response.intent == "confused":  # first understand, then push
        return Decision("ask_news") if not state.news_given and ctx.teacher_turns >= 2 else None
    kind = boundary(ctx)
    if kind and not ctx.kinds & {"limit"}:
        return Decision("test_boundary", boundary_kind=kind)
    soft = response is not None and response.intent in {"defend", "irritated", "confused"}
    hidden = hidden_ready(scenario, state)
    if hidden and not soft:
        return Decision("reveal_concern", concern_id=hidden)
    if not state.news_given and (response is None or ctx.teacher_turns >= 2):
        return Decision("ask_news")
    if response is not None:
        return _addition(ctx, response)
    return _own_turn(ctx)


def _addition(ctx: Context, response: Decision) -> Decision | None:
    """Sometimes, by persona, a concern or a challenge after the answer."""
    rules = engine_rules().agenda
    state = ctx.state
    if response.intent not in ADDS_TO or ctx.teacher_turns < 2:
        return None
    if ctx.rng.random() >= rules.chance.get(ctx.persona.role, rules.chance["default"]):
        return None
    concern = open_concern(ctx.scenario, state)
    if concern and concern != response.concern_id:
        return Decision("raise_concern", concern_id=concern)
    if ctx.scenario.bad_news and state.trust < 40 and response.intent != "doubt_next_step":
        return Decision("challenge_basis")
    return None


def _own_turn(ctx: Context) -> Decision:
    """Nothing to answer (information, a statement): the parent's own next step."""
    state, scenario, codes = ctx.state, ctx.scenario, ctx.codes
    if "caving" in codes:
        return Decision("challenge_basis")
    if "jargon" in codes:
        return Decision("confused")
    if codes & IRRITATING:
        return Decision("irritated")
    if codes & REFLECTION_CODES or "affirmation" in codes:
        return Decision("acknowledge")
    concern = open_concern(scenario, state)
    if concern and ctx.teacher_turns <= 3:
        return Decision("raise_concern", concern_id=concern)
    if "holds_position" in codes or "concrete_basis" in ctx.reading.signals:
        return Decision("challenge_basis")  # the teacher argues the case: the parent questions its basis
    if state.phase == "negotiating" and ctx.persona.role == "pleitbezorger" and state.trust < 45:
        return Decision("challenge_basis")
    return Decision(ctx.rng.choice(("express_worry", "example_from_home")))


PRESUME_NEWS = frozenset({"challenge_basis", "express_worry", "example_from_home", "raise_concern", "acknowledge"})


def before_news(decision: Decision, state: ParentState) -> Decision:
    """Before the bad news the parent cannot argue with it: they ask for it instead."""
    if not state.news_given and decision.intent in PRESUME_NEWS:
        return Decision("ask_news", lead=decision.lead)
    return decision


def news_reaction(persona: Persona) -> Decision:
    reactions = engine_rules().news.reaction
    return Decision(reactions.get(persona.role, reactions["default"]))


def next_phase(state: ParentState, decision: Decision, teacher_turns: int) -> str:
    if decision.ends:
        return "closing"
    if decision.intent in {"challenge_basis", "test_boundary"} or teacher_turns >= 6:
        return "negotiating"
    if teacher_turns >= 1:
        return "exploring"
    return state.phase
