"""Dossier: the case file the teacher reads first, and the one-line intention kept in the transcript."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, Markdown

from simulator.app import backend
from simulator.app.labels import TYPE_LABELS
from simulator.app.screens.base import AppScreen
from simulator.app.widgets.titlebar import TitleBar


def _md(text: str) -> str:
    """Content text inside Markdown: keep it literal (no accidental emphasis or headings)."""
    out = text.replace("\\", "\\\\")
    for ch in "*_`#[]<>|":
        out = out.replace(ch, "\\" + ch)
    return out


def dossier_markdown(setup: backend.Setup) -> str:
    """The case file as Markdown; headings are UI labels, everything else comes from the scenario YAML."""
    from simulator.engine.lines import fill, slot_values

    s, p = setup.scenario, setup.persona
    slots = slot_values(s, dagdeel="vandaag")
    d = s.dossier
    child = d.child
    kind = TYPE_LABELS.get(s.type, s.type)

    def f(text: str) -> str:
        return _md(fill(text, slots))

    lines = [
        f"# {_md(s.title)}",
        "",
        f"**{kind}** · groep {s.groep} · **{s.minutes} minuten** · {_md(d.school)}",
        "",
        f"Je spreekt met **{_md(p.name)}**, {p.relation} van {_md(child.name)} ({child.gender}, {child.age} jaar).",
        "",
        "## Situatie",
        f(d.situation),
        "",
        "## Resultaten",
        *[f"- {f(r)}" for r in d.results],
        "",
        "## Observaties",
        *[f"- {f(o)}" for o in d.observations],
    ]
    if d.history:
        lines += ["", "## Eerder contact", *[f"- {f(h)}" for h in d.history]]
    lines += [
        "",
        "## Wat je moet vertellen",
        f(d.message),
        "",
        "## Leerdoelen",
        *[f"- {f(g)}" for g in s.learning_goals],
    ]
    return "\n".join(lines)


class DossierScreen(AppScreen):
    """Read the case file, write down what you want to achieve, then start."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Terug"),
        Binding("ctrl+n", "begin", "Start gesprek"),
        Binding("pageup", "scroll_dossier(-1)", "Dossier omhoog", show=False),
        Binding("pagedown", "scroll_dossier(1)", "Dossier omlaag", show=False),
    ]

    def __init__(self, setup: backend.Setup) -> None:
        super().__init__()
        self.setup = setup

    def compose(self) -> ComposeResult:
        yield TitleBar("Dossier")
        with VerticalScroll(id="dossier-scroll"):
            yield Markdown(dossier_markdown(self.setup), id="dossier")
        with Vertical(id="intention-box"):
            yield Label(
                "Wat wil je bereiken? In één zin; het komt in je transcript. (PgUp/PgDn: dossier)",
                classes="field-label",
            )
            with Horizontal():
                yield Input(
                    value=self.setup.intention or "",
                    placeholder="Bijvoorbeeld: eerst luisteren, dan het advies helder brengen",
                    max_length=200,
                    id="intention",
                )
                yield Button("Start gesprek", variant="primary", id="begin")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#intention", Input).focus()
        backend.warm_up(self.setup)  # embed this pair's content while the trainee reads the case file

    def action_scroll_dossier(self, direction: int) -> None:
        """Page through the case file while the cursor stays in the intention line."""
        scroll = self.query_one("#dossier-scroll", VerticalScroll)
        if direction < 0:
            scroll.scroll_page_up()
        else:
            scroll.scroll_page_down()

    def action_back(self) -> None:
        self.app.pop_screen()

    @on(Input.Submitted, "#intention")
    @on(Button.Pressed, "#begin")
    def action_begin(self) -> None:
        intention = self.query_one("#intention", Input).value.strip()
        if not intention:
            self.notify("Schrijf eerst in één zin op wat je wilt bereiken.", severity="warning")
            self.query_one("#intention", Input).focus()
            return
        self.setup.intention = intention
        problem = backend.storage_problem()
        if problem is None:
            self._begin(keep=True)
            return
        from simulator.app.screens.modals import ConfirmDialog

        def chosen(choice: object) -> None:
            if choice:
                self._begin(keep=False)

        self.app.push_screen(ConfirmDialog(problem, yes="Oefenen zonder opslaan", no="Terug"), chosen)

    def _begin(self, *, keep: bool) -> None:
        """Open the conversation; `keep=False` when the data folder cannot be written (read-only, full)."""
        setup = self.setup
        clock = self.clock()
        dagdeel = self.oapp.options.dagdeel
        self.open_conversation(setup, lambda voice: backend.new_session(setup, voice, clock, dagdeel, keep=keep))
