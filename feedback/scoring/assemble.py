"""Run every registered sub-score and combine them into the session report.

A dimension score is the weighted mean of the sub-scores whose situation arose; the
others are listed as n.v.t. with their reason, and the summary says in one line how many
parts the score rests on, so a trainee with three scored parts knows it is thin ground.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from feedback.codes import ALL_CODES
from feedback.scoring import bad_news as _bad_news  # noqa: F401  (registers its rules)
from feedback.scoring import boundaries as _boundaries  # noqa: F401
from feedback.scoring import listening as _listening  # noqa: F401
from feedback.scoring.bad_news import news_position
from feedback.scoring.config import ScoringConfig, scoring_config
from feedback.scoring.conversation import ActsInput, Conversation, Turns, build, clamp, join
from feedback.scoring.cues import parent_crosses_line, parent_pushes
from feedback.scoring.model import Dimension, NotApplicable, Report, ScoreContext, SubScore, TurnActs
from feedback.scoring.registry import Situation, Skip, check_texts, rules_of


@cache
def checked_config() -> ScoringConfig:
    """The data file, with every registered rule's texts present (checked once)."""
    cfg = scoring_config()
    check_texts(cfg)
    return cfg


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


def _run(c: Conversation, s: Situation, dim: str) -> tuple[list[SubScore], list[NotApplicable]]:
    scored: list[SubScore] = []
    skipped: list[NotApplicable] = []
    for r in rules_of(dim):
        out = r.rule(c, s)
        if isinstance(out, Skip):
            spec = c.cfg.sub(dim, r.id)
            skipped.append(NotApplicable(r.id, spec.label, spec.texts[out.key]))
        elif out is not None:
            scored.append(out)
    return scored, skipped


def dimension(
    cfg: ScoringConfig,
    dim: str,
    subs: Iterable[SubScore],
    skipped: Iterable[NotApplicable] = (),
    prefix: str | None = None,
    band_prefix: str = "",
    **extra: Any,
) -> Dimension:
    scored, skipped = tuple(subs), tuple(skipped)
    label = cfg.dim(dim).label
    basis = cfg.summary_text(dim, "basis", n=len(scored), total=len(scored) + len(skipped))
    if not scored:
        summary = join(prefix, cfg.summary_text(dim, "empty"), basis if skipped else None)
        return Dimension(dim, label, 0, (), summary, not_applicable=skipped, basis=basis, **extra)
    total = sum(s.weight for s in scored)
    score = clamp(sum(s.score * s.weight for s in scored) / total)
    band = "good" if score >= cfg.good else "fair" if score >= cfg.fair else "poor"
    band_text = cfg.summary_text(dim, f"{band_prefix}{band}") if band_prefix else cfg.summary_text(dim, band)
    best = max(scored, key=lambda s: (s.score, s.weight))
    worst = min(scored, key=lambda s: (s.score, -s.weight))
    if worst.score >= cfg.good:
        tail = cfg.summary_text(dim, "tail_all_good")
    elif best.score < cfg.fair:
        tail = cfg.summary_text(dim, "tail_weak", weakest=_lower_first(worst.label))
    elif len(scored) > 1:
        tail = cfg.summary_text(dim, "tail", strongest=_lower_first(best.label), weakest=_lower_first(worst.label))
    else:
        tail = None
    summary = join(prefix, band_text, tail, basis)
    return Dimension(dim, label, score, scored, summary, not_applicable=skipped, basis=basis, **extra)


def _situation(c: Conversation, ctx: ScoreContext) -> Situation:
    valid = {t.index for t in c.parent}
    if ctx.boundary_turns is not None:
        moments = tuple(sorted(i for i in set(ctx.boundary_turns) if i in valid))
    else:
        moments = tuple(t.index for t in c.parent if parent_crosses_line(t.text))
    if ctx.pressure_turns is not None:
        pressure = tuple(sorted(i for i in set(ctx.pressure_turns) if i in valid))
    else:
        pressure = tuple(t.index for t in c.parent if parent_pushes(t.text))
    return Situation(moments, pressure, news_position(c) if ctx.bad_news else None)


def _turn_acts(c: Conversation) -> tuple[tuple[TurnActs, ...], dict[str, int]]:
    per_turn: list[TurnActs] = []
    counts: dict[str, int] = dict.fromkeys(ALL_CODES, 0)
    for t in c.teacher:
        codes: list[str] = []
        evidence: dict[str, str] = {}
        for a in t.acts:
            counts[a.code] = counts.get(a.code, 0) + 1
            if a.code not in evidence:
                codes.append(a.code)
                evidence[a.code] = a.evidence
        per_turn.append(TurnActs(t.index, t.text, tuple(codes), evidence))
    return tuple(per_turn), counts


def score(turns: Turns, context: ScoreContext | None = None, acts: ActsInput = None) -> Report:
    """Score a session. `acts` (one entry per turn, None = recognise) lets callers reuse acts."""
    ctx = context or ScoreContext()
    cfg = checked_config()
    c = build(turns, acts, cfg)
    s = _situation(c, ctx)

    listening = dimension(cfg, "listening", *_run(c, s, "listening"))
    subs, skipped = _run(c, s, "boundaries")
    if s.moments:
        boundaries = dimension(cfg, "boundaries", subs, skipped, no_boundary_moment=False, boundary_turns=s.moments)
    else:
        boundaries = dimension(
            cfg,
            "boundaries",
            subs,
            skipped,
            prefix=cfg.summary_text("boundaries", "no_boundary_moment"),
            band_prefix="calm_",
            no_boundary_moment=True,
            boundary_turns=(),
        )
    bad_news = dimension(cfg, "bad_news", *_run(c, s, "bad_news")) if ctx.bad_news else None
    per_turn, counts = _turn_acts(c)
    return Report(listening, boundaries, bad_news, per_turn, counts, ctx.scenario_title)
