"""Terugblik: rate yourself first, then see the scores, the timeline and the acts per turn.

The self-rating comes before any score so the trainee's own judgement is not
anchored by the engine's; it is stored in the transcript. From here the trainee
tries again with the same parent and seed, or rewinds to a turn as a new attempt.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, ContentSwitcher, Footer, Label, RadioButton, RadioSet, Static

from simulator.app import backend
from simulator.app.screens.base import AppScreen
from simulator.app.widgets.report import ReportTabs, summary_text
from simulator.app.widgets.titlebar import TitleBar
from simulator.records.transcript import SelfRating, Transcript


class TerugblikScreen(AppScreen):
    """Looking back on one attempt."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "home", "Naar start"),
        Binding("o", "again", "Opnieuw"),
        Binding("t", "rewind", "Terugspoelen"),
        Binding("1", "rate(1)", "1", show=False),
        Binding("2", "rate(2)", "2", show=False),
        Binding("3", "rate(3)", "3", show=False),
        Binding("4", "rate(4)", "4", show=False),
        Binding("5", "rate(5)", "5", show=False),
    ]

    def __init__(self, transcript: Transcript, path: Path | None, setup: backend.Setup) -> None:
        super().__init__()
        self.transcript = transcript
        self.path = path
        self.setup = setup
        self.report: dict[str, Any] | None = None
        self.ready = False

    def compose(self) -> ComposeResult:
        yield TitleBar("Terugblik")
        initial = "rating" if self.transcript.self_rating is None else "review"
        with ContentSwitcher(initial=initial, id="switcher"):
            with Vertical(id="rating"):
                yield Static("Hoe ging het?", classes="title")
                yield Static(
                    "Beoordeel eerst jezelf, van 1 (ging nog moeizaam) tot 5 (ging heel goed): "
                    "toets een cijfer, of kies met de pijltjes en spatie. Daarna zie je de feedback.",
                    classes="intro",
                )
                yield Label("Luisteren: doorvragen, samenvatten, gevoel benoemen", classes="field-label")
                yield RadioSet(*[RadioButton(str(i)) for i in range(1, 6)], id="rate-listening", classes="rating")
                yield Label("Grenzen stellen: helder, respectvol, standpunt vasthouden", classes="field-label")
                yield RadioSet(*[RadioButton(str(i)) for i in range(1, 6)], id="rate-boundaries", classes="rating")
                with Horizontal(classes="buttons"):
                    yield Button("Toon de feedback", variant="primary", id="show-report")
            yield ReportTabs(id="review")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if self.transcript.self_rating is None:
            self.query_one("#rate-listening", RadioSet).focus()
        else:
            self.build_report()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"again", "rewind"}:
            return self.ready
        if action == "rate":
            return not self.ready
        return True

    # --- self-rating ---------------------------------------------------------------
    def action_rate(self, value: int) -> None:
        focused = self.focused
        if isinstance(focused, RadioSet):
            buttons = list(focused.query(RadioButton))
            buttons[value - 1].value = True
            if focused.id == "rate-listening":
                self.query_one("#rate-boundaries", RadioSet).focus()
            else:
                self.query_one("#show-report", Button).focus()

    @on(Button.Pressed, "#show-report")
    def rated(self) -> None:
        listening = self.query_one("#rate-listening", RadioSet).pressed_index
        boundaries = self.query_one("#rate-boundaries", RadioSet).pressed_index
        if listening < 0 or boundaries < 0:
            self.notify("Geef jezelf eerst voor allebei een cijfer van 1 tot 5.", severity="warning")
            return
        self.transcript.self_rating = SelfRating(listening=listening + 1, boundaries=boundaries + 1)
        self.query_one("#show-report", Button).disabled = True
        self.build_report()

    # --- the report --------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="report", exit_on_error=False)
    def build_report(self) -> None:
        """Save the self-rating, then score and chart the attempt (pure Python, but not free)."""
        library = self.oapp.library
        try:
            backend.save(self.transcript, self.path)
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"Opslaan mislukt: {exc}", severity="error")
        try:
            report: dict[str, Any] | None = backend.report(self.transcript, library)
        except Exception as exc:
            report = None
            self.app.call_from_thread(self.notify, f"Geen scores: {exc}", severity="warning", timeout=8)
        try:
            points = list(backend.timeline(self.transcript).points)
        except Exception:
            points = []
        self.app.call_from_thread(self._show_report, report, points)

    async def _show_report(self, report: dict[str, Any] | None, points: list[Any]) -> None:
        self.report = report
        self.query_one(ContentSwitcher).current = "review"
        tabs = self.query_one(ReportTabs)
        await tabs.show(
            self.transcript,
            report,
            points,
            self.setup.persona.name,
            summary_text(self.transcript, self.setup.scenario.title, self.setup.persona.name),
        )
        tabs.query_one("Tabs").focus()
        self.ready = True
        self.refresh_bindings()

    # --- next attempts -------------------------------------------------------------------
    def action_home(self) -> None:
        self.app.pop_screen()

    def action_again(self) -> None:
        """Same parent, same seed, same difficulty: the dossier again, intention kept for editing."""
        from simulator.app.screens.dossier import DossierScreen

        setup = dataclasses.replace(self.setup, trainee=self.oapp.trainee or self.setup.trainee)
        self.app.switch_screen(DossierScreen(setup))

    def action_rewind(self) -> None:
        from simulator.app.screens.modals import TurnPicker

        if not any(t.speaker == "teacher" for t in self.transcript.turns):
            self.notify("Er is nog geen beurt om naar terug te spoelen.", severity="warning")
            return

        def picked(index: object) -> None:
            if isinstance(index, int):
                self.rewind_to(index)

        self.app.push_screen(TurnPicker(self.transcript, self.setup.persona.name), picked)

    def rewind_to(self, index: int) -> None:
        """A new attempt that keeps the turns before `index`; the old file stays as it is."""
        library = self.oapp.library
        if library is None:
            return
        transcript = self.transcript
        clock = self.clock()
        setup = dataclasses.replace(self.setup)
        self.open_conversation(
            setup, lambda voice: backend.resume_session(transcript, library, voice, upto=index, clock=clock)
        )
