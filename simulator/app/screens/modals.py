"""Small dialogs: the trainee's name, resuming an unfinished attempt, confirmations, progress, picking
a turn, and the trainer's comment and override forms. Each returns its answer through `dismiss`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, ProgressBar, Select, SelectionList, Static
from textual.widgets.option_list import Option

from simulator.app.labels import ACT_LABELS, SPEAKERS
from simulator.records.transcript import Transcript


class Dialog(ModalScreen[object]):
    """A centred box; Escape cancels (dismisses with None)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Annuleren")]

    def action_cancel(self) -> None:
        self.dismiss(None)


class NameDialog(Dialog):
    """Asked once; the name is remembered in the user config and written into every transcript."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Later")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Welkom bij Oudergesprek", classes="dialog-title")
            yield Label("Hoe heet je? Je naam komt in je transcripten, zodat je trainer ze terugvindt.")
            yield Input(placeholder="Voornaam en achternaam", id="name", max_length=80)
            with Horizontal(classes="buttons"):
                yield Button("Opslaan", variant="primary", id="ok")

    @on(Input.Submitted, "#name")
    @on(Button.Pressed, "#ok")
    def save(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        if not name:
            self.notify("Vul je naam in, of druk Esc om het later te doen.", severity="warning")
            return
        self.dismiss(name)


class ResumeDialog(Dialog):
    """An attempt was left mid-conversation: continue it, look back on it, or leave it for now."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Later")]

    def __init__(self, description: str) -> None:
        super().__init__()
        self.description = description

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Onafgemaakt gesprek", classes="dialog-title")
            yield Label(Content(self.description))
            with Horizontal(classes="buttons"):
                yield Button("Verdergaan", variant="primary", id="resume")
                yield Button("Terugblik", id="review")
                yield Button("Later", id="later")

    @on(Button.Pressed)
    def choose(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "later" else event.button.id)


class ConfirmDialog(Dialog):
    """Yes or no, with yes focused."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Nee"), Binding("j", "yes", "Ja", show=False)]

    def __init__(self, question: str, yes: str = "Ja", no: str = "Nee") -> None:
        super().__init__()
        self.question, self.yes, self.no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.question))
            with Horizontal(classes="buttons"):
                yield Button(self.yes, variant="primary", id="yes")
                yield Button(self.no, id="no")

    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed)
    def answer(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class ProgressPanel(Vertical):
    """A bar docked on the current screen while a model voice loads in a worker; keys keep working.

    A panel rather than a modal: the screen below is replaced as soon as the voice
    is ready, and closing a modal in the same moment races with that switch.
    """

    def __init__(self, title: str) -> None:
        super().__init__(id="progress-panel")
        self.title_text = title

    def compose(self) -> ComposeResult:
        yield Static(self.title_text, classes="dialog-title")
        yield Label("", id="progress-message")
        yield ProgressBar(total=1.0, show_eta=False, id="progress")

    def report(self, message: str, fraction: float) -> None:
        self.query_one("#progress-message", Label).update(Content(message))
        self.query_one(ProgressBar).update(progress=max(0.0, min(1.0, fraction)))


class TurnPicker(Dialog):
    """Pick a teacher turn to do again: everything before it is kept in a new attempt."""

    def __init__(self, transcript: Transcript, parent_name: str) -> None:
        super().__init__()
        self.transcript = transcript
        self.parent_name = parent_name

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static("Terugspoelen", classes="dialog-title")
            yield Label("Kies de beurt die je opnieuw wilt doen. Alles daarvoor blijft staan; de oude poging ook.")
            options: list[Option | None] = []
            for i, turn in enumerate(self.transcript.turns):
                if turn.speaker != "teacher":
                    continue
                before = next((t.text for t in reversed(self.transcript.turns[:i]) if t.speaker == "parent"), "")
                prompt = Content.assemble(
                    (f"Beurt {i + 1}", "bold"),
                    "\n",
                    (f"{self.parent_name}: {before}", "dim"),
                    "\n",
                    f"{SPEAKERS['teacher']}: {turn.text}",
                )
                options += [Option(prompt, id=f"turn-{i}"), None]
            yield OptionList(*options[:-1], id="turns")

    @on(OptionList.OptionSelected, "#turns")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int((event.option.id or "turn-0").removeprefix("turn-")))


class CommentDialog(Dialog):
    """A trainer's comment on one turn."""

    def __init__(self, turn_text: str) -> None:
        super().__init__()
        self.turn_text = turn_text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static("Opmerking bij beurt", classes="dialog-title")
            yield Label(Content(f"“{self.turn_text}”"), classes="quote")
            yield Input(placeholder="Je opmerking", id="comment", max_length=500)
            with Horizontal(classes="buttons"):
                yield Button("Opslaan", variant="primary", id="ok")

    @on(Input.Submitted, "#comment")
    @on(Button.Pressed, "#ok")
    def save(self) -> None:
        text = self.query_one("#comment", Input).value.strip()
        if not text:
            self.notify("Een lege opmerking wordt niet opgeslagen.", severity="warning")
            return
        self.dismiss(text)


