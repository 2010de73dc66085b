"""Feeling reflections: a feeling word attributed to the parent, or framed with empathy."""

from __future__ import annotations

from feedback.acts.patterns import search
from feedback.acts.rules import Rules
from feedback.acts.turn import Act, Turn, act


def _between_ok(rules: Rules, turn: Turn, a: int, b: int) -> bool:
    """No other person named between positions a and b (so the feeling stays the parent's)."""
    lo, hi = min(a, b), max(a, b)
    between = turn.tokens_in(lo, hi)
    if len(between) > 8:
        return False
    for i, t in enumerate(between):
        if i and between[i - 1].text in rules.transparent_after:
            continue
        if t.text in rules.other_experiencer or t.name:
            return False
    return True


def _blocked_before(rules: Rules, turn: Turn, cs: int, pos: int) -> bool:
    """A conditional ("als u ...") before the feeling word turns it into a condition, not a reflection."""
    return search(rules.feel["blockers_before"], turn.norm, cs, pos) is not None


def feeling_spans(rules: Rules, turn: Turn, s: int, e: int) -> list[tuple[int, int]]:
    """Where feeling words stand (they are not content for the paraphrase overlap)."""
    out: list[tuple[int, int]] = []
    for key in ("terms", "frame_terms"):
        rx = rules.feel[key]
        if rx is not None:
            out.extend(m.span() for m in rx.finditer(turn.norm, s, e))
    return out


def _in_clause(rules: Rules, turn: Turn, cs: int, ce: int) -> Act | None:
    norm, feel = turn.norm, rules.feel
    if search(feel["blockers"], norm, cs, ce):
        return None
    frame = search(feel["empathy_frames"], norm, cs, ce)
    perception = search(feel["perception_frames"], norm, cs, ce)
    parent_named = search(rules.experiencer, norm, cs, ce) is not None
    if perception and parent_named and (frame is None or perception.start() < frame.start()):
        frame = perception
    if perception and not parent_named:
        m = search(feel["perception_terms"], norm, perception.end(), ce)
        if m and _between_ok(rules, turn, perception.end(), m.start()):
            return act("feeling_reflection", turn, perception.start(), m.end())
    terms = feel["terms"]
    if terms is not None:
        for m in terms.finditer(norm, cs, ce):
            if _blocked_before(rules, turn, cs, m.start()):
                continue
            if frame and frame.start() <= m.start():
                gap_from = frame.end() if frame.end() <= m.start() else frame.start()
                if _between_ok(rules, turn, gap_from, m.start()):
                    return act("feeling_reflection", turn, frame.start(), max(m.end(), frame.end()))
            for p in rules.experiencer.finditer(norm, cs, ce):
                inside = p.start() >= m.start() and p.end() <= m.end()
                if inside or (p.end() <= m.start() and _between_ok(rules, turn, p.end(), m.start())):
                    return act("feeling_reflection", turn, min(p.start(), m.start()), m.end())
                if p.start() >= m.end() and norm[m.end() : p.start()].strip() in rules.experiencer_after:
                    return act("feeling_reflection", turn, m.start(), p.end())
    frame_terms = feel["frame_terms"]
    if frame and frame_terms is not None:
        for m in frame_terms.finditer(norm, frame.start(), ce):
            if _blocked_before(rules, turn, cs, m.start()):
                continue
            gap_from = frame.end() if frame.end() <= m.start() else frame.start()
            if rules.feeling_tail.match(norm[m.end() : ce]) and _between_ok(rules, turn, gap_from, m.start()):
                return act("feeling_reflection", turn, frame.start(), max(m.end(), frame.end()))
    return None


def feeling(rules: Rules, turn: Turn) -> Act | None:
    """The first clause that reflects the parent's feeling ("U bent teleurgesteld", "Dat moet schrikken zijn")."""
    for s, e in turn.sentences:
        for cs, ce in turn.clauses(s, e):
            found = _in_clause(rules, turn, cs, ce)
            if found:
                return found
    return None
