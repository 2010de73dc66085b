"""Start: choose a scenario, a parent, the difficulty, the voice and (optionally) a fixed seed.

The content library loads in a worker, so this screen is on the terminal before
any YAML is parsed. Then, once: the trainee's name; and if an attempt was left
mid-conversation, the offer to resume it or look back on it.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Footer, Input, Label, Select, Static

from simulator.app import backend
from simulator.app.labels import DIFFICULTY_LABELS, TYPE_LABELS, role_label
from simulator.app.screens.base import AppScreen
from simulator.app.widgets.titlebar import TitleBar

if TYPE_CHECKING:
    from simulator.content.loader import Library

DIFFICULTIES = ("makkelijk", "normaal", "moeilijk")


class StartScreen(AppScreen):
    """The first screen: what will you practise, and with whom?"""

    ALLOW_HOME = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "dossier", "Naar dossier"),
        Binding("ctrl+r", "transcripts", "Transcripten"),
        Binding("ctrl+o", "voortgang", "Voortgang"),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar("Oefenen met oudergesprekken")
        with VerticalScroll(id="start-form"):
            yield Static("Kies een gesprek, een ouder en hoe pittig het mag zijn.", classes="intro")
            yield Label("Gesprek", classes="field-label")
            yield Select[str]([], prompt="Inhoud laden…", allow_blank=True, id="scenario", disabled=True, compact=True)
            yield Static("", id="scenario-info", classes="info")
            yield Label("Ouder", classes="field-label")
            yield Select[str]([], prompt="Inhoud laden…", allow_blank=True, id="persona", disabled=True, compact=True)
            yield Static("", id="persona-info", classes="info")
            with Horizontal(id="options-row"):
                with Vertical(classes="option"):
                    yield Label("Moeilijkheid", classes="field-label")
                    yield Select[str](
                        [(d.capitalize(), d) for d in DIFFICULTIES],
                        value="normaal",
                        allow_blank=False,
                        id="difficulty",
                        compact=True,
                    )
                with Vertical(classes="option"):
                    yield Label("Stem", classes="field-label")
                    yield Select[str](
                        self._voice_options(), value="scripted", allow_blank=False, id="voice", compact=True
                    )
                with Vertical(classes="option seed"):
                    yield Label("Seed (optioneel)", classes="field-label")
                    yield Input(placeholder="bv. 42", type="integer", max_length=9, id="seed", compact=True)
            yield Static("", id="difficulty-info", classes="info")
            with Horizontal(classes="buttons"):
                yield Button("Naar het dossier", variant="primary", id="go", disabled=True)
                yield Button("Transcripten", id="transcripts")
                yield Button("Voortgang", id="voortgang")
        yield Footer(compact=True)

    def _voice_options(self) -> list[tuple[str, str]]:
        return backend.voice_choices()  # the voice registry's kinds and labels

    def on_mount(self) -> None:
        self._describe_difficulty("normaal")
        voice = self.oapp.settings.get("voice")
        select = self.query_one("#voice", Select)
        if voice in {value for _, value in self._voice_options()}:
            select.value = voice
        self.check_understanding()
        if self.oapp.library is not None:
            self._library_ready(self.oapp.library)
        else:
            # Paint first, then parse YAML: the trainee sees the screen at once.
            self.call_after_refresh(self.load_library)

    @work(thread=True, exit_on_error=False, group="understanding")
    def check_understanding(self) -> None:
        """Load the sentence embedder in the background; say so when only keywords are available."""
        from feedback.embed import get_embedder
        from simulator.labels import embedder_line

        embedder = get_embedder()
        if not embedder.semantic and getattr(embedder, "note", ""):
            self.app.call_from_thread(self.notify, embedder_line(), severity="warning", timeout=10)

    @work(thread=True, exit_on_error=False)
    def load_library(self) -> None:
        from simulator.content.problems import ContentError

        try:
            library = backend.load_library()
        except ContentError as err:
            lines = "\n".join(str(p) for p in err.problems[:8])
            self.app.call_from_thread(self._library_failed, f"De inhoud bevat fouten:\n{lines}")
            return
        except Exception as exc:
            self.app.call_from_thread(self._library_failed, f"De inhoud kon niet worden geladen: {exc}")
            return
        self.app.call_from_thread(self._library_ready, library)

    def _library_failed(self, message: str) -> None:
        self.query_one("#scenario-info", Static).update(Content(message))
        self.query_one("#scenario", Select).set_options([])

    def _library_ready(self, library: Library) -> None:
        self.oapp.library = library
        scenario = self.query_one("#scenario", Select)
        persona = self.query_one("#persona", Select)
        if not library.scenarios or not library.personas:
            self._library_failed("Er zijn nog geen scenario's of ouders. Voeg YAML-bestanden toe en start opnieuw.")
            return
        scenario.prompt = "Kies een gesprek"
        persona.prompt = "Kies een ouder"
        scenario.set_options([(s.title, s.id) for s in library.scenarios.values()])
        persona.set_options([(f"{p.name} ({p.relation})", p.id) for p in library.personas.values()])
        scenario.disabled = persona.disabled = False
        scenario.value = next(iter(library.scenarios))
        persona.value = next(iter(library.personas))
        self.query_one("#go", Button).disabled = False
        scenario.focus()
        self._ask_name()

    # --- once per start: name, unfinished attempt ------------------------------
    def _ask_name(self) -> None:
        from simulator.app.screens.modals import NameDialog

        if self.oapp.trainee:
            self._check_unfinished()
            return

        def named(name: object) -> None:
            if isinstance(name, str) and name:
                self.oapp.remember(trainee_name=name)
                self.notify(f"Welkom, {name}.")
            self._check_unfinished()

        self.app.push_screen(NameDialog(), named)

    def _check_unfinished(self) -> None:
        if self.oapp.options.check_unfinished and self.oapp.library is not None:
            self.find_unfinished(self.oapp.library)

    @work(thread=True, exit_on_error=False)
    def find_unfinished(self, library: Library) -> None:
        saved = backend.unfinished(library)
        if saved is not None:
            self.app.call_from_thread(self._offer_resume, saved)

    def _offer_resume(self, saved: backend.Saved) -> None:
        from simulator.app.screens.modals import ResumeDialog

        library = self.oapp.library
        assert library is not None
        t = saved.transcript
        scenario = library.scenarios[t.scenario_id or ""]
        persona = library.personas[t.persona_id or ""]
        when = saved.started.strftime("%d-%m-%Y %H:%M") if saved.started else "onbekende datum"
        text = (
            f"Je gesprek “{scenario.title}” met {persona.name} van {when} is niet afgerond "
            f"({len(t.turns)} beurten). Wil je verdergaan, of terugkijken?"
        )

        def chosen(choice: object) -> None:
            if choice == "resume":
                self.resume(saved)
            elif choice == "review":
                self.review(saved)

        self.app.push_screen(ResumeDialog(text), chosen)

    def _setup_from(self, saved: backend.Saved) -> backend.Setup:
        library = self.oapp.library
        assert library is not None
        t = saved.transcript
        voice = t.voice if t.voice in {kind for _, kind in backend.voice_choices()} else "scripted"
        return backend.Setup(
            scenario=library.scenarios[t.scenario_id or ""],
            persona=library.personas[t.persona_id or ""],
            difficulty=t.difficulty or "normaal",
            voice_kind=voice,
            seed=t.seed or 0,
            trainee=t.trainee,
            intention=t.intention,
        )

    def resume(self, saved: backend.Saved) -> None:
        library = self.oapp.library
        assert library is not None
        clock = self.clock()
        self.open_conversation(
            self._setup_from(saved),
            lambda voice: backend.resume_session(saved.transcript, library, voice, path=saved.path, clock=clock),
            replace=False,
        )

    @work(thread=True, exit_on_error=False)
    def review(self, saved: backend.Saved) -> None:
        """Close the unfinished attempt (outcome 'stopped') and open its Terugblik."""
        library = self.oapp.library
        assert library is not None
        voice = backend.make_voice("scripted", 0.0)
        session = backend.resume_session(saved.transcript, library, voice, path=saved.path)
        session.end(by_teacher=False)
        setup = self._setup_from(saved)
        self.app.call_from_thread(self._show_review, session.transcript, session.path, setup)

    def _show_review(self, transcript: object, path: object, setup: backend.Setup) -> None:
        from simulator.app.screens.terugblik import TerugblikScreen

        self.app.push_screen(TerugblikScreen(transcript, path, setup))  # type: ignore[arg-type]

    # --- choices -----------------------------------------------------------------
    @on(Select.Changed, "#scenario")
    def _scenario_changed(self, event: Select.Changed) -> None:
        library = self.oapp.library
        if library is None or not isinstance(event.value, str):
            return
        s = library.scenarios[event.value]
        kind = TYPE_LABELS.get(s.type, s.type)
        self.query_one("#scenario-info", Static).update(
            Content(f"{kind}, groep {s.groep}, {s.minutes} minuten. {s.summary}")
        )

    @on(Select.Changed, "#persona")
    def _persona_changed(self, event: Select.Changed) -> None:
        library = self.oapp.library
        if library is None or not isinstance(event.value, str):
            return
        p = library.personas[event.value]
        self.query_one("#persona-info", Static).update(Content(f"{role_label(p.role).capitalize()}. {p.description}"))

    @on(Select.Changed, "#difficulty")
    def _difficulty_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._describe_difficulty(event.value)

    def _describe_difficulty(self, difficulty: str) -> None:
        self.query_one("#difficulty-info", Static).update(
            Content(
                f"{DIFFICULTY_LABELS[difficulty]}. Met een vaste seed ontmoet iedereen in je groep dezelfde ouder."
            )
        )

    def chosen_setup(self) -> backend.Setup | None:
        library = self.oapp.library
        scenario_id = self.query_one("#scenario", Select).value
        persona_id = self.query_one("#persona", Select).value
        if library is None or not isinstance(scenario_id, str) or not isinstance(persona_id, str):
            self.notify("Kies eerst een gesprek en een ouder.", severity="warning")
            return None
        seed_text = self.query_one("#seed", Input).value.strip()
        try:
            seed = int(seed_text) if seed_text else random.randrange(1, 100_000)
        except ValueError:
            self.notify("De seed moet een geheel getal zijn.", severity="warning")
            return None
        return backend.Setup(
            scenario=library.scenarios[scenario_id],
            persona=library.personas[persona_id],
            difficulty=str(self.query_one("#difficulty", Select).value),
            voice_kind=str(self.query_one("#voice", Select).value),
            seed=seed,
            trainee=self.oapp.trainee,
        )

    # --- actions -------------------------------------------------------------------
    @on(Button.Pressed, "#go")
    @on(Input.Submitted, "#seed")
    def action_dossier(self) -> None:
        from simulator.app.screens.dossier import DossierScreen

        setup = self.chosen_setup()
        if setup is not None:
            self.app.push_screen(DossierScreen(setup))

    @on(Button.Pressed, "#transcripts")
    def action_transcripts(self) -> None:
        from simulator.app.screens.transcripten import TranscriptenScreen

        self.app.push_screen(TranscriptenScreen())

    @on(Button.Pressed, "#voortgang")
    def action_voortgang(self) -> None:
        from simulator.app.screens.voortgang import VoortgangScreen

        self.app.push_screen(VoortgangScreen())
