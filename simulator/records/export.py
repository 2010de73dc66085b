"""Export a transcript with its report: Markdown for notes, one self-contained HTML file to mail or print.

The pages come from Jinja2 templates in `templates/` (see `templating.py`):
autoescape in HTML, an escape on every value in Markdown. This module only
gathers the data: labels from `simulator.labels`, the report from the feedback
engine, the chart's coordinates from the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simulator.labels import act_label, outcome_label, speaker_label, voice_label
from simulator.records.feedback_bridge import report_for
from simulator.records.templating import render_html, render_markdown
from simulator.records.timeline import Timeline, timeline
from simulator.records.transcript import Override, Transcript

if TYPE_CHECKING:
    from simulator.content.loader import Library

DIMENSIONS = ("listening", "boundaries", "bad_news")
_PRESENCE = {"present": "wel", "absent": "niet"}
DIMENSION_FALLBACK = {"listening": "Luisteren", "boundaries": "Grenzen stellen", "bad_news": "Slecht nieuws"}


def _meta(transcript: Transcript, library: Library | None) -> list[tuple[str, str]]:
    scenario = library.scenarios.get(transcript.scenario_id or "") if library else None
    persona = library.personas.get(transcript.persona_id or "") if library else None
    rows = [
        ("Scenario", scenario.title if scenario else (transcript.scenario_id or "onbekend")),
        ("Ouder", f"{persona.name} ({persona.relation})" if persona else (transcript.persona_id or "onbekend")),
        ("Leerkracht in opleiding", transcript.trainee or ""),
        ("Datum", transcript.started_at.strftime("%d-%m-%Y %H:%M") if transcript.started_at else ""),
        ("Stem", voice_label(transcript.voice)),
        ("Moeilijkheid", transcript.difficulty or ""),
        ("Seed", "" if transcript.seed is None else str(transcript.seed)),
        ("Afloop", outcome_label(transcript.outcome) if transcript.outcome else ""),
        ("Voornemen", transcript.intention or ""),
        ("Hints gebruikt", str(transcript.hints_used)),
    ]
    if transcript.self_rating:
        rows.append(
            (
                "Zelfbeoordeling",
                f"luisteren {transcript.self_rating.listening}/5, grenzen {transcript.self_rating.boundaries}/5",
            )
        )
    return [(k, v) for k, v in rows if v]


def _turn_notes(transcript: Transcript, index: int) -> list[str]:
    turn = transcript.turns[index]
    notes: list[str] = []
    if turn.acts:
        notes.append("acties: " + ", ".join(act_label(a.code) for a in turn.acts))
    if turn.fallback_reason:
        notes.append(f"terugval naar vaste tekst: {turn.fallback_reason}")
    for c in turn.comments:
        notes.append(f"opmerking {c.author}: {c.text}")
    for o in turn.overrides:
        engine, trainer = _PRESENCE.get(o.engine, o.engine), _PRESENCE.get(o.trainer, o.trainer)
        notes.append(f"trainer wijkt af ({_target_label(o.target)}): motor {engine}, trainer {trainer}; {o.reason}")
    return notes


def _target_label(target: str) -> str:
    """`score:listening` -> `Luisteren`, `act:summary` -> `samenvatting`."""
    kind, _, name = target.partition(":")
    if kind == "score":
        return DIMENSION_FALLBACK.get(name, name)
    if kind == "act":
        return act_label(name)
    return target


def _turns(transcript: Transcript) -> list[dict[str, Any]]:
    return [
        {
            "number": i + 1,
            "speaker": turn.speaker,
            "label": speaker_label(turn.speaker, report=True),
            "text": turn.text,
            "notes": _turn_notes(transcript, i),
        }
        for i, turn in enumerate(transcript.turns)
    ]


def _jumps(tl: Timeline) -> list[dict[str, Any]]:
    return [
        {
            "turn": p.turn + 1,
            "d_tension": p.d_tension,
            "d_trust": p.d_trust,
            "text": p.teacher_text,
            "why": "; ".join(c.why for c in p.causes) or "geen oorzaak vastgelegd",
        }
        for p in tl.jumps
    ]


@dataclass
class Chart:
    """Coordinates for the inline SVG: tension (red) and trust (blue) per parent turn, jumps as dots."""

    width: int = 640
    height: int = 180
    pad: int = 24
    points_tension: str = ""
    points_trust: str = ""
    dots: list[dict[str, Any]] = field(default_factory=list)


def chart(tl: Timeline, width: int = 640, height: int = 180) -> Chart:
    out = Chart(width, height)
    pts = tl.points
    if not pts:
        return out
    step = (width - 2 * out.pad) / max(1, len(pts) - 1)

    def xy(i: int, v: int) -> tuple[float, float]:
        return out.pad + i * step, height - out.pad - v * (height - 2 * out.pad) / 100

    def poly(attr: str) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for i, p in enumerate(pts) for x, y in [xy(i, getattr(p, attr))])

    out.points_tension, out.points_trust = poly("tension"), poly("trust")
    for i, p in enumerate(pts):
        if p.jump:
            x, y = xy(i, p.tension)
            why = "; ".join(c.why for c in p.causes)
            tip = f"Beurt {p.turn + 1}: “{p.teacher_text}” — {why}"
            out.dots.append({"x": f"{x:.1f}", "y": f"{y:.1f}", "tip": tip})
    return out


def _score_overrides(transcript: Transcript) -> list[dict[str, str]]:
    return [
        {
            "label": _target_label(o.target),
            "engine": o.engine,
            "trainer": o.trainer,
            "reason": o.reason,
            "author": o.author,
        }
        for o in transcript.score_overrides
    ]


def _sections(report: dict[str, Any], transcript: Transcript) -> list[dict[str, Any]]:
    latest: dict[str, Override] = {}
    for o in transcript.score_overrides:  # the trainer's last word per dimension
        latest[o.target.removeprefix("score:")] = o
    out = []
    for dim in DIMENSIONS:
        block = report.get(dim)
        if not block:
            continue
        out.append(
            {
                "title": block.get("label") or DIMENSION_FALLBACK[dim],
                "score": block.get("score", ""),
                "summary": block.get("summary") or block.get("note") or "",
                "trainer": latest.get(dim),
                "subscores": [
                    {
                        "label": sub.get("label", sub.get("id", "")),
                        "score": sub.get("score", ""),
                        "explanation": sub.get("explanation", ""),
                        "quotes": [ev.get("text", "") for ev in sub.get("evidence", [])],
                    }
                    for sub in block.get("subscores", [])
                ]
                + [
                    {
                        "label": sub.get("label", sub.get("id", "")),
                        "score": "n.v.t.",
                        "explanation": sub.get("reason", ""),
                        "quotes": [],
                    }
                    for sub in block.get("not_applicable", [])
                ],
            }
        )
    return out


def to_markdown(transcript: Transcript, library: Library | None = None) -> str:
    text = render_markdown(
        "transcript.md.j2",
        meta=_meta(transcript, library),
        turns=_turns(transcript),
        jumps=_jumps(timeline(transcript)),
        score_overrides=_score_overrides(transcript),
        sections=_sections(report_for(transcript, library).to_dict(), transcript),
    )
    return text.rstrip() + "\n"


def to_html(transcript: Transcript, library: Library | None = None) -> str:
    report = report_for(transcript, library).to_dict()
    tl = timeline(transcript)
    return render_html(
        "transcript.html.j2",
        meta=_meta(transcript, library),
        chart=chart(tl),
        jumps=_jumps(tl),
        sections=_sections(report, transcript),
        score_overrides=_score_overrides(transcript),
        turns=_turns(transcript),
    )
