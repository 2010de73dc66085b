"""Listening sub-scores (LSD, MITI ratios, Gordon's roadblocks), one registered rule each."""

from __future__ import annotations

import math
from collections import Counter

from feedback.codes import QUESTION_CODES, REFLECTION_CODES, ROADBLOCK_CODES, label
from feedback.scoring.conversation import Conversation, Turn, act_pos, clamp, interp, join, make_sub, next_text
from feedback.scoring.cues import parent_shows_emotion, quote
from feedback.scoring.model import Evidence
from feedback.scoring.registry import Outcome, Situation, Skip, register
from feedback.text import WORD_RE

DIM = "listening"
BLOCKER_CODES: frozenset[str] = frozenset({"premature_advice", "defending", "dismissing"})


def blocks(c: Conversation, t: Turn) -> bool:
    """Advice, defending, reassurance or a lecture: what ends the parent's story."""
    return t.has(BLOCKER_CODES) or c.long_information(t)


@register(DIM, "reflection_ratio", ("stats", "well", "well_none", "none", "next", "next_good"))
def reflection_ratio(c: Conversation, s: Situation) -> Outcome:
    if not c.teacher:
        return None
    cfg, sid = c.cfg, "reflection_ratio"
    spec = cfg.sub(DIM, sid)
    # A reflection the parent rejects ("Nee, dat bedoel ik niet") shows the attempt, not the skill.
    reflections = sum(t.count(REFLECTION_CODES) * (spec.rejected_weight if t.rejected else 1.0) for t in c.teacher)
    questions = c.count(QUESTION_CODES)
    shown = c.count(REFLECTION_CODES)
    positives = [c.ev(t, REFLECTION_CODES) for t in c.teacher if t.has(REFLECTION_CODES) and not t.rejected]
    negatives = [c.ev(t, QUESTION_CODES) for t in c.teacher if t.has(QUESTION_CODES) and not t.has(REFLECTION_CODES)]
    if shown == 0 and questions == 0:
        text = join(cfg.text(DIM, sid, "none"), cfg.text(DIM, sid, "next"))
        return make_sub(cfg, DIM, sid, spec.none_score, text, ())
    ratio = reflections / questions if questions else (math.inf if reflections else 0.0)
    score = interp(spec.points, ratio)
    well = cfg.text(DIM, sid, "well", quote=positives[0].text) if positives else cfg.text(DIM, sid, "well_none")
    text = join(
        cfg.text(DIM, sid, "stats", questions=questions, reflections=shown), well, next_text(cfg, DIM, sid, score)
    )
    return make_sub(cfg, DIM, sid, score, text, positives + negatives)


OPEN_TEXTS = ("stats", "well", "well_none", "none", "next", "next_good")
ISSUES = ("why_question", "leading_question", "closed_question")


@register(DIM, "open_questions", OPEN_TEXTS + tuple(f"issue_{c}" for c in ISSUES))
def open_questions(c: Conversation, s: Situation) -> Outcome:
    if not c.teacher:
        return None
    cfg, sid = c.cfg, "open_questions"
    spec = cfg.sub(DIM, sid)
    tally: Counter[str] = Counter()
    for t in c.teacher:
        for code in QUESTION_CODES:
            tally[code] += t.count([code])
        if t.has(REFLECTION_CODES) and t.count(["closed_question"]):
            tally["closed_question"] -= 1  # one check after a reflection ("Klopt dat?") is good practice
    total = sum(tally.values())
    if total == 0:
        text = join(cfg.text(DIM, sid, "none"), cfg.text(DIM, sid, "next"))
        return make_sub(cfg, DIM, sid, spec.none_score, text, ())
    score = interp(spec.points, tally["open_question"] / total)
    positives = [c.ev(t, ["open_question"]) for t in c.teacher if t.has(["open_question"])]
    issue = None
    negatives: list[Evidence] = []
    for code in ISSUES:
        turns = [t for t in c.teacher if t.has([code]) and not (code == "closed_question" and t.has(REFLECTION_CODES))]
        if turns:
            negatives += [c.ev(t, [code]) for t in turns]
            if issue is None:
                issue = cfg.text(DIM, sid, f"issue_{code}", quote=c.ev(turns[0], [code]).text)
    well = cfg.text(DIM, sid, "well", quote=positives[0].text) if positives else cfg.text(DIM, sid, "well_none")
    text = join(
        cfg.text(DIM, sid, "stats", open=tally["open_question"], total=total),
        well,
        issue if clamp(score) < 100 else None,
        next_text(cfg, DIM, sid, score),
    )
    return make_sub(cfg, DIM, sid, score, text, positives[:2] + negatives)


