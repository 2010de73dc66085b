"""Gesprek: the conversation itself.

The engine and the voice run in a worker thread; each streamed piece reaches
the log through `call_from_thread`, so the input stays responsive. Escape sets
the cancel event; the worker still consumes the stream to its final piece,
because that is when the session commits and saves the parent's turn.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, Footer, Static

from simulator.app import backend
from simulator.app.labels import SPEAKERS, outcome_label
from simulator.app.screens.base import AppScreen
from simulator.app.widgets.chat import ChatInput, ChatLog, ChatMessage
from simulator.app.widgets.meters import ParentMeters
from simulator.app.widgets.titlebar import TitleBar
from simulator.records.voice_use import fell_back, interrupted

if TYPE_CHECKING:
    from simulator.engine.session import ParentPlan, Session
    from simulator.records.transcript import Turn
    from simulator.voices.base import Piece


class GesprekScreen(AppScreen):
    """The parent talks (streaming), the teacher answers; meters and hints on request."""

    ALLOW_HOME = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "interrupt", "Onderbreken"),
        Binding("ctrl+t", "hint", "Tip"),
        Binding("ctrl+o", "toggle_meters", "Meters"),
        Binding("ctrl+b", "end", "Beëindigen"),
    ]

    def __init__(self, session: Session, setup: backend.Setup) -> None:
        super().__init__()
        self.session = session
        self.setup = setup
        self.cancel = threading.Event()
        self.turn_idle = threading.Event()
        self.turn_idle.set()
        self.busy = False
        """True while the engine or the voice works on a turn (or a hint); one thing at a time."""
        self.streaming = False
        self.pending_hint: str | None = None
        self.current: ChatMessage | None = None
        self.teacher_messages: dict[int, ChatMessage] = {}
        self.closing = False

    # --- layout ---------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield TitleBar("Gesprek")
        with Horizontal(id="status-bar"):
            yield Static(Content(self.session.scenario.title), id="conversation-title")
            yield Static("", id="timer")
        with Horizontal(id="conversation"):
            yield ChatLog(id="log")
            yield ParentMeters(id="meters")
        yield Static("", id="hint")
        yield ChatInput(id="say", placeholder="Wat zeg je? Enter = versturen · Esc = de ouder onderbreken")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if not self.query(ChatLog):  # the app is closing before this screen was composed
            return
        log = self.query_one(ChatLog)
        persona = self.session.persona
        turns = self.session.transcript.turns
        for i, turn in enumerate(turns):
            if turn.speaker == "teacher":
                msg = log.add("teacher", SPEAKERS["teacher"], turn.text)
                msg.set_acts(a.code for a in turn.acts or [])
                self.teacher_messages[i] = msg
            else:
                log.add("parent", persona.name, turn.text, note=self._note(turn))
        self._refresh_meters()
        self._tick()
        self.set_interval(1.0, self._tick)
        self.query_one(ChatInput).focus()
        if self.session.ended:
            self._show_ended()
        elif self.session.pending is not None:
            self._start_turn(None, self.session.pending)
        elif not turns:
            self._start_turn(None, None)

    def on_unmount(self) -> None:
        """Leaving (or quitting) mid-turn: stop the voice; the worker still commits what was said."""
        self.cancel.set()

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Tip", "Eén concrete suggestie voor je volgende beurt", self.action_hint)
        yield SystemCommand(
            "Meters aan/uit", "Spanning, vertrouwen, gehoord en luistertellers", self.action_toggle_meters
        )
        yield SystemCommand("Gesprek beëindigen", "Stop het gesprek en ga naar de terugblik", self.action_end)

    # --- the teacher speaks ------------------------------------------------------
    @on(ChatInput.Submitted)
    def say(self, event: ChatInput.Submitted) -> None:
        text = " ".join(event.text.split())
        if not text:
            return
        if len(text) > backend.MAX_INPUT_CHARS:
            self.notify(
                f"Je beurt is te lang (meer dan {backend.MAX_INPUT_CHARS} tekens). "
                "Zeg het korter, zoals in een gesprek.",
                title="Te lang",
                severity="warning",
            )
            return
        if self.session.ended:
            self.notify("Het gesprek is afgelopen. Druk Ctrl+B voor de terugblik.")
            return
        if self.busy:
            self.notify("De ouder is nog aan het woord. Druk Esc om te onderbreken.", severity="warning")
            return
        event.chat_input.clear()
        self.query_one("#hint", Static).update("")
        self.query_one("#hint", Static).remove_class("-shown")
        msg = self.query_one(ChatLog).add("teacher", SPEAKERS["teacher"], text)
        self._start_turn(text, None, msg)

    def _start_turn(self, text: str | None, plan: ParentPlan | None, msg: ChatMessage | None = None) -> None:
        self.busy = True
        self.cancel.clear()
        self.turn_idle.clear()
        hint, self.pending_hint = self.pending_hint, None
        self.run_turn(text, plan, hint, msg)

    @work(thread=True, group="turn", exit_on_error=False)
    def run_turn(self, text: str | None, plan: ParentPlan | None, hint: str | None, msg: ChatMessage | None) -> None:
        """Engine, then voice: record the teacher's turn, then stream the parent's answer to its end."""
        session = self.session
        try:
            self._turn(session, text, plan, hint, msg)
        finally:
            self.turn_idle.set()

    def _turn(
        self, session: Session, text: str | None, plan: ParentPlan | None, hint: str | None, msg: ChatMessage | None
    ) -> None:
        recorded = False
        try:
            if text is not None:
                plan = backend.teacher_says(session, text, hint=hint)
                recorded = True
                index = len(session.transcript.turns) - 1
                self._ui(self._teacher_recorded, index, msg)
            elif plan is None:
                plan = session.open()
            if plan is None:
                self._ui(self._turn_done, None)
                return
            self._ui(self._parent_starts)
            for piece in session.speak(plan, self.cancel):
                self._ui(self._parent_piece, piece)
        except Exception as exc:
            self._ui(self._turn_failed, exc, None if recorded else text, msg)
            return
        self._ui(self._turn_done, plan)

    def _ui(self, callback: Any, *args: Any) -> None:
        """Run on the UI thread; after a quit there is none, and the worker simply carries on."""
        with contextlib.suppress(Exception):
            self.app.call_from_thread(callback, *args)

    def _teacher_recorded(self, index: int, msg: ChatMessage | None) -> None:
        turn = self.session.transcript.turns[index]
        if msg is not None:
            msg.set_acts(a.code for a in turn.acts or [])
            self.teacher_messages[index] = msg
        self._refresh_meters()

    def _parent_starts(self) -> None:
        self.streaming = True
        self.current = self.query_one(ChatLog).add("parent", self.session.persona.name)

    def _parent_piece(self, piece: Piece) -> None:
        if self.current is None:
            return
        if piece.reset:
            self.current.reset()
        if piece.text:
            self.current.append(piece.text)
        if piece.final:
            turn = self.session.transcript.turns[-1]
            self.current.finish(turn.text, "onderbroken" if piece.cancelled else self._note(turn))
            self.query_one(ChatLog).scroll_end(animate=False)
        elif piece.text:
            self.query_one(ChatLog).scroll_end(animate=False)

    def _note(self, turn: Turn) -> str | None:
        """A subtle mark under a parent line: cut off by the trainee, or a curated line instead of the model's."""
        if interrupted(turn):
            return "onderbroken"
        return "vaste zin" if fell_back(self.session.transcript, turn) else None

    def _turn_done(self, plan: ParentPlan | None) -> None:
        self.busy = False
        self.streaming = False
        self.current = None
        self._refresh_meters()
        if self.session.ended:
            self._show_ended()

    def _turn_failed(self, exc: Exception, unsent: str | None, msg: ChatMessage | None = None) -> None:
        """Unlock the input; a turn the engine never recorded goes back into the box, not lost."""
        self.busy = False
        self.streaming = False
        self.current = None
        if unsent:
            if msg is not None:
                msg.remove()
            box = self.query_one(ChatInput)
            if not box.text.strip():
                box.insert(unsent)
        self.notify(f"Er ging iets mis: {exc}", title="Fout", severity="error", timeout=10)

    # --- the parent's state, time, hints ---------------------------------------
    def _refresh_meters(self) -> None:
        state = self.session.state
        acts = [[a.code for a in t.acts or []] for t in self.session.transcript.turns if t.speaker == "teacher"]
        self.query_one(ParentMeters).show(state.tension, state.trust, state.heard, acts)

    def _tick(self) -> None:
        left = self.session.minutes_left()
        timer = self.query_one("#timer", Static)
        if left <= 0:
            timer.update("De tijd is om")
            timer.add_class("-late")
            return
        minutes, seconds = divmod(int(left * 60 + 0.5), 60)
        timer.update(f"Nog {minutes}:{seconds:02d} min")
        timer.set_class(left < 2, "-late")

    def action_toggle_meters(self) -> None:
        self.toggle_class("-meters")

    def action_interrupt(self) -> None:
        if self.streaming:
            self.cancel.set()
        else:
            self.notify("De ouder is niet aan het woord.", timeout=2)

    def action_hint(self) -> None:
        if self.session.ended:
            return
        if self.busy:
            self.notify("Wacht tot de ouder is uitgesproken; dan krijg je een tip.", timeout=3)
            return
        self.busy = True
        self.fetch_hint()

    @work(thread=True, group="hint", exit_on_error=False)
    def fetch_hint(self) -> None:
        try:
            hint = self.session.hint()
        except ImportError:
            self._ui(self._show_hint, None)
            return
        except Exception as exc:
            self._ui(self._turn_failed, exc, None)
            return
        self._ui(self._show_hint, hint)

    def _show_hint(self, hint: str | None) -> None:
        self.busy = False
        box = self.query_one("#hint", Static)
        if not hint:
            self.notify("Er is nu geen tip beschikbaar.", timeout=3)
            return
        self.pending_hint = hint
        box.update(Content.assemble(("Tip: ", "bold"), hint))
        box.add_class("-shown")
        self.query_one(ChatInput).focus()

    # --- ending ---------------------------------------------------------------
    def _show_ended(self) -> None:
        if self.closing:
            return
        self.closing = True
        log = self.query_one(ChatLog)
        outcome = self.session.outcome or self.session.transcript.outcome
        log.note(f"Het gesprek is afgelopen: {outcome_label(outcome)}.")
        say = self.query_one(ChatInput)
        say.disabled = True
        button = Button("Naar de terugblik", variant="primary", id="to-review")
        log.mount(button)
        log.scroll_end(animate=False)
        button.focus()

    @on(Button.Pressed, "#to-review")
    def _to_review(self) -> None:
        self.go_review()

    def action_end(self) -> None:
        from simulator.app.screens.modals import ConfirmDialog

        if self.session.ended:
            self.go_review()
            return

        def answered(yes: object) -> None:
            if yes:
                self.cancel.set()
                self.finish()

        self.app.push_screen(
            ConfirmDialog("Wil je het gesprek nu beëindigen? Daarna volgt de terugblik.", "Beëindigen", "Doorgaan"),
            answered,
        )

    @work(thread=True, group="finish", exit_on_error=False)
    def finish(self) -> None:
        """Wait for a running turn to commit, then end and save."""
        self.turn_idle.wait(timeout=30)
        self.session.end()
        self._ui(self.go_review)

    def go_review(self) -> None:
        from simulator.app.screens.terugblik import TerugblikScreen

        self.app.switch_screen(TerugblikScreen(self.session.transcript, self.session.path, self.setup))