@dataclass(frozen=True)
class ActOverrides:
    """The trainer's judgement for one teacher turn: codes to add and remove, and why."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    reason: str


class ActOverrideDialog(Dialog):
    """Tick the acts that the turn really contains; the difference with the engine is the override."""

    def __init__(self, turn_text: str, engine_codes: list[str]) -> None:
        super().__init__()
        self.turn_text = turn_text
        self.engine_codes = engine_codes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static("Acties corrigeren", classes="dialog-title")
            yield Label(Content(f"“{self.turn_text}”"), classes="quote")
            yield Label("Vink aan wat deze beurt volgens jou doet (spatie), en geef een reden.")
            yield SelectionList[str](
                *[(label, code, code in self.engine_codes) for code, label in ACT_LABELS.items()], id="codes"
            )
            yield Input(placeholder="Reden (verplicht)", id="reason", max_length=300)
            with Horizontal(classes="buttons"):
                yield Button("Opslaan", variant="primary", id="ok")

    @on(Input.Submitted, "#reason")
    @on(Button.Pressed, "#ok")
    def save(self) -> None:
        chosen = set(self.query_one("#codes", SelectionList).selected)
        engine = set(self.engine_codes)
        reason = self.query_one("#reason", Input).value.strip()
        if chosen == engine:
            self.notify("Je keuze is gelijk aan die van de feedback; er is niets te corrigeren.", severity="warning")
            return
        if not reason:
            self.notify("Geef een reden, zodat de regels later getoetst kunnen worden.", severity="warning")
            return
        self.dismiss(ActOverrides(tuple(sorted(chosen - engine)), tuple(sorted(engine - chosen)), reason))


@dataclass(frozen=True)
class ScoreOverride:
    dimension: str
    score: int
    reason: str


class ScoreOverrideDialog(Dialog):
    """The trainer's own score (0–100) for listening or boundary-setting, with a reason."""

    def __init__(self, engine_scores: dict[str, int]) -> None:
        super().__init__()
        self.engine_scores = engine_scores

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Score corrigeren", classes="dialog-title")
            yield Select(
                [
                    (f"Luisteren (feedback: {self.engine_scores.get('listening', '?')})", "listening"),
                    (f"Grenzen stellen (feedback: {self.engine_scores.get('boundaries', '?')})", "boundaries"),
                ],
                value="listening",
                allow_blank=False,
                id="dimension",
            )
            yield Input(placeholder="Jouw score, 0–100", type="integer", id="score", max_length=3)
            yield Input(placeholder="Reden (verplicht)", id="reason", max_length=300)
            with Horizontal(classes="buttons"):
                yield Button("Opslaan", variant="primary", id="ok")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def save(self) -> None:
        raw = self.query_one("#score", Input).value.strip()
        reason = self.query_one("#reason", Input).value.strip()
        if not raw.isdigit() or not 0 <= int(raw) <= 100:
            self.notify("Geef een score van 0 tot en met 100.", severity="warning")
            return
        if not reason:
            self.notify("Geef een reden voor je score.", severity="warning")
            return
        dimension = str(self.query_one("#dimension", Select).value)
        self.dismiss(ScoreOverride(dimension, int(raw), reason))