@register(DIM, "emotion_first", ("immediate", "later", "mixed", "blocked", "missed", "next", "next_good", "nvt"))
def emotion_first(c: Conversation, s: Situation) -> Outcome:
    cfg, sid = c.cfg, "emotion_first"
    scores = cfg.sub(DIM, sid).scores
    first = next((t for t in c.parent if parent_shows_emotion(t.text)), None)
    after = c.teacher_after(first.index) if first else []
    if first is None or not after:
        return Skip()
    outcome, ev = "missed", None
    for n, t in enumerate(after):
        reflects, blocked = t.has(REFLECTION_CODES) and not t.rejected, blocks(c, t)
        if reflects and blocked:
            # "Ik begrijp dat u boos bent, maar ..." acknowledges and blocks in one breath.
            r_pos, b_pos = t.pos(REFLECTION_CODES), t.pos(BLOCKER_CODES)
            outcome = "blocked" if 0 <= b_pos < r_pos else "mixed"
            ev = c.ev(t, BLOCKER_CODES) if outcome == "blocked" else c.ev(t, REFLECTION_CODES)
            break
        if reflects:
            outcome, ev = ("immediate" if n == 0 else "later"), c.ev(t, REFLECTION_CODES)
            break
        if blocked:
            outcome = "blocked"
            ev = c.ev(t, BLOCKER_CODES) if t.has(BLOCKER_CODES) else c.ev(t)
            break
    score = float(getattr(scores, outcome))
    head = cfg.text(DIM, sid, outcome) if ev is None else cfg.text(DIM, sid, outcome, quote=ev.text)
    return make_sub(cfg, DIM, sid, score, join(head, next_text(cfg, DIM, sid, score)), [ev] if ev else [])


@register(DIM, "summaries", ("checked", "unchecked", "paraphrase_only", "none", "next", "next_good", "nvt"))
def summaries(c: Conversation, s: Situation) -> Outcome:
    cfg, sid = c.cfg, "summaries"
    spec = cfg.sub(DIM, sid)
    if len(c.teacher) < spec.min_teacher_turns:
        return Skip()

    def checked(t: Turn) -> bool:
        return t.has(["closed_question"]) or cfg.cues.check.search(t.text) is not None

    found = [t for t in c.teacher if t.has(["summary"])]
    with_check = [t for t in found if checked(t)]
    paraphrases = [t for t in c.teacher if t.has(["paraphrase"]) and checked(t)]
    if with_check:
        outcome, turns, code = "checked", with_check, "summary"
    elif found:
        outcome, turns, code = "unchecked", found, "summary"
    elif paraphrases:
        outcome, turns, code = "paraphrase_only", paraphrases, "paraphrase"
    else:
        outcome, turns, code = "none", [], ""
    score = float(getattr(spec.scores, outcome))
    if turns and all(t.rejected for t in turns):
        score -= spec.rejected_penalty
    evidence = [c.ev(t, [code]) for t in turns]
    head = cfg.text(DIM, sid, outcome, quote=evidence[0].text) if evidence else cfg.text(DIM, sid, outcome)
    return make_sub(cfg, DIM, sid, score, join(head, next_text(cfg, DIM, sid, score)), evidence)


@register(DIM, "roadblocks", ("clean", "issue", "next_good", *(f"next_{c}" for c in sorted(ROADBLOCK_CODES))))
def roadblocks(c: Conversation, s: Situation) -> Outcome:
    if not c.teacher:
        return None
    cfg, sid = c.cfg, "roadblocks"
    penalties = cfg.sub(DIM, sid).penalties
    found = +Counter({code: c.count([code]) for code in ROADBLOCK_CODES})
    n = sum(found.values())
    score = 100.0 - sum(penalties.get(code, 0.0) * k for code, k in found.items())
    if n == 0:
        return make_sub(cfg, DIM, sid, score, join(cfg.text(DIM, sid, "clean"), cfg.text(DIM, sid, "next_good")), ())
    kind = max(found, key=lambda code: (found[code], penalties.get(code, 0.0), code))
    evidence = [c.ev(t, ROADBLOCK_CODES) for t in c.teacher if t.has(ROADBLOCK_CODES)]
    first = next(c.ev(t, [kind]) for t in c.teacher if t.has([kind]))
    text = join(
        cfg.text(DIM, sid, "issue", n=n, quote=first.text, kind=label(kind)), cfg.text(DIM, sid, f"next_{kind}")
    )
    return make_sub(cfg, DIM, sid, score, text, [first, *evidence])


