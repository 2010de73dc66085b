"""Transcripten, for trainers: browse saved attempts, open one read-only with its report,
comment on turns, override acts or scores with a reason, and export Markdown or HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import DataTable, Footer, Input, Select, Static

from simulator.app import backend
from simulator.app.labels import outcome_label
from simulator.app.screens.base import AppScreen
from simulator.app.widgets.report import ReportTabs, TurnList, summary_text
from simulator.app.widgets.titlebar import TitleBar

ALL = "__all__"


def matches(saved: backend.Saved, trainee: str, scenario: str, date: str) -> bool:
    """Filters as a trainer types them: part of a name, a scenario, a date prefix (JJJJ-MM-DD)."""
    t = saved.transcript
    if trainee and trainee.lower() not in (t.trainee or "").lower():
        return False
    if scenario != ALL and t.scenario_id != scenario:
        return False
    if date:
        stamp = saved.started.strftime("%Y-%m-%d") if saved.started else ""
        if not stamp.startswith(date):
            return False
    return True


def skipped_text(skipped: list[Any]) -> str:
    from simulator.records.cohort_words import words

    first = skipped[0]
    return words().open.skipped.format(count=len(skipped), name=first.name, reason=first.reason)


class TranscriptenScreen(AppScreen):
    """The list of saved attempts with filters."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Terug"),
        Binding("ctrl+r", "reload", "Vernieuwen"),
        Binding("ctrl+g", "gold", "Goudset exporteren"),
        Binding("ctrl+o", "open_source", "Map of zip openen"),
    ]

    def __init__(self, sources: list[Path] | None = None) -> None:
        super().__init__()
        self.sources = sources
        """A trainer's folders or zips of students' transcripts; None lists the own data folder."""
        self.saved: list[backend.Saved] = []
        self.shown: list[backend.Saved] = []

    def compose(self) -> ComposeResult:
        yield TitleBar("Transcripten")
        with Horizontal(id="filters"):
            yield Input(placeholder="Naam trainee", id="f-trainee")
            yield Select[str]([("Alle scenario's", ALL)], value=ALL, allow_blank=False, id="f-scenario")
            yield Input(placeholder="Datum JJJJ-MM-DD", id="f-date", max_length=10)
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Static("", id="count")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Datum", "Trainee", "Scenario", "Ouder", "Afloop", "Beurten")
        library = self.oapp.library
        options = [("Alle scenario's", ALL)]
        if library is not None:
            options += [(s.title, s.id) for s in library.scenarios.values()]
        self.query_one("#f-scenario", Select).set_options(options)
        self.query_one("#f-scenario", Select).value = ALL
        self.action_reload()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.query_one("#count", Static).update("Transcripten laden…")
        self.load()

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load(self) -> None:
        if self.sources:
            from simulator.app.screens.open_cohort import load_saved

            saved, skipped = load_saved(self.sources)
            if skipped:
                self.app.call_from_thread(self.notify, skipped_text(skipped), severity="warning", timeout=10)
        else:
            problems: list = []
            saved = backend.saved_transcripts(problems)
            for problem in problems:
                self.app.call_from_thread(self.notify, str(problem), severity="warning", timeout=10)
        self.app.call_from_thread(self._loaded, saved)

    def action_open_source(self) -> None:
        from simulator.app.screens.open_cohort import OpenCohortDialog

        def chosen(path: object) -> None:
            if isinstance(path, Path):
                self.sources = [path]
                self.query_one(TitleBar).show(path.name)
                self.action_reload()

        self.app.push_screen(OpenCohortDialog(), chosen)

    def _loaded(self, saved: list[backend.Saved]) -> None:
        self.saved = saved
        self.apply_filters()

    @on(Input.Changed)
    @on(Select.Changed)
    def apply_filters(self) -> None:
        trainee = self.query_one("#f-trainee", Input).value.strip()
        scenario = self.query_one("#f-scenario", Select).value
        date = self.query_one("#f-date", Input).value.strip()
        self.shown = [s for s in self.saved if matches(s, trainee, str(scenario), date)]
        table = self.query_one(DataTable)
        table.clear()
        library = self.oapp.library
        for i, s in enumerate(self.shown):
            t = s.transcript
            scenario_title = t.scenario_id or "?"
            parent = t.persona_id or "?"
            if library is not None:
                if t.scenario_id in library.scenarios:
                    scenario_title = library.scenarios[t.scenario_id].title
                if t.persona_id in library.personas:
                    parent = library.personas[t.persona_id].name
            table.add_row(
                s.started.strftime("%Y-%m-%d %H:%M") if s.started else "",
                t.trainee or "",
                scenario_title,
                parent,
                outcome_label(t.outcome),
                str(len(t.turns)),
                key=str(i),
            )
        total = len(self.saved)
        self.query_one("#count", Static).update(
            f"{len(self.shown)} van {total} gesprekken · Enter opent een gesprek"
            if total
            else "Nog geen opgeslagen gesprekken."
        )

    @on(DataTable.RowSelected)
    def open_row(self, event: DataTable.RowSelected) -> None:
        index = int(event.row_key.value or 0)
        self.app.push_screen(TranscriptScreen(self.shown[index]), lambda _: self.action_reload())

    def action_gold(self) -> None:
        self.export_gold([s.transcript for s in self.shown])

    @work(thread=True, group="gold", exit_on_error=False)
    def export_gold(self, transcripts: list[Any]) -> None:
        try:
            path = backend.export_gold(transcripts)
        except Exception as exc:
            self.app.call_from_thread(self.notify, f"Exporteren mislukt: {exc}", severity="error")
            return
        self.app.call_from_thread(
            self.notify, f"Afwijkingen van trainers als goudset opgeslagen in {path}", title="Goudset", timeout=10
        )


