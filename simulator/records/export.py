"""Export a transcript with its report: Markdown for notes, standalone HTML to mail or print.

The HTML has no external assets: styles inline and the timeline as inline SVG,
so a trainer can attach it to an e-mail and it looks the same everywhere.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from simulator.records.feedback_bridge import report_for
from simulator.records.timeline import Timeline, timeline
from simulator.records.transcript import Transcript

if TYPE_CHECKING:
    from simulator.content.loader import Library

OUTCOME_LABELS = {
    "agreement": "Afspraak gemaakt",
    "escalation": "Escalatie: de ouder vertrok of kondigde een klacht aan",
    "ended_by_teacher": "Beëindigd door de leerkracht na grens en consequentie",
    "time_up": "Tijd om",
    "stopped": "Gestopt zonder afspraak",
    "in_progress": "Nog bezig",
}
SPEAKER = {"teacher": "Leerkracht", "parent": "Ouder"}


def _meta(transcript: Transcript, library: Library | None) -> list[tuple[str, str]]:
    scenario = library.scenarios.get(transcript.scenario_id or "") if library else None
    persona = library.personas.get(transcript.persona_id or "") if library else None
    rows = [
        ("Scenario", scenario.title if scenario else (transcript.scenario_id or "onbekend")),
        ("Ouder", f"{persona.name} ({persona.relation})" if persona else (transcript.persona_id or "onbekend")),
        ("Leerkracht in opleiding", transcript.trainee or ""),
        ("Datum", transcript.started_at.strftime("%d-%m-%Y %H:%M") if transcript.started_at else ""),
        ("Stem", transcript.voice or ""),
        ("Moeilijkheid", transcript.difficulty or ""),
        ("Seed", "" if transcript.seed is None else str(transcript.seed)),
        ("Afloop", OUTCOME_LABELS.get(transcript.outcome or "", transcript.outcome or "")),
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
        notes.append("acties: " + ", ".join(a.code for a in turn.acts))
    if turn.fallback_reason:
        notes.append(f"terugval naar vaste tekst: {turn.fallback_reason}")
    for c in turn.comments:
        notes.append(f"opmerking {c.author}: {c.text}")
    for o in turn.overrides:
        notes.append(f"trainer wijkt af ({o.target}): motor {o.engine}, trainer {o.trainer}; {o.reason}")
    return notes


def to_markdown(transcript: Transcript, library: Library | None = None) -> str:
    from feedback.report import render_markdown

    lines = ["# Oudergesprek: verslag", ""]
    lines += [f"- **{k}:** {v}" for k, v in _meta(transcript, library)]
    lines += ["", "## Gesprek", ""]
    for i, turn in enumerate(transcript.turns):
        lines.append(f"{i + 1}. **{SPEAKER[turn.speaker]}:** {turn.text}")
        lines += [f"   - _{n}_" for n in _turn_notes(transcript, i)]
    tl = timeline(transcript)
    if tl.jumps:
        lines += ["", "## Kantelpunten (spanning en vertrouwen)", ""]
        for p in tl.jumps:
            why = "; ".join(c.why for c in p.causes) or "geen oorzaak vastgelegd"
            lines.append(
                f"- Beurt {p.turn + 1}: spanning {p.d_tension:+d}, vertrouwen {p.d_trust:+d} "
                f"na \u201c{p.teacher_text}\u201d: {why}"
            )
    for o in transcript.score_overrides:
        lines.append(f"- Trainer wijkt af bij {o.target}: motor {o.engine}, trainer {o.trainer}; {o.reason}")
    lines += ["", render_markdown(report_for(transcript, library))]
    return "\n".join(lines).rstrip() + "\n"


def timeline_svg(tl: Timeline, width: int = 640, height: int = 180) -> str:
    """Tension (red) and trust (blue) over the parent turns; jumps get a dot with a tooltip."""
    pts = tl.points
    if not pts:
        return "<p>Geen verloop beschikbaar (transcript zonder toestand).</p>"
    pad = 24
    step = (width - 2 * pad) / max(1, len(pts) - 1)

    def xy(i: int, v: int) -> tuple[float, float]:
        return pad + i * step, height - pad - v * (height - 2 * pad) / 100

    def poly(attr: str) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for i, p in enumerate(pts) for x, y in [xy(i, getattr(p, attr))])

    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        'aria-label="Verloop van spanning en vertrouwen" xmlns="http://www.w3.org/2000/svg">',
        f'<rect x="{pad}" y="{pad}" width="{width - 2 * pad}" height="{height - 2 * pad}" fill="#fafafa" '
        'stroke="#ccc"/>',
        f'<polyline fill="none" stroke="#c0392b" stroke-width="2" points="{poly("tension")}"/>',
        f'<polyline fill="none" stroke="#2e6da4" stroke-width="2" points="{poly("trust")}"/>',
    ]
    for i, p in enumerate(pts):
        if not p.jump:
            continue
        x, y = xy(i, p.tension)
        why = "; ".join(c.why for c in p.causes)
        tip = html.escape(f"Beurt {p.turn + 1}: \u201c{p.teacher_text}\u201d — {why}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#c0392b"><title>{tip}</title></circle>')
    parts.append(
        f'<text x="{pad}" y="{pad - 8}" font-size="12" fill="#c0392b">spanning</text>'
        f'<text x="{pad + 70}" y="{pad - 8}" font-size="12" fill="#2e6da4">vertrouwen</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _score_html(title: str, block: dict[str, Any]) -> str:
    e = html.escape
    out = [f"<h2>{e(title)}: {block.get('score', '')}</h2>"]
    if block.get("note"):
        out.append(f"<p>{e(str(block['note']))}</p>")
    out.append("<table><tr><th>Onderdeel</th><th>Score</th><th>Toelichting</th></tr>")
    for sub in block.get("subscores", []):
        quotes = "".join(f"<li>\u201c{e(ev.get('text', ''))}\u201d</li>" for ev in sub.get("evidence", []))
        out.append(
            f"<tr><td>{e(str(sub.get('label', sub.get('id', ''))))}</td><td>{e(str(sub.get('score', '')))}</td>"
            f"<td>{e(str(sub.get('explanation', '')))}<ul>{quotes}</ul></td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def to_html(transcript: Transcript, library: Library | None = None) -> str:
    e = html.escape
    report = report_for(transcript, library).to_dict()
    tl = timeline(transcript)
    meta = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in _meta(transcript, library))
    turns = []
    for i, turn in enumerate(transcript.turns):
        notes = "".join(f"<div class='note'>{e(n)}</div>" for n in _turn_notes(transcript, i))
        turns.append(
            f"<div class='turn {turn.speaker}'><b>{i + 1}. {SPEAKER[turn.speaker]}:</b> {e(turn.text)}{notes}</div>"
        )
    jumps = "".join(
        f"<li>Beurt {p.turn + 1}: spanning {p.d_tension:+d}, vertrouwen {p.d_trust:+d} na "
        f"\u201c{e(p.teacher_text)}\u201d: {e('; '.join(c.why for c in p.causes))}</li>"
        for p in tl.jumps
    )
    sections = [_score_html("Luisteren", report.get("listening", {}))]
    sections.append(_score_html("Grenzen stellen", report.get("boundaries", {})))
    if report.get("bad_news"):
        sections.append(_score_html("Slecht nieuws", report["bad_news"]))
    style = (
        "body{font-family:system-ui,sans-serif;max-width:860px;margin:2em auto;color:#222;line-height:1.45}"
        "table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border:1px solid #ddd;padding:4px 8px;"
        "vertical-align:top;text-align:left}.turn{margin:.4em 0;padding:.3em .6em;border-radius:4px}"
        ".teacher{background:#eef4fb}.parent{background:#fbf1ee}.note{font-size:.85em;color:#555}"
        "@media print{body{margin:0}}"
    )
    return (
        "<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'>"
        f"<title>Oudergesprek: verslag</title><style>{style}</style></head><body>"
        f"<h1>Oudergesprek: verslag</h1><table>{meta}</table>"
        f"<h2>Verloop van spanning en vertrouwen</h2>{timeline_svg(tl)}<ul>{jumps}</ul>"
        f"{''.join(sections)}<h2>Gesprek</h2>{''.join(turns)}</body></html>\n"
    )
