"""Tension and trust over the parent turns as a small block chart, with the jumps marked.

A sparkline alone hides *why* a line moved; the marks under the chart line up
with the list of jumps, which quotes the teacher's line and the engine's reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

BLOCKS = " ▁▂▃▄▅▆▇█"
LABEL_WIDTH = 12


def blocks(values: Sequence[int], width: int) -> str:
    """One block per value (0..100), each `width` cells wide."""
    out = []
    for v in values:
        level = round(max(0, min(100, v)) / 100 * (len(BLOCKS) - 1))
        out.append(BLOCKS[max(1, level)] * width)
    return "".join(out)


class TimelineChart(Widget):
    """Two rows of blocks (tension, trust) and a row of ▲ under the jumps."""

    DEFAULT_CSS = """
    TimelineChart { height: 4; }
    """

    def __init__(self, points: Sequence[Any] = (), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.points = list(points)

    def set_points(self, points: Sequence[Any]) -> None:
        self.points = list(points)
        self.refresh()

    def column_width(self) -> int:
        n = max(1, len(self.points))
        return max(1, min(4, (self.size.width - LABEL_WIDTH) // n))

    def render(self) -> Content:
        if not self.points:
            return Content("Geen verloop: dit transcript bevat geen toestand van de ouder.")
        w = self.column_width()
        tension = [p.tension for p in self.points]
        trust = [p.trust for p in self.points]
        marks = "".join(("▲" if p.jump else " ").ljust(w) for p in self.points)
        every = max(1, 4 // w)
        numbers = "".join(str(i + 1)[:w].ljust(w) if i % every == 0 else " " * w for i in range(len(tension)))
        return Content.assemble(
            ("Spanning".ljust(LABEL_WIDTH), "bold"),
            (blocks(tension, w), "$error"),
            "\n",
            ("Vertrouwen".ljust(LABEL_WIDTH), "bold"),
            (blocks(trust, w), "$primary"),
            "\n",
            ("Kantelpunt".ljust(LABEL_WIDTH), "dim"),
            (marks, "$warning"),
            "\n",
            ("Ouderbeurt".ljust(LABEL_WIDTH), "dim"),
            (numbers, "dim"),
        )


def jump_prompt(point: Any, index: int) -> Content:
    """'Kantelpunt 2 (beurt 7): spanning +12, vertrouwen -5', the teacher's line, then each reason."""
    causes = list(point.causes or ())
    why = [f"  • {c.why}" for c in causes] or ["  • geen oorzaak vastgelegd"]
    quote = point.teacher_text or "(begin van het gesprek)"
    return Content.assemble(
        (f"▲ {index}. Beurt {point.turn + 1}: spanning {point.d_tension:+d}, vertrouwen {point.d_trust:+d}", "bold"),
        "\n",
        ("  Jij: ", "dim"),
        (f"“{quote}”", "italic"),
        "\n",
        "\n".join(why),
    )


class TimelineView(Vertical):
    """The chart with its list of jumps; each jump is an option the trainee can scroll through."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.points: list[Any] = []

    def compose(self) -> ComposeResult:
        yield TimelineChart(id="chart")
        yield Static("Kantelpunten", classes="section-title")
        yield OptionList(id="jumps")

    def show(self, points: Sequence[Any]) -> None:
        self.points = list(points)
        self.query_one(TimelineChart).set_points(self.points)
        jumps = [p for p in self.points if p.jump]
        options = self.query_one("#jumps", OptionList)
        options.clear_options()
        if not jumps:
            options.add_option(Option(Content("Geen grote sprongen in spanning of vertrouwen."), disabled=True))
            return
        options.add_options(Option(jump_prompt(p, i + 1), id=f"jump-{p.turn}") for i, p in enumerate(jumps))
