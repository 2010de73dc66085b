"""Bad-news sub-scores: the news early, no compliment sandwich, room for the reaction."""

from __future__ import annotations

from feedback.codes import REFLECTION_CODES
from feedback.scoring.conversation import Conversation, Turn, act_pos, join, make_sub, next_text
from feedback.scoring.listening import BLOCKER_CODES, blocks
from feedback.scoring.model import Evidence
from feedback.scoring.registry import Outcome, Situation, Skip, register

DIM = "bad_news"


def news_position(c: Conversation) -> tuple[Turn, int, int] | None:
    """The first teacher turn with the news, the match position, and sentences before it."""
    before = 0
    for t in c.teacher:
        m = c.cfg.cues.news.search(t.text)
        spans = t.spans
        if m:
            within = sum(1 for _, end in spans if end <= m.start())
            return t, m.start(), before + within
        before += len(spans)
    return None


@register(DIM, "news_early", ("early", "late", "missing", "next", "next_good"))
def news_early(c: Conversation, s: Situation) -> Outcome:
    cfg, sid = c.cfg, "news_early"
    spec = cfg.sub(DIM, sid)
    if s.news is None:
        return make_sub(cfg, DIM, sid, 0, join(cfg.text(DIM, sid, "missing"), cfg.text(DIM, sid, "next")), ())
    turn, pos, sentences = s.news
    by_turn = spec.turn_scores[min(c.order(turn), len(spec.turn_scores) - 1)]
    by_sentence = next((score for limit, score in spec.sentence_scores if sentences <= limit), spec.late_score)
    score = min(by_turn, by_sentence)
    ev = c.ev(turn, start=pos)
    key = "early" if score >= cfg.good else "late"
    text = join(cfg.text(DIM, sid, key, quote=ev.text, sentences=sentences), next_text(cfg, DIM, sid, score))
    return make_sub(cfg, DIM, sid, score, text, [ev])


@register(DIM, "no_sandwich", ("clean", "before", "sandwich", "next", "next_good", "nvt"))
def no_sandwich(c: Conversation, s: Situation) -> Outcome:
    cfg, sid = c.cfg, "no_sandwich"
    if s.news is None:
        return Skip()
    turn, pos, _ = s.news
    k = c.order(turn)
    cue_before: list[Evidence] = []
    any_before: list[Evidence] = []
    any_after: list[Evidence] = []
    for t in c.teacher[: k + 2]:
        marks = [(m.start(), True) for m in cfg.cues.compliment.finditer(t.text)]
        marks += [(max(0, act_pos(t.text, a)), False) for a in t.acts if a.code == "affirmation"]
        for p, is_cue in marks:
            ev = c.ev(t, start=p)
            if (c.order(t), p) < (k, pos):
                any_before.append(ev)
                if is_cue:
                    cue_before.append(ev)
            else:
                any_after.append(ev)
    if any_before and any_after:
        outcome, evidence = "sandwich", any_before + any_after
    elif cue_before:
        outcome, evidence = "before", cue_before
    else:
        outcome, evidence = "clean", []
    score = float(getattr(cfg.sub(DIM, sid).scores, outcome))
    head = cfg.text(DIM, sid, outcome, quote=evidence[0].text) if evidence else cfg.text(DIM, sid, outcome)
    return make_sub(cfg, DIM, sid, score, join(head, next_text(cfg, DIM, sid, score)), evidence)


TEXTS_ROOM = ("room", "mixed", "piled", "flat", "piling", "next", "next_good", "nvt")


@register(DIM, "room_for_reaction", TEXTS_ROOM)
def room_for_reaction(c: Conversation, s: Situation) -> Outcome:
    cfg, sid = c.cfg, "room_for_reaction"
    spec = cfg.sub(DIM, sid)
    if s.news is None:
        return Skip()
    turn, pos, _ = s.news
    reply = next((p for p in c.parent if p.index > turn.index), None)
    nxt = c.teacher_after(reply.index)[:1] if reply else []
    if not nxt:
        return Skip()
    t = nxt[0]
    opens = t.has(REFLECTION_CODES | {"open_question"})
    blocked = blocks(c, t)
    outcome = "mixed" if opens and blocked else "room" if opens else "piled" if blocked else "flat"
    score = float(getattr(spec.scores, outcome))
    ev = c.ev(t, REFLECTION_CODES | {"open_question"}) if opens else c.ev(t, BLOCKER_CODES)
    piling = sum(1 for s0, _ in turn.spans if s0 > pos) > spec.max_sentences_after_news
    if piling:
        score -= spec.piling_penalty
    text = join(
        cfg.text(DIM, sid, outcome, quote=ev.text),
        cfg.text(DIM, sid, "piling") if piling else None,
        next_text(cfg, DIM, sid, score),
    )
    return make_sub(cfg, DIM, sid, score, text, [ev])
