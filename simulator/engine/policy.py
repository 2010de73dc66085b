"""Move first, agenda second: how the parent builds a turn in answer to the teacher.

Every teacher move calls for a fitting second part (conversation analysis calls
these adjacency pairs): a question an answer, a greeting a greeting, news a
reaction, an attack a defence, a goodbye a closing. The parent says that first,
and only then, if the state and the persona call for it, adds their own agenda.
The state colours both parts (the tension band picks the wording).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from simulator.engine.director import (
    IRRITATING,
    Context,
    Decision,
    agenda,
    answer_topics,
    before_news,
    best_topic,
    hidden_ready,
    news_reaction,
    walkout,
)
from simulator.engine.rules import engine_rules
from simulator.engine.state import ParentState, band
from simulator.engine.understanding import GuessedMove


class MoveLike(Protocol):
    kind: str
    topic: str | None
    score: float


def judge_outcome(state: ParentState, by_teacher: bool = True) -> str:
    """The outcome at the end, from the state and the agreements made."""
    if state.agreements and state.tension <= engine_rules().closing.agreement_max_tension:
        return "agreement"
    if by_teacher and state.consequences and state.limits_named + len(state.tested) > 0:
        return "ended_by_teacher"
    return "stopped"


def _topic_answer(ctx: Context, topic: str | None) -> Decision | None:
    """The response to a question, by the topic it is about."""
    if topic is None:
        return None
    head, _, rest = topic.partition(":")
    persona, scenario, state = ctx.persona, ctx.scenario, ctx.state
    if head == "answer":
        found = next((a for a in answer_topics(persona, scenario) if a.id == rest), None)
        return Decision("answer", answer=found) if found else None
    if head == "life":
        found = next((a for a in persona.answers if a.life == rest), None)
        return Decision("answer", answer=found) if found else None
    if head == "unknown":
        return Decision("dont_know")
    if head == "fact":
        return Decision("react_new_fact")
    if head == "concern":
        concern = next((c for c in scenario.concerns if c.id == rest), None)
        if concern is None:
            return None
        if concern.hidden:
            return Decision("reveal_concern", concern_id=rest) if hidden_ready(scenario, state) == rest else None
        if state.concerns.get(rest) == "unraised":
            return Decision("raise_concern", concern_id=rest)
        return Decision("express_worry")
    return None


def _proposal(ctx: Context, step: str | None) -> Decision:
    a = engine_rules().agreement
    state = ctx.state
    if "caving" in ctx.codes:
        return Decision("challenge_basis")
    if (
        step
        and state.tension <= a.max_tension
        and state.trust >= a.min_trust
        and state.heard >= a.min_heard
        and ctx.teacher_turns >= a.min_turns
        and state.news_given
    ):
        return Decision("accept_next_step", next_step_id=step)
    return Decision("doubt_next_step", next_step_id=step)


def _first(moves: Sequence[MoveLike], kind: str) -> MoveLike | None:
    return next((m for m in moves if m.kind == kind), None)


def respond(ctx: Context, moves: Sequence[MoveLike], repeats: int) -> Decision | None:
    """The second part the teacher's move calls for; None when nothing calls for one."""
    kinds, codes, state = ctx.kinds, ctx.codes, ctx.state
    main = moves[0].kind if moves else None
    guessed = not moves or all(isinstance(m, GuessedMove) for m in moves)
    if main == "unintelligible":
        return Decision("repair")
    if "attack" in kinds:
        return Decision("defend")
    if state.limit_landed:
        return Decision("calm_down")
    if ctx.to_child and not kinds & {"attack", "goodbye"}:
        return Decision("child_prompt")  # the parent lets the child answer, and helps a little
    if repeats >= 2 or (repeats >= 1 and "repeat" in kinds):
        return Decision("repeat_noticed")
    if ctx.news_now:
        return news_reaction(ctx.persona)
    if "caving" in codes and state.news_given:  # the teacher gives in: the parent pushes on
        return Decision("challenge_basis")
    question = _first(moves, "question")
    greets = "greeting" in kinds and ctx.teacher_turns <= 2 and not state.greeted
    if greets and not (question and question.topic):
        return Decision("greet_back")  # "Hallo, stoor ik?": a greeting calls for a greeting
    proposal = _first(moves, "proposal")
    if proposal is not None or ctx.reading.next_step:
        topic = proposal.topic if proposal is not None else None
        step = topic.partition(":")[2] if topic and topic.startswith("next_step:") else ctx.reading.next_step
        return _proposal(ctx, step)
    if "jargon" in codes:
        return Decision("confused")
    if "new_fact" in kinds:
        return Decision("react_new_fact")
    told = _first(moves, "information")
    if told is not None and told.topic and question is None:  # the parent adds their view on that topic
        about = _topic_answer(ctx, told.topic)
        if about is not None and about.intent in {"answer", "raise_concern"}:
            return about
    if "limit" in kinds:  # no line was crossed: a high parent tests it, a calmer one takes note
        return Decision("irritated" if band(state.tension) == "high" else "accept_limit")
    if question is not None or (not moves and ctx.reading.is_question):
        found = _topic_answer(ctx, question.topic if question else None)
        if found is None and guessed:  # no move classifier: the case's own keywords decide the topic
            topic = best_topic(ctx.reading, answer_topics(ctx.persona, ctx.scenario))
            found = Decision("answer", answer=topic) if topic else None
        if found is None:  # a question about nothing in the case: a short answer, or something from home
            found = Decision("example_from_home" if "open_question" in codes else "small_talk")
        return found
    if kinds & {"check", "reflection"}:
        miss = any(m.kind in {"check", "reflection"} and m.topic == "miss" for m in moves)
        return Decision("correct" if miss else "acknowledge")
    if greets:
        return Decision("greet_back")
    if "small_talk" in kinds or "greeting" in kinds:
        return Decision("small_talk")
    if codes & IRRITATING:
        return Decision("irritated")
    if "thanks" in kinds:
        return Decision("small_talk")
    return None


def decide(ctx: Context, moves: Sequence[MoveLike], repeats: int) -> Decision:
    """The whole parent turn: a response, an agenda part, or both (the agenda carries the lead)."""
    if "goodbye" in ctx.kinds:  # the teacher ends the conversation: the parent closes, warmly or coolly
        return Decision("closing", ends=judge_outcome(ctx.state))
    leaving = walkout(ctx)
    if leaving is not None and leaving.ends:
        return leaving
    response = respond(ctx, moves, repeats)
    if response is not None and response.ends:
        return response
    if leaving is not None:  # a threat before a walkout, after the parent's defence
        return replace(leaving, lead=response if response and response.intent == "defend" else None)
    own = agenda(ctx, response)
    if response is not None and own is None:
        response = before_news(response, ctx.state)
    if own is None:
        return response if response is not None else Decision("express_worry")
    own = before_news(own, ctx.state)
    if response is None or response.intent == own.intent:
        return own
    return replace(own, lead=response)