@register(DIM, "jargon", ("clean", "issue", "next", "next_good"))
def jargon(c: Conversation, s: Situation) -> Outcome:
    if not c.teacher:
        return None
    cfg, sid = c.cfg, "jargon"
    turns = [t for t in c.teacher if t.count(["jargon"])]
    score = 100.0 - cfg.sub(DIM, sid).penalty_per_turn * len(turns)
    evidence = [c.ev(t, ["jargon"]) for t in turns]
    head = cfg.text(DIM, sid, "issue", quote=evidence[0].text) if evidence else cfg.text(DIM, sid, "clean")
    return make_sub(cfg, DIM, sid, score, join(head, next_text(cfg, DIM, sid, score)), evidence)


def _formula_uses(c: Conversation) -> tuple[Counter[str], dict[str, Evidence]]:
    """How often each stock empathy phrase was used, and where first."""
    cfg = c.cfg
    n_words = cfg.sub(DIM, "canned_empathy").formula_words
    keys: Counter[str] = Counter()
    first_use: dict[str, Evidence] = {}
    for t in c.teacher:
        if t.has(["holds_position"]):
            continue  # the broken record repeats its acknowledgement on purpose
        fr_pos = [p for a in t.acts if a.code == "feeling_reflection" and (p := act_pos(t.text, a)) >= 0]
        for s0, s1 in t.spans:
            sentence = t.text[s0:s1]
            m = cfg.cues.formulas.search(sentence)
            if m:
                key = " ".join(m.group(0).lower().split())
            elif any(s0 <= p < s1 for p in fr_pos):
                key = " ".join(w.lower() for w in WORD_RE.findall(sentence)[:n_words])
            else:
                continue
            keys[key] += 1
            at = s0 + (m.start() if m else 0)
            first_use.setdefault(key, Evidence(t.index, quote(t.text, start=at, spans=t.spans)))
    return keys, first_use


@register(DIM, "canned_empathy", ("followed", "clean", "formula", "unfollowed", "next", "next_good", "nvt"))
def canned_empathy(c: Conversation, s: Situation) -> Outcome:
    cfg, sid = c.cfg, "canned_empathy"
    spec = cfg.sub(DIM, sid)
    keys, first_use = _formula_uses(c)
    named = [t for t in c.teacher if t.has(["feeling_reflection"])]
    if not named and not keys:
        return Skip()
    unfollowed: list[Turn] = []
    followed: list[Turn] = []
    for t in named:
        later = c.teacher_after(t.index)[:1]
        (followed if t.has(QUESTION_CODES) or any(n.has(QUESTION_CODES) for n in later) else unfollowed).append(t)
    key, uses = keys.most_common(1)[0] if keys else ("", 0)
    formula = uses >= spec.formula_repeats
    score = 100.0 - (spec.formula_penalty if formula else 0.0) - spec.unfollowed_penalty * len(unfollowed)
    parts: list[str] = []
    evidence: list[Evidence] = []
    if followed:
        ev = c.ev(followed[0], ["feeling_reflection"])
        parts.append(cfg.text(DIM, sid, "followed", quote=ev.text))
        evidence.append(ev)
    if formula:
        ev = first_use[key]
        parts.append(cfg.text(DIM, sid, "formula", n=uses, quote=ev.text))
        evidence.append(ev)
    if unfollowed:
        ev = c.ev(unfollowed[0], ["feeling_reflection"])
        parts.append(cfg.text(DIM, sid, "unfollowed", quote=ev.text))
        evidence += [c.ev(t, ["feeling_reflection"]) for t in unfollowed]
    if not parts:
        parts.append(cfg.text(DIM, sid, "clean"))
    parts.append(next_text(cfg, DIM, sid, score))
    return make_sub(cfg, DIM, sid, score, join(*parts), evidence)
