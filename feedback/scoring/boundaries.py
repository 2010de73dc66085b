"""Boundary sub-scores (ik-boodschap, naming the limit, consequence, position, structure).

Each rule scores only what happened: no line crossed means nothing to name, a position
nobody tested was not held, a consequence nobody needed was not given well. Those are
reported as n.v.t. instead of paying out points for an empty conversation.
"""

from __future__ import annotations

import itertools

from feedback.codes import REFLECTION_CODES
from feedback.scoring.conversation import Conversation, Turn, clamp, join, make_sub, next_text
from feedback.scoring.model import Evidence
from feedback.scoring.registry import Outcome, Situation, Skip, register

DIM = "boundaries"
LIMIT_CODES: frozenset[str] = frozenset({"name_limit", "i_message"})
CALMING_CODES: frozenset[str] = REFLECTION_CODES | {"holds_position"}


def defused(c: Conversation, s: Situation, moment: int) -> Turn | None:
    """The teacher turn that calmed a crossing without naming it, if the parent never crossed again.

    A skilled teacher often answers a mild threat ("dan stap ik naar de directeur") by
    acknowledging it; when the parent then stays within bounds, the limit did not need naming.
    """
    answer = c.teacher_after(moment)[:1]
    if not answer or any(p > moment for p in s.moments):
        return None
    t = answer[0]
    return t if t.has(CALMING_CODES) and not t.rejected and not t.has(["counter_attack", "you_message"]) else None


@register(DIM, "name_limit", ("well", "defused", "issue", "next", "next_good", "nvt"))
def name_limit(c: Conversation, s: Situation) -> Outcome:
    cfg, sid = c.cfg, "name_limit"
    scores = cfg.sub(DIM, sid).scores
    within = cfg.file.boundaries.name_within
    results: list[float] = []
    positives: list[Evidence] = []
    negatives: list[Evidence] = []
    defusing: list[Evidence] = []
    for p in s.moments:
        window = c.teacher_after(p)[:within]
        if not window:
            continue
        # Once the limit has been named, a consequence is the next step for a new crossing.
        named_before = any(t.has(LIMIT_CODES) for t in c.teacher if t.index < p)
        handles = LIMIT_CODES | {"consequence"} if named_before else LIMIT_CODES
        hit = next((n for n, t in enumerate(window) if t.has(handles)), None)
        calm = defused(c, s, p) if hit is None else None
        if calm is not None:
            results.append(scores.defused)
            positives.append(c.ev(calm, CALMING_CODES))
            defusing.append(c.ev(calm, CALMING_CODES))
        elif hit is None:
            results.append(scores.missed)
            negatives.append(c.ev(window[0]))
        else:
            results.append(scores.first if hit == 0 else scores.second)
            positives.append(c.ev(window[hit], handles))
    if not results:
        return Skip()
    score = sum(results) / len(results)
    named = [e for e in positives if e not in defusing]
    text = join(
        cfg.text(DIM, sid, "well", quote=named[0].text) if named else None,
        cfg.text(DIM, sid, "defused", quote=defusing[0].text) if defusing else None,
        cfg.text(DIM, sid, "issue", quote=negatives[0].text) if negatives else None,
        next_text(cfg, DIM, sid, score),
    )
    return make_sub(cfg, DIM, sid, score, text, positives + negatives)


