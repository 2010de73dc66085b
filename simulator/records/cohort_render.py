"""A cohort as text (terminal), CSV (gradebook, one row per attempt) or one self-contained HTML page.

The HTML page carries its charts as inline SVG drawn from numbers computed here, with
every word escaped by Jinja2's autoescape: no scripts, no external files, so a
trainer can mail or print it and nothing leaves the machine.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from simulator.records.cohort import Attempt, Cohort, ScenarioStats, StudentSummary
from simulator.records.cohort_words import words

CSV_BASE_COLUMNS: tuple[str, ...] = (
    "student",
    "attempt_id",
    "date",
    "started_at",
    "scenario",
    "scenario_title",
    "persona",
    "outcome",
    "teacher_turns",
    "listening",
    "boundaries",
    "self_listening",
    "self_boundaries",
    "source",
)
"""Fixed, English column ids: a spreadsheet or gradebook import keeps working when the Dutch words change."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_columns() -> list[str]:
    skills = words().skills
    return [*CSV_BASE_COLUMNS, *(f"shown_{s.id}" for s in skills), *(f"score_{s.id}" for s in skills)]


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula (names come from students' own laptops)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(cohort: Cohort) -> str:
    skills = words().skills
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(csv_columns())
    for student in cohort.students():
        for a in student.attempts:
            row: list[object] = [
                a.student,
                a.id,
                a.date,
                a.started.isoformat() if a.started else "",
                a.scenario,
                a.scenario_title,
                a.persona,
                a.outcome,
                a.teacher_turns,
                a.listening,
                a.boundaries,
                a.self_listening,
                a.self_boundaries,
                a.source,
            ]
            row += [int(a.shown.get(s.id, False)) for s in skills]
            row += [a.subscores.get(s.id) for s in skills]
            writer.writerow([_cell(v) for v in row])
    return out.getvalue()


# --- text -------------------------------------------------------------------------------------


NO_VALUE = "–"


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def _span(values: Sequence[int]) -> str:
    """'27 → 64 (+37)', one score alone, or a dash when nothing was scored."""
    if not values:
        return NO_VALUE
    if len(values) == 1:
        return str(values[0])
    return f"{values[0]} → {values[-1]} ({_signed(values[-1] - values[0])})"


def _spread(values: Sequence[int]) -> tuple[str, str]:
    """(median, 'min–max') or dashes."""
    if not values:
        return NO_VALUE, NO_VALUE
    return f"{ScenarioStats.median(tuple(values)):.0f}", f"{min(values)}–{max(values)}"


def _self_line(student: StudentSummary) -> str:
    t = words().text
    rated = student.last_rated
    if rated is None:
        return t.no_self
    return t.last_self.format(
        listening=rated.self_listening,
        boundaries=rated.self_boundaries,
        l_score=NO_VALUE if rated.listening is None else rated.listening,
        b_score=NO_VALUE if rated.boundaries is None else rated.boundaries,
    )


def to_text(cohort: Cohort) -> str:
    t = words().text
    students, scenarios, skills = cohort.students(), cohort.scenarios(), cohort.skills()
    lines = [t.title, t.summary.format(students=len(students), attempts=len(cohort.attempts), scenarios=len(scenarios))]
    if cohort.duplicates:
        lines.append(t.duplicates.format(count=cohort.duplicates))
    if cohort.anonymised:
        lines.append(t.anonymised)
    if not cohort.attempts:
        lines += ["", t.no_attempts]
    if students:
        lines += ["", t.students]
        width = max(len(s.name) for s in students)
        for s in students:
            lines.append(
                f"  {s.name:<{width}}  {len(s.attempts):>2} {t.attempts}  "
                f"{t.listening} {_span(s.scores('listening')):<16} {t.boundaries} {_span(s.scores('boundaries'))}"
            )
            lines.append(f"  {'':<{width}}  {_self_line(s)}")
    if scenarios:
        lines += ["", t.scenarios]
        for sc in scenarios:
            lines.append(f"  {sc.title} ({sc.count} {t.attempts})")
            for label, values in ((t.listening, sc.listening), (t.boundaries, sc.boundaries)):
                median, spread = _spread(values)
                lines.append(f"    {label:<12} {t.median} {median:>3}  {t.range} {spread}")
    if students:
        lines += ["", t.skills]
        width = max(len(k.label) for k in skills)
        for k in skills:
            lines.append(
                f"  {k.label:<{width}}  {t.shown.format(shown=k.shown, total=k.total, percent=k.percent):<28}  "
                f"{t.never.format(percent=k.percent_never, phrase=k.never)}"
            )
    lines += ["", t.skipped]
    lines += [f"  {s.name}: {s.reason}" for s in cohort.skipped] or [f"  {t.no_skipped}"]
    return "\n".join(lines) + "\n"


# --- HTML -------------------------------------------------------------------------------------

CHART_W, CHART_H, PAD = 320, 120, 24


def _y(score: float, height: int = CHART_H) -> float:
    """Score 0-100 to an SVG y (0 at the bottom)."""
    return round(PAD / 2 + (height - PAD) * (1 - max(0.0, min(100.0, score)) / 100), 1)


def _series(attempts: Sequence[Attempt]) -> dict[str, Any]:
    n = len(attempts)
    step = (CHART_W - 2 * PAD) / max(1, n - 1)
    xs = [round(PAD + i * step if n > 1 else CHART_W / 2, 1) for i in range(n)]
    listening = [(x, _y(a.listening)) for x, a in zip(xs, attempts, strict=True) if a.listening is not None]
    boundaries = [(x, _y(a.boundaries)) for x, a in zip(xs, attempts, strict=True) if a.boundaries is not None]
    # A self-rating 1-5 sits on the same 0-100 scale (1 → 0, 5 → 100), as a ring in its dimension's colour.
    selfs = [
        (x, _y((rating - 1) * 25), cls)
        for x, a in zip(xs, attempts, strict=True)
        for rating, cls in ((a.self_listening, "l"), (a.self_boundaries, "b"))
        if rating is not None
    ]
    return {
        "listening": listening,
        "boundaries": boundaries,
        "self": selfs,
        "listening_points": " ".join(f"{x},{y}" for x, y in listening),
        "boundaries_points": " ".join(f"{x},{y}" for x, y in boundaries),
        "grid": [(_y(v), v) for v in (0, 50, 100)],
    }


def _histogram(values: Sequence[int], bins: int = 10) -> list[int]:
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, max(0, int(v) * bins // 100))] += 1
    return counts


def _distribution(sc: ScenarioStats) -> dict[str, Any]:
    hist_l, hist_b = _histogram(sc.listening), _histogram(sc.boundaries)
    top = max([1, *hist_l, *hist_b])
    inner_h = CHART_H - PAD
    slot = (CHART_W - 2 * PAD) / len(hist_l)
    bars = []
    for i, (cl, cb) in enumerate(zip(hist_l, hist_b, strict=True)):
        x = PAD + i * slot
        for offset, count, cls in ((0.1, cl, "l"), (0.5, cb, "b")):
            h = round(inner_h * count / top, 1)
            bars.append(
                {
                    "x": round(x + slot * offset, 1),
                    "y": round(CHART_H - PAD / 2 - h, 1),
                    "w": round(slot * 0.4, 1),
                    "h": h,
                    "cls": cls,
                    "count": count,
                }
            )
    ticks = [{"x": round(PAD + i * slot * 2, 1), "label": str(i * 20)} for i in range(6)]
    return {"bars": bars, "ticks": ticks, "listening": _spread(sc.listening), "boundaries": _spread(sc.boundaries)}


def html_context(cohort: Cohort) -> dict[str, Any]:
    t = words().text
    students = [
        {
            "name": s.name,
            "count": len(s.attempts),
            "span_l": _span(s.scores("listening")),
            "span_b": _span(s.scores("boundaries")),
            "self_line": _self_line(s),
            "chart": _series(s.attempts),
            "chart_label": t.chart_scores.format(student=s.name),
            "attempts": s.attempts,
        }
        for s in cohort.students()
    ]
    scenarios = [
        {"stats": sc, "chart": _distribution(sc), "chart_label": t.chart_scenario.format(scenario=sc.title)}
        for sc in cohort.scenarios()
    ]
    skills = [{"stats": k, "width": round(200 * k.percent / 100, 1)} for k in cohort.skills()]
    return {
        "t": t,
        "summary": t.summary.format(students=len(students), attempts=len(cohort.attempts), scenarios=len(scenarios)),
        "duplicates": t.duplicates.format(count=cohort.duplicates) if cohort.duplicates else "",
        "anonymised": cohort.anonymised,
        "students": students,
        "scenarios": scenarios,
        "skills": skills,
        "skipped": cohort.skipped,
        "W": CHART_W,
        "H": CHART_H,
        "PAD": PAD,
    }


def to_html(cohort: Cohort) -> str:
    from simulator.records.templating import render_html

    return render_html("cohort.html.j2", **html_context(cohort))


def render(cohort: Cohort, fmt: str) -> str:
    if fmt == "csv":
        return to_csv(cohort)
    if fmt == "html":
        return to_html(cohort)
    return to_text(cohort)
