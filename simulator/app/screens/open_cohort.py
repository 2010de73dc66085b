"""Opening a trainer's folder or zip of students' transcripts in the Transcripten screen.

The files are read, never changed: a comment or override on an attempt opened this
way is saved to a copy in the user's own data folder (see `copy_path`).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from simulator.app import backend
from simulator.content.problems import ContentError
from simulator.records.cohort_files import Skipped
from simulator.records.cohort_words import words


def copy_path(transcript_id: str) -> Path:
    """Where a trainer's comments on an opened transcript go: their data folder, not the student's file."""
    from simulator.settings.paths import data_dir

    return data_dir() / "cohort" / f"{transcript_id}.json"


def load_saved(paths: list[Path]) -> tuple[list[backend.Saved], list[Skipped]]:
    """Every readable transcript under `paths` (folders, zips, files), each id once, newest first."""
    from simulator.records.cohort_files import iter_sources
    from simulator.records.cohort_load import parse_source
    from simulator.records.transcript import load_transcript

    found: dict[str, backend.Saved] = {}
    skipped: list[Skipped] = []
    for item in iter_sources(paths):
        result = item if isinstance(item, Skipped) else parse_source(item)
        if isinstance(result, Skipped):
            skipped.append(result)
            continue
        copy = copy_path(result.id)
        if copy.is_file():  # the trainer commented on it before: show that copy
            with contextlib.suppress(ContentError, OSError):
                result = load_transcript(copy)
        seen = found.get(result.id)
        if seen is None or len(result.turns) > len(seen.transcript.turns):
            found[result.id] = backend.Saved(copy, result)
    saved = sorted(
        found.values(), key=lambda s: (s.started.timestamp() if s.started else 0.0, s.transcript.id), reverse=True
    )
    return saved, skipped


class OpenCohortDialog(ModalScreen[object]):
    """Asks for a folder or zip; dismisses with its Path, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", words().open.cancel)]

    def compose(self) -> ComposeResult:
        w = words().open
        with Vertical(classes="dialog"):
            yield Static(w.title, classes="dialog-title")
            yield Label(w.help)
            yield Input(placeholder=w.placeholder, id="open-path")
            with Horizontal(classes="buttons"):
                yield Button(w.ok, variant="primary", id="open-ok")
                yield Button(w.cancel, id="open-cancel")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#open-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#open-path")
    @on(Button.Pressed, "#open-ok")
    def _ok(self) -> None:
        text = self.query_one("#open-path", Input).value.strip()
        if not text:
            return
        path = Path(text).expanduser()
        if not path.exists():
            self.notify(words().open.missing.format(path=text), severity="warning")
            return
        self.dismiss(path)