@register(DIM, "i_message", ("well", "issue", "limit_only", "none", "next", "next_good", "nvt"))
def i_message(c: Conversation, s: Situation) -> Outcome:
    cfg, sid = c.cfg, "i_message"
    spec = cfg.sub(DIM, sid)
    i, y = c.count(["i_message"]), c.count(["you_message"])
    positives = [c.ev(t, ["i_message"]) for t in c.teacher if t.has(["i_message"])]
    negatives = [c.ev(t, ["you_message"]) for t in c.teacher if t.has(["you_message"])]
    if i + y == 0:
        answered = [p for p in s.moments if c.teacher_after(p)]
        if not answered or all(defused(c, s, p) for p in answered):
            return Skip()  # no crossing to speak to, or one calmed before words about it were needed
        named = [t for t in c.teacher if t.has(["name_limit"])]
        if named:
            ev = c.ev(named[0], ["name_limit"])
            text = join(cfg.text(DIM, sid, "limit_only", quote=ev.text), cfg.text(DIM, sid, "next"))
            return make_sub(cfg, DIM, sid, spec.limit_only_score, text, [ev])
        text = join(cfg.text(DIM, sid, "none"), cfg.text(DIM, sid, "next"))
        return make_sub(cfg, DIM, sid, spec.none_score, text, ())
    score = 100.0 * i / (i + y)
    text = join(
        cfg.text(DIM, sid, "well", quote=positives[0].text) if positives else None,
        cfg.text(DIM, sid, "issue", quote=negatives[0].text) if negatives else None,
        next_text(cfg, DIM, sid, score),
    )
    return make_sub(cfg, DIM, sid, score, text, positives + negatives)


def _followed_through(c: Conversation, after: int) -> Turn | None:
    """The teacher turn after parent turn `after` that carries the consequence out."""
    later = c.teacher_after(after)
    cues = c.cfg.cues
    for t in later:
        for s0, s1 in t.spans:
            sentence = t.text[s0:s1]
            m = cues.follow_through.search(sentence)
            if m and not cues.conditional.search(sentence[: m.start()]):
                return t  # "Ik stop nu het gesprek", not "Als u doorgaat, stop ik het gesprek"
    if later and later[-1].has(["structuring"]) and later[-1] is c.teacher[-1]:
        return later[-1]
    return None


def _persisted(c: Conversation, moments: tuple[int, ...]) -> bool:
    """Whether the parent crossed a line again after the teacher had answered an earlier crossing."""
    return any(c.teacher_after(a) and c.teacher_after(a)[0].index < b for a, b in itertools.pairwise(moments))


TEXTS_CONSEQUENCE = ("worked", "followed", "not_followed", "missing", "empty_threat", "next", "next_good", "nvt")


@register(DIM, "consequence", TEXTS_CONSEQUENCE)
def consequence(c: Conversation, s: Situation) -> Outcome:
    cfg, sid = c.cfg, "consequence"
    spec = cfg.sub(DIM, sid)
    turns = [t for t in c.teacher if t.has(["consequence"])]
    evidence = [c.ev(t, ["consequence"]) for t in turns]
    n = len(turns)
    follow: Turn | None = None
    if n == 0:
        if not s.moments or not _persisted(c, s.moments):
            return Skip()  # nobody needed a consequence: nothing to pay out
        outcome = "missing"
    else:
        later = [p for p in s.moments if p > turns[0].index]
        follow = _followed_through(c, later[0]) if later else None
        if n >= spec.empty_threat_repeats and follow is None:
            outcome = "empty_threat"
        elif not later:
            outcome = "worked"
        else:
            outcome = "followed" if follow is not None else "not_followed"
    score = float(getattr(spec.scores, outcome))
    if outcome in ("worked", "followed") and n > 1:
        score -= spec.repeat_penalty * (n - 1)
    ev = evidence[-1] if outcome == "empty_threat" else (evidence[0] if evidence else None)
    head = cfg.text(DIM, sid, outcome, quote=ev.text if ev else "", n=n)
    if follow is not None:
        evidence.append(c.ev(follow))
    return make_sub(cfg, DIM, sid, score, join(head, next_text(cfg, DIM, sid, score)), evidence)


TEXTS_POSITION = ("held", "neutral", "caved", "defending", "next", "next_good", "next_neutral", "nvt")


