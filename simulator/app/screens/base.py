"""What every screen shares: typed access to the app, and starting a conversation with a loaded voice."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from simulator.app import backend

if TYPE_CHECKING:
    from simulator.app.app import OudergesprekApp
    from simulator.engine.session import Session
    from simulator.voices.base import Voice


class AppScreen(Screen[None]):
    """A screen of this app; `oapp` is the app with its library, settings and options."""

    ALLOW_HOME = True

    @property
    def oapp(self) -> OudergesprekApp:
        return cast("OudergesprekApp", self.app)

    def open_conversation(
        self, setup: backend.Setup, build: Callable[[Voice], Session], *, replace: bool = True
    ) -> None:
        """Load the chosen voice (a model can take a while: shown with progress) and open the Gesprek screen."""
        self.run_worker(
            lambda: self._load_and_build(setup, build, replace),
            thread=True,
            group="open-conversation",
            exclusive=True,
            exit_on_error=False,
        )

    def _load_and_build(self, setup: backend.Setup, build: Callable[[Voice], Session], replace: bool) -> None:
        from simulator.app.screens.modals import ProgressPanel

        app = self.oapp
        panel: ProgressPanel | None = None
        progress: Callable[[str, float], None] | None = None
        if setup.voice_kind != "scripted":
            panel = ProgressPanel("De stem van de ouder wordt geladen…")
            app.call_from_thread(self.mount, panel)

            def progress(message: str, fraction: float) -> None:
                app.call_from_thread(panel.report, message, fraction)

        try:
            voice = backend.make_voice(setup.voice_kind, app.options.voice_delay, progress)
        except Exception as exc:  # no model, no server: practise with the scripted lines instead
            app.call_from_thread(
                app.notify,
                f"De gekozen stem is niet beschikbaar ({exc}). Je oefent met de vaste teksten.",
                title="Stem niet geladen",
                severity="warning",
                timeout=8,
            )
            setup.voice_kind = "scripted"
            voice = backend.make_voice("scripted", app.options.voice_delay)
        try:
            session = build(voice)
        except Exception as exc:
            app.call_from_thread(app.notify, f"Het gesprek kon niet starten: {exc}", severity="error", timeout=10)
            session = None
        # A message, not call_from_thread: the screen switch then happens in the
        # screen's own message loop, never half-way through another update.
        self.post_message(self.ConversationReady(session, setup, replace))

    class ConversationReady(Message):
        """The worker has a voice and a session (or None after a failure)."""

        def __init__(self, session: Session | None, setup: backend.Setup, replace: bool) -> None:
            super().__init__()
            self.session = session
            self.setup = setup
            self.replace = replace

    def on_app_screen_conversation_ready(self, event: ConversationReady) -> None:
        from simulator.app.screens.gesprek import GesprekScreen

        session, setup, replace = event.session, event.setup, event.replace
        if session is None or not replace:
            for panel in self.query("#progress-panel"):
                panel.remove()
        if session is None:
            return
        screen = GesprekScreen(session, setup)
        if replace:
            self.app.switch_screen(screen)
        else:
            self.app.push_screen(screen)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that fails must say so; a silent failure looks like a hanging app."""
        if event.state == WorkerState.ERROR:
            self.log.error(event.worker.error)
            self.notify(f"Er ging iets mis: {event.worker.error}", title="Fout", severity="error", timeout=10)

    def clock(self) -> Any:
        """The clock for a new session: the test's frozen clock, or None for wall time."""
        factory = self.oapp.options.clock
        return factory() if factory else None
