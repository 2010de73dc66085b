"""Question types: open, closed, why and leading, per clause of a turn."""

from __future__ import annotations

from feedback.acts.patterns import match_at, search
from feedback.acts.rules import Rules
from feedback.acts.turn import Act, Turn, act, is_finite_verb


def _strip_fillers(rules: Rules, norm: str, start: int, end: int) -> int:
    if rules.fillers is None:
        return start
    m = rules.fillers.match(norm[start:end])
    return start + m.end() if m else start


def _leading_particle(rules: Rules, norm: str, start: int, end: int) -> bool:
    m = search(rules.leading_particles, norm, start, end)
    return bool(m and m.start() > start)


def clause_question_type(rules: Rules, turn: Turn, start: int, end: int, asked: bool) -> str | None:
    """The kind of question one clause asks, if any. `asked`: the sentence ends in '?'."""
    norm, q = turn.norm, rules.q
    s = _strip_fillers(rules, norm, start, end)
    if s >= end or match_at(q["parentheticals"], norm, s, end):
        return None
    why = search(q["why"], norm, s, end)
    # "waarom" inside a statement ("ik leg uit waarom we dit doen") asks nothing
    if why and (asked or why.start() <= s):
        return "why_question"
    if asked and (search(q["leading"], norm, s, end) or _leading_particle(rules, norm, s, end)):
        return "leading_question"
    head = match_at(q["not_questions"], norm, s, end)
    if head:
        return "open_question" if search(q["open_cues"], norm, s, end) else None
    words = turn.tokens_in(s, end)
    verb_next = len(words) > 1 and is_finite_verb(rules, words[1].text)
    wh_open = match_at(q["open_starts"], norm, s, end)
    wh_closed = match_at(q["closed_starts"], norm, s, end)
    if wh_open and wh_open.group().strip().startswith("waar") and not norm.startswith("waarom", s):
        return "open_question" if (asked or verb_next) else None
    if wh_closed:
        return "closed_question" if (asked or verb_next) else None
    if wh_open:
        return "open_question" if (asked or verb_next) else None
    if search(q["open_cues"], norm, s, end) and not search(q["open_cues_unless"], norm, *turn.sentence_of(s)):
        return "open_question"
    if not asked:
        return None
    if words and is_finite_verb(rules, words[0].text) and len(words) > 1:
        second = words[1]
        if second.text in rules.subjects or second.name:
            return "closed_question"
    return None


def questions(rules: Rules, turn: Turn, feeling: Act | None) -> dict[str, Act]:
    """Question types per clause; an untyped question sentence is closed ("U bent het niet eens?"),
    unless it is a tentative feeling reflection ("Ik zie dat u boos bent misschien?")."""
    found: dict[str, Act] = {}

    def add(code: str, s: int, e: int) -> None:
        if code not in found:
            found[code] = act(code, turn, s, e)

    for s, e in turn.sentences:
        asked = "?" in turn.norm[s:e]
        if not asked and search(rules.q["why_statements"], turn.norm, s, e):
            add("why_question", s, e)
        typed = False
        for cs, ce in turn.clauses(s, e):
            kind = clause_question_type(rules, turn, cs, ce, asked)
            if kind:
                add(kind, cs, min(e, ce + 1) if asked and ce < e and turn.norm[ce] == "?" else ce)
                typed = True
        reflects = feeling is not None and s <= feeling.start < e
        if asked and not typed and not reflects and turn.tokens_in(s, e):
            add("closed_question", s, e)
    return found
