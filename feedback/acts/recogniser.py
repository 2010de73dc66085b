"""`recognise`: every act in one teacher turn, from the questions, feelings, cue lists,
word-class combinations, reflections and jargon rules together.

The engine (how the parent reacts) and the score report both call it, so there is one source of
truth for what the teacher did. Pure Python (regexes + simplemma lemmas), no network, no models.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from feedback.acts.combos import combo_codes
from feedback.acts.feelings import feeling as find_feeling
from feedback.acts.patterns import search
from feedback.acts.questions import questions
from feedback.acts.reflections import paraphrase, parent_texts, summary
from feedback.acts.rules import CodeCues, Rules
from feedback.acts.rules import rules as loaded_rules
from feedback.acts.turn import Act, Turn, act
from feedback.codes import ALL_CODES

REFLECTION_COMPANIONS = frozenset({"feeling_reflection", "closed_question", "open_question"})
"""The only codes a paraphrase shares a turn with."""


def _jargon(rules: Rules, turn: Turn) -> Act | None:
    """The first school term not explained nearby ("de IB'er, dat is ...")."""
    if rules.jargon_terms is None:
        return None
    norm = turn.norm
    w = rules.data.jargon.explain_window
    for m in rules.jargon_terms.finditer(norm):
        before = search(rules.jargon_explained, norm, max(0, m.start() - w), m.start())
        after = search(rules.jargon_explained, norm, m.end(), min(len(norm), m.end() + w))
        if after and after.group() in (":", "(", " - ") and after.start() > m.end() + 3:
            after = None
        if before and before.group() in (":", "(", " - "):
            before = None
        if not before and not after:
            return act("jargon", turn, *m.span())
    return None


def _pattern_code(rule: CodeCues, turn: Turn) -> tuple[int, int] | None:
    """The span of the first cue hit that no `unless` rule cancels."""
    candidates = list(rule.cues.finditer(turn.norm)) if rule.cues is not None else []
    if rule.context_cues is not None and rule.context is not None and rule.context.search(turn.norm):
        candidates.extend(rule.context_cues.finditer(turn.norm))
    for m in sorted(candidates, key=lambda m: m.start()):
        if m.end() == m.start():
            continue
        if rule.unless is not None:
            s, e = turn.sentence_of(m.start())
            if rule.unless.search(turn.norm, s, e):
                continue
        if rule.unless_clause is not None:
            cs, _ = turn.clause_of(m.start())
            if rule.unless_clause.search(turn.norm, cs, m.end()):
                continue
        return m.span()
    return None


SMALL_TALK_CODES = frozenset(
    {"open_question", "closed_question", "why_question", "leading_question", "premature_advice"}
)
"""Codes that a small-talk sentence ("Lekker weertje, toch?", "Wilt u koffie?") does not carry."""


def _drop_small_talk(rules: Rules, turn: Turn, found: dict[str, Act]) -> None:
    """Remove questions and advice whose sentence is small talk."""
    if rules.no_act is None:
        return
    for s, e in turn.sentences:
        if not rules.no_act.search(turn.norm, s, e):
            continue
        for code in [c for c, a in found.items() if c in SMALL_TALK_CODES and s <= a.start < e]:
            del found[code]


def _pair(item: Any) -> tuple[str, str] | None:
    speaker: Any = None
    text: Any = None
    if isinstance(item, Mapping):
        speaker = item.get("speaker", item.get("role"))
        text = item.get("text", item.get("content"))
    elif isinstance(item, Sequence) and not isinstance(item, str | bytes) and len(item) >= 2:
        speaker, text = item[0], item[1]
    if isinstance(speaker, str) and isinstance(text, str):
        return speaker.strip().lower(), text
    return None


def history_from_json(value: Any) -> list[tuple[str, str]]:
    """History from JSON: a list of [speaker, text] pairs or {"speaker", "text"} objects."""
    if not value or isinstance(value, str | bytes):
        return []
    try:
        items = list(value)
    except TypeError:
        return []
    return [p for p in map(_pair, items) if p is not None]


RECENT_PARENT_TURNS = 6
"""How far back the reflections look: a summary gathers at most the last six parent turns."""


def _recent_history(history: Any) -> list[tuple[str, str]]:
    """The tail of the history that holds the last few parent turns, read from the end.

    Reading only the tail keeps one turn's cost independent of the transcript's length, so a
    whole transcript is recognised in linear time.
    """
    if not history or isinstance(history, str | bytes):
        return []
    if not isinstance(history, Sequence):
        return history_from_json(history)
    out: list[tuple[str, str]] = []
    parents = 0
    for item in reversed(history):
        pair = _pair(item)
        if pair is None:
            continue
        out.append(pair)
        parents += pair[0] == "parent"
        if parents > RECENT_PARENT_TURNS:
            break
    out.reverse()
    return out


def recognise(
    text: str,
    parent_before: str | None = None,
    history: Sequence[tuple[str, str]] = (),
    embedder: Any = None,
) -> list[Act]:
    """The acts in one teacher turn, at most one per code, in `ALL_CODES` order.

    history = the (speaker, text) turns BEFORE this teacher turn; speaker is 'teacher' or
    'parent'. If parent_before is None, the last parent turn in history is used. An embedder
    with `semantic` true lets the paraphrase check compare meaning, not only shared words.
    """
    if not isinstance(text, str) or not text.strip():
        return []
    rules = loaded_rules()
    turn = Turn(text, rules)
    hist = _recent_history(history)
    parent = parent_before if isinstance(parent_before, str) and parent_before.strip() else None
    parents = parent_texts(parent, hist)
    if parent is None and parents:
        parent = parents[-1]

    feeling = find_feeling(rules, turn)
    found: dict[str, Act] = dict(questions(rules, turn, feeling))
    if feeling:
        found["feeling_reflection"] = feeling
    for code, rule in rules.code_rules.items():
        span = _pattern_code(rule, turn)
        if span:
            found[code] = act(code, turn, *span)
    combo = combo_codes(rules, turn, found)
    lead, closed = combo.get("leading_question"), found.get("closed_question")
    if lead and closed and lead.start <= closed.start < lead.end:  # one type per question
        del found["closed_question"]
    found.update(combo)
    # A paraphrase reflects; a turn that advises, defends, limits or attacks is not a reflection,
    # even when it reuses the parent's words (the codebook and every labelled set agree).
    if parent and not set(found) - REFLECTION_COMPANIONS:
        recent = parents if parents and parents[-1] == parent else [*parents, parent]
        para = paraphrase(rules, turn, recent, feeling is not None, set(found), embedder)
        if para:
            found["paraphrase"] = para
    summ = summary(rules, turn, parents)
    if summ:
        found["summary"] = summ
    jargon = _jargon(rules, turn)
    if jargon:
        found["jargon"] = jargon
    _drop_small_talk(rules, turn, found)
    for winner, losers in rules.drops.items():
        if winner in found:
            for loser in losers:
                found.pop(loser, None)
    return [found[c] for c in ALL_CODES if c in found]


def codes_of(acts: Iterable[Act]) -> list[str]:
    """Just the codes, in order: what the engine's effect tables and the gold set compare."""
    return [a.code for a in acts]