@register(DIM, "position", TEXTS_POSITION)
def position(c: Conversation, s: Situation) -> Outcome:
    if not c.teacher:
        return None
    cfg, sid = c.cfg, "position"
    spec = cfg.sub(DIM, sid)
    caving = [t for t in c.teacher if t.has(["caving"])]
    holds = [t for t in c.teacher if t.has(["holds_position"])]
    defending = c.count(["defending"])
    tested = bool(s.pressure or s.moments)
    if not (tested or caving or holds or defending):
        return Skip()  # nobody pushed: holding a position was never asked for
    parts: list[str] = []
    evidence: list[Evidence] = []
    if caving:
        score = spec.scores.caved if c.count(["caving"]) <= 1 else spec.scores.caved_more
        evidence += [c.ev(t, ["caving"]) for t in caving]
        parts.append(cfg.text(DIM, sid, "caved", quote=evidence[0].text))
    elif holds:
        score = spec.scores.held
        evidence += [c.ev(t, ["holds_position"]) for t in holds]
        parts.append(cfg.text(DIM, sid, "held", quote=evidence[0].text))
    else:
        score = spec.scores.neutral
        parts.append(cfg.text(DIM, sid, "neutral"))
    if defending:
        score -= spec.defending_penalty * min(defending, spec.defending_max)
        ev = next(c.ev(t, ["defending"]) for t in c.teacher if t.has(["defending"]))
        parts.append(cfg.text(DIM, sid, "defending", quote=ev.text))
        evidence.append(ev)
    if clamp(score) < cfg.good:
        parts.append(cfg.text(DIM, sid, "next"))
    else:
        parts.append(cfg.text(DIM, sid, "next_good" if holds else "next_neutral"))
    return make_sub(cfg, DIM, sid, score, join(*parts), evidence)


ENGAGING_CODES: frozenset[str] = LIMIT_CODES | CALMING_CODES | {"consequence", "open_question"}


def engaged(c: Conversation, s: Situation) -> bool:
    """Whether the teacher answered any crossing or push at all, rather than talking past it."""
    return any((answer := c.teacher_after(p)[:1]) and answer[0].has(ENGAGING_CODES) for p in (*s.moments, *s.pressure))


@register(DIM, "no_counter_attack", ("clean", "issue", "next", "next_good", "nvt", "ignored"))
def no_counter_attack(c: Conversation, s: Situation) -> Outcome:
    if not c.teacher:
        return None
    cfg, sid = c.cfg, "no_counter_attack"
    turns = [t for t in c.teacher if t.has(["counter_attack"])]
    if not turns and not (s.moments or s.pressure):
        return Skip()  # nobody attacked: staying calm was never put to the test
    if not turns and not engaged(c, s):
        return Skip("ignored")  # talking past an attack is not staying calm under it
    score = 100.0 - cfg.sub(DIM, sid).penalty * c.count(["counter_attack"])
    evidence = [c.ev(t, ["counter_attack"]) for t in turns]
    head = cfg.text(DIM, sid, "issue", quote=evidence[0].text) if evidence else cfg.text(DIM, sid, "clean")
    return make_sub(cfg, DIM, sid, score, join(head, next_text(cfg, DIM, sid, score)), evidence)


@register(DIM, "structure", ("well", "none", "next_start", "next_end", "next_good"))
def structure(c: Conversation, s: Situation) -> Outcome:
    if not c.teacher:
        return None
    cfg, sid = c.cfg, "structure"
    spec = cfg.sub(DIM, sid)
    turns = [t for t in c.teacher if t.has(["structuring"])]
    start = any(t.has(["structuring"]) for t in c.teacher[: spec.window])
    end = any(t.has(["structuring"]) for t in c.teacher[-spec.window :])
    score = spec.points.start * start + spec.points.end * end + spec.points.any * bool(turns)
    evidence = [c.ev(t, ["structuring"]) for t in turns]
    head = cfg.text(DIM, sid, "well", quote=evidence[0].text) if evidence else cfg.text(DIM, sid, "none")
    key = "next_good" if start and end else ("next_start" if not start else "next_end")
    return make_sub(cfg, DIM, sid, score, join(head, cfg.text(DIM, sid, key)), evidence)
