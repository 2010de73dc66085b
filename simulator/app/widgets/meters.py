"""The trainer's view during a conversation: the parent's state as small meters, and listening counters.

Off by default: a trainee should listen to the parent, not to numbers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from simulator.app.labels import COUNTERS

BAR_WIDTH = 12


def bar(value: float, width: int = BAR_WIDTH) -> str:
    """A text bar for 0..100 (full blocks and one partial block)."""
    value = max(0.0, min(100.0, value))
    eighths = round(value / 100 * width * 8)
    full, rest = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[rest] if rest else ""
    return ("█" * full + partial).ljust(width, "·")


class Meter(Static):
    """Label, bar and number for one state value."""

    def __init__(self, label: str, style: str, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="meter")
        self.label = label
        self.bar_style = style
        self.value = 0.0

    def set_value(self, value: float) -> None:
        self.value = value
        self.update(
            Content.assemble(
                (f"{self.label:<11}", "bold"),
                (bar(value), self.bar_style),
                f" {round(value):>3}",
            )
        )


class ParentMeters(Vertical):
    """Tension, trust and heard, plus the listening counters from the teacher's recognised acts."""

    def compose(self) -> ComposeResult:
        yield Static("Ouder", classes="panel-title")
        yield Meter("Spanning", "$error", id="meter-tension")
        yield Meter("Vertrouwen", "$primary", id="meter-trust")
        yield Meter("Gehoord", "$success", id="meter-heard")
        yield Static("Luisteren (jij)", classes="panel-title")
        yield Static(id="counters")

    def show(self, tension: float, trust: float, heard: float, acts: Iterable[Iterable[str]]) -> None:
        self.query_one("#meter-tension", Meter).set_value(tension)
        self.query_one("#meter-trust", Meter).set_value(trust)
        self.query_one("#meter-heard", Meter).set_value(heard)
        counts = Counter(code for turn in acts for code in set(turn))
        lines = [f"{label:<18}{counts.get(code, 0):>3}" for code, label in COUNTERS]
        self.query_one("#counters", Static).update(Content("\n".join(lines)))
