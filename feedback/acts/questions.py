"""Question types: open, closed, why and leading, per clause of a turn."""

from __future__ import annotations

import re

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


_OWN_REASON = re.compile(r"waarom\s+(ik|we|wij)\b")
"""An embedded "waarom ik/we ..." gives the teacher's own reasons ("Weet u waarom ik u uitnodigde?")."""
_CONDITIONAL_TAIL = re.compile(r",\s*(dan|anders)\b|^\s*weet (u|je) wat\b")


def _unmarked_question(rules: Rules, turn: Turn, start: int, end: int) -> bool:
    """A sentence that opens with a finite verb and a subject, with no "?" typed: still a
    yes/no question, unless it is a conditional ("Gaat u zo door, dan ...") or "Weet u wat, ..."."""
    s, e = turn.sentence_of(start)
    if s != start:
        return False
    words = turn.tokens_in(start, end)
    if len(words) < 3 or words[0].text not in rules.unmarked_question_verbs:
        return False
    if words[1].text not in rules.unmarked_question_subjects:
        return False
    return _CONDITIONAL_TAIL.search(turn.norm, s, e) is None and not _CONDITIONAL_TAIL.match(turn.norm[s:e])


def clause_question_type(rules: Rules, turn: Turn, start: int, end: int, asked: bool) -> str | None:
    """The kind of question one clause asks, if any. `asked`: the sentence ends in '?'."""
    norm, q = turn.norm, rules.q
    s = _strip_fillers(rules, norm, start, end)
    if s >= end or match_at(q["parentheticals"], norm, s, end):
        return None
    why = search(q["why"], norm, s, end)
    # "waarom" inside a statement ("ik leg uit waarom we dit doen") asks nothing
    if why and (asked or why.start() <= s) and not (why.start() > s and _OWN_REASON.match(norm, why.start(), end)):
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
        # novices drop the question mark: "heeft ze het naar haar zin" still asks
        return "closed_question" if _unmarked_question(rules, turn, start, end) else None
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