class TranscriptScreen(AppScreen):
    """One saved attempt, read-only, with its report and the trainer's tools."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Terug"),
        Binding("c", "comment", "Opmerking"),
        Binding("a", "override_acts", "Acties corrigeren"),
        Binding("s", "override_score", "Score corrigeren"),
        Binding("m", "export('markdown')", "Markdown"),
        Binding("h", "export('html')", "HTML"),
    ]

    def __init__(self, saved: backend.Saved) -> None:
        super().__init__()
        self.saved = saved
        self.transcript = saved.transcript
        self.report: dict[str, Any] | None = None
        self.shown = 0
        """How often the report was (re)drawn; tests wait on it."""

    @property
    def parent_name(self) -> str:
        library = self.oapp.library
        pid = self.transcript.persona_id or ""
        return library.personas[pid].name if library and pid in library.personas else "Ouder"

    @property
    def scenario_title(self) -> str:
        library = self.oapp.library
        sid = self.transcript.scenario_id or ""
        return library.scenarios[sid].title if library and sid in library.scenarios else sid

    def compose(self) -> ComposeResult:
        yield TitleBar("Transcript")
        yield ReportTabs(id="review")
        yield Static("", id="export-path")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        t = self.transcript
        self.query_one(TitleBar).show(f"Transcript · {t.trainee or 'onbekende trainee'} · {self.saved.path.name}")
        self.refresh_report()

    def action_back(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="report", exit_on_error=False)
    def refresh_report(self) -> None:
        try:
            report: dict[str, Any] | None = backend.report(self.transcript, self.oapp.library)
        except Exception:
            report = None
        try:
            points = list(backend.timeline(self.transcript).points)
        except Exception:
            points = []
        self.app.call_from_thread(self._show, report, points)

    async def _show(self, report: dict[str, Any] | None, points: list[Any]) -> None:
        self.report = report
        summary = summary_text(self.transcript, self.scenario_title, self.parent_name)
        if self.transcript.trainee:
            summary = f"Trainee: {self.transcript.trainee}\n{summary}"
        await self.query_one(ReportTabs).show(self.transcript, report, points, self.parent_name, summary)
        self.shown += 1

    # --- choosing a turn -----------------------------------------------------------------
    def _chosen_turn(self) -> int | None:
        """The highlighted turn in the Beurten tab; otherwise open that tab and ask to pick one."""
        tabs = self.query_one(ReportTabs)
        turns = self.query_one(TurnList)
        if tabs.active != "tab-turns" or turns.highlighted is None:
            tabs.active = "tab-turns"
            turns.focus()
            if turns.highlighted is None and turns.option_count:
                turns.highlighted = 0
            self.notify("Kies met de pijltjes een beurt en druk dan nogmaals op de toets.", timeout=4)
            return None
        return turns.highlighted

    def _author(self) -> str:
        return self.oapp.trainee or "trainer"

    def action_comment(self) -> None:
        from simulator.app.screens.modals import CommentDialog

        index = self._chosen_turn()
        if index is None:
            return

        def done(text: object) -> None:
            if isinstance(text, str):
                t, path, author = self.transcript, self.saved.path, self._author()
                self.save_change(lambda: backend.add_comment(t, path, index, author, text))

        self.app.push_screen(CommentDialog(self.transcript.turns[index].text), done)

    def action_override_acts(self) -> None:
        from simulator.app.screens.modals import ActOverrideDialog, ActOverrides

        index = self._chosen_turn()
        if index is None:
            return
        turn = self.transcript.turns[index]
        if turn.speaker != "teacher":
            self.notify("Alleen beurten van de leerkracht hebben acties.", severity="warning")
            return
        engine = [a.code for a in turn.acts or []]

        def done(result: object) -> None:
            if not isinstance(result, ActOverrides):
                return
            path, author, t = self.saved.path, self._author(), self.transcript

            def apply() -> None:
                for code in result.added:
                    backend.override_act(t, None, index, code, True, result.reason, author)
                for code in result.removed:
                    backend.override_act(t, None, index, code, False, result.reason, author)
                backend.save(t, path)

            self.save_change(apply)

        self.app.push_screen(ActOverrideDialog(turn.text, engine), done)

    def action_override_score(self) -> None:
        from simulator.app.screens.modals import ScoreOverride, ScoreOverrideDialog

        scores: dict[str, int] = {}
        for key in ("listening", "boundaries"):
            value = ((self.report or {}).get(key) or {}).get("score")
            if value is not None:
                scores[key] = round(float(value))

        def done(result: object) -> None:
            if not isinstance(result, ScoreOverride):
                return
            engine = scores.get(result.dimension, 0)
            t, path, author = self.transcript, self.saved.path, self._author()
            self.save_change(
                lambda: backend.override_score(t, path, result.dimension, engine, result.score, result.reason, author)
            )

        self.app.push_screen(ScoreOverrideDialog(scores), done)

    @work(thread=True, group="save", exit_on_error=False)
    def save_change(self, change: Any) -> None:
        try:
            change()
        except Exception as exc:
            self.app.call_from_thread(self.notify, f"Niet opgeslagen: {exc}", severity="error")
            return
        self.app.call_from_thread(self.notify, "Opgeslagen in het transcript.", timeout=3)
        self.refresh_report()

    # --- export ---------------------------------------------------------------------------
    def action_export(self, fmt: str) -> None:
        self.export(fmt)

    @work(thread=True, group="export", exit_on_error=False)
    def export(self, fmt: str) -> None:
        try:
            path = backend.export(self.transcript, self.oapp.library, fmt, self.saved.path)
        except Exception as exc:
            self.app.call_from_thread(self.notify, f"Exporteren mislukt: {exc}", severity="error")
            return
        label = "HTML-verslag" if fmt == "html" else "Markdown-verslag"
        self.app.call_from_thread(self._exported, label, str(path))

    def _exported(self, label: str, path: str) -> None:
        self.query_one("#export-path", Static).update(Content(f"{label} opgeslagen: {path}"))
        self.notify(path, title=f"{label} opgeslagen", timeout=10)
