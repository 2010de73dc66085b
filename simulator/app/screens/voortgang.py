"""Voortgang, for the trainee: their own scores per scenario over the attempts, with their self-ratings.

A chart on a fixed 0-100 scale (a sparkline scales to its own minimum and maximum,
which would turn 60 → 62 into a towering climb), then the sub-skill that improved
most and the one to practise next, each with the trainee's own words from the
latest attempt. Loading and scoring run in a worker, so the screen shows at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Static

from simulator.app.screens.base import AppScreen
from simulator.app.widgets.titlebar import TitleBar
from simulator.records.cohort_words import words

if TYPE_CHECKING:
    from simulator.records.cohort_progress import Progress, ScenarioSeries, SkillChange

BARS = "▁▂▃▄▅▆▇█"
NO_VALUE = "–"
BAR_HEIGHT = 2
"""Lines per chart row: 16 steps over 0-100, enough to see a change of about six points."""


def bar_rows(values: Sequence[int | None], height: int = BAR_HEIGHT, width: int = 3) -> list[str]:
    """Vertical bars for scores 0-100 on a fixed scale, one column group per attempt, top row first;
    an attempt without a score keeps its place, empty."""
    steps = len(BARS) * height
    rows = []
    for level in reversed(range(height)):
        cells = []
        for v in values:
            if v is None:
                cells.append(" " * (width - 1))
                continue
            filled = max(1, round(max(0, min(100, v)) / 100 * steps)) - level * len(BARS)
            char = " " if filled <= 0 else BARS[-1] if filled >= len(BARS) else BARS[filled - 1]
            cells.append(char * (width - 1))
        rows.append(" ".join(cells))
    return rows


class VoortgangScreen(AppScreen):
    """The trainee's progress over their own saved attempts."""

    DEFAULT_CSS = """
    VoortgangScreen #voortgang { padding: 0 2; }
    VoortgangScreen .series-title { text-style: bold; margin-top: 1; }
    VoortgangScreen .chart-l { color: $primary; }
    VoortgangScreen .chart-b { color: $warning; }
    VoortgangScreen .rows { color: $text-muted; }
    VoortgangScreen .advice-title { text-style: bold; margin-top: 1; }
    VoortgangScreen .quote { text-style: italic; padding-left: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", words().voortgang.back)]

    def __init__(self) -> None:
        super().__init__()
        self.progress: Progress | None = None
        """What is shown, once loaded; tests wait on it."""

    def compose(self) -> ComposeResult:
        w = words().voortgang
        yield TitleBar(w.title)
        with VerticalScroll(id="voortgang"):
            yield Static(w.loading, id="voortgang-intro")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    @work(thread=True, exclusive=True, group="voortgang", exit_on_error=False)
    def load(self) -> None:
        from simulator.records.cohort_progress import own_progress
        from simulator.settings.paths import transcripts_dir

        progress = own_progress(transcripts_dir(), self.oapp.trainee, self.oapp.library)
        self.app.call_from_thread(self.show, progress)

    async def show(self, progress: Progress) -> None:
        w = words().voortgang
        box = self.query_one("#voortgang", VerticalScroll)
        await box.remove_children()
        name = self.oapp.trainee
        intro = w.intro_named.format(name=name) if name else w.intro
        widgets: list[Static] = [Static(Content(intro), id="voortgang-intro")]
        if not progress.series:
            widgets.append(Static(Content(w.empty), id="voortgang-empty"))
        for series in progress.series:
            widgets += self._series(series)
        if progress.series:
            widgets += self._advice(w.improved, progress.improved, improved=True)
            widgets += self._advice(w.practise, progress.practise, improved=False)
        if progress.skipped:
            widgets.append(Static(Content(w.skipped.format(count=progress.skipped)), classes="rows"))
        await box.mount_all(widgets)
        self.progress = progress

    def _series(self, series: ScenarioSeries) -> list[Static]:
        t, w = words().text, words().voortgang
        label_w = max(len(t.listening), len(t.boundaries)) + 2
        out = [Static(Content(w.series.format(title=series.title, count=len(series.attempts))), classes="series-title")]
        for label, values, cls in (
            (t.listening, series.listening, "chart-l"),
            (t.boundaries, series.boundaries, "chart-b"),
        ):
            rows = bar_rows(values)
            scored = [v for v in values if v is not None]
            trend = f"{scored[0]} → {scored[-1]}" if len(scored) > 1 else "".join(str(v) for v in scored[:1])
            lines = [f"{label if i == len(rows) - 1 else '':<{label_w}}{row}" for i, row in enumerate(rows)]
            lines[-1] += f"   {trend}"
            out.append(Static(Content("\n".join(lines)), classes=cls))
        rows = []
        for a in series.attempts:
            self_text = (
                w.self_value.format(listening=a.self_listening, boundaries=a.self_boundaries)
                if a.self_listening is not None
                else w.no_self
            )
            rows.append(
                w.attempt_row.format(
                    date=a.date or t.unknown_date,
                    listening=NO_VALUE if a.listening is None else a.listening,
                    boundaries=NO_VALUE if a.boundaries is None else a.boundaries,
                    self=self_text,
                )
            )
        out.append(Static(Content("\n".join(rows)), classes="rows"))
        return out

    def _advice(self, title: str, change: SkillChange | None, *, improved: bool) -> list[Static]:
        w = words().voortgang
        out = [Static(Content(title), classes="advice-title")]
        if change is None:
            if improved:
                out.append(Static(Content(w.no_improved), classes="advice"))
            return out
        line = (
            w.improved_line.format(skill=change.skill.label, first=change.first, last=change.last)
            if improved
            else w.practise_line.format(skill=change.skill.label, score=change.last)
        )
        out.append(Static(Content(line), classes="advice", id="improved" if improved else "practise"))
        quote = w.quote.format(quote=change.quote) if change.quote else w.no_quote
        out.append(Static(Content(quote), classes="quote"))
        return out
