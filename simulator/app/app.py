"""The Textual app: holds the content library and user settings, and starts on the Start screen.

Everything slow (loading content, models, reports, files) runs in workers that
the screens start; this class stays thin so the first screen appears at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme

from simulator.app import backend

if TYPE_CHECKING:
    from simulator.content.loader import Library


@dataclass
class AppOptions:
    """Knobs for tests and benchmarks; the defaults are what a trainee gets."""

    voice_delay: float = 0.03
    """Seconds between streamed words of the scripted voice (a natural speaking rhythm)."""
    clock: Callable[[], backend.Clock] | None = None
    """Clock factory for new sessions; None is the wall clock (a frozen one keeps snapshots still)."""
    dagdeel: str | None = None
    """Fixes the {dagdeel} slot ("vanmiddag"); None takes it from the time of day."""
    check_unfinished: bool = True
    """Offer to resume or review an attempt that was left mid-conversation."""


class OudergesprekApp(App[None]):
    """Oefen moeilijke gesprekken met ouders."""

    CSS_PATH = "app.tcss"
    TITLE = "Oudergesprek"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [(0, "-short"), (32, "-tall")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Afsluiten", priority=True),
        Binding("ctrl+p", "command_palette", "opdrachten", show=False, priority=True),
        Binding("f1", "toggle_keys", "Toetsen", show=False),
    ]

    def __init__(self, library: Library | None = None, options: AppOptions | None = None) -> None:
        super().__init__()
        self.library = library
        self.options = options or AppOptions()
        self.settings: dict[str, Any] = backend.load_settings()
        self._saved_theme: str | None = None

    # --- start-up ---------------------------------------------------------
    def get_default_screen(self) -> Screen[Any]:
        from simulator.app.screens.start import StartScreen

        return StartScreen()

    def on_mount(self) -> None:
        theme = self.settings.get("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme
        self._saved_theme = self.theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        error = self.settings.get("config_error")
        if isinstance(error, str):
            self.notify(error, title="Instellingen", severity="warning", timeout=15)

    @property
    def trainee(self) -> str | None:
        name = self.settings.get("trainee_name")
        return name if isinstance(name, str) and name.strip() else None

    def remember(self, **values: Any) -> None:
        """Update the settings now and write them to the user config in a worker."""
        self.settings.update(values)
        self._write_settings(dict(values))

    @work(thread=True, group="settings", exit_on_error=False)
    def _write_settings(self, values: dict[str, Any]) -> None:
        try:
            backend.remember(**values)
        except Exception as exc:  # a read-only home must not crash a practice session
            self.call_from_thread(
                self.notify, f"Instellingen niet opgeslagen: {exc}", title="Let op", severity="warning"
            )

    def _theme_changed(self, theme: Theme) -> None:
        if theme.name != self._saved_theme:
            self._saved_theme = theme.name
            self.remember(theme=theme.name)

    # --- command palette ----------------------------------------------------
    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Dutch commands: navigation, the current screen's own actions, theme, keys, quit."""
        from simulator.app.screens.start import StartScreen

        provider = getattr(screen, "palette_commands", None)
        if callable(provider):
            yield from provider()
        if isinstance(screen, StartScreen):
            yield SystemCommand("Transcripten", "Opgeslagen gesprekken bekijken (trainers)", screen.action_transcripts)
        elif getattr(screen, "ALLOW_HOME", True):
            yield SystemCommand("Naar start", "Terug naar het startscherm", self.action_home)
        yield SystemCommand("Thema", "Kies een kleurthema (wordt onthouden)", self.action_change_theme)
        yield SystemCommand("Toetsen", "Toon of verberg alle sneltoetsen", self.action_toggle_keys)
        yield SystemCommand("Afsluiten", "Sluit Oudergesprek af (gesprekken zijn al opgeslagen)", self.action_quit)

    def action_command_palette(self) -> None:
        """The command palette, with a Dutch prompt."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder="Zoek een opdracht…"))

    def action_help_quit(self) -> None:
        """Ctrl+C copies in text fields; say in Dutch how to quit instead."""
        self.notify("Druk op Ctrl+Q om af te sluiten. Je gesprekken zijn al opgeslagen.", title="Afsluiten?")

    def action_toggle_keys(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_home(self) -> None:
        """Back to the Start screen, closing everything above it."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
