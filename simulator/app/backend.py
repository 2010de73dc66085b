"""The app's only door to the rest of oudergesprek: content, sessions, config, reports, files.

Screens call these plain functions (usually from a worker thread) so they never
import the engine, the feedback package or a model voice at module level. That
keeps the first screen fast and lets the UI degrade gracefully when an optional
part (a model voice, the config file) is not installed.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from simulator.content.problems import Problem

if TYPE_CHECKING:
    from simulator.content.loader import Library
    from simulator.content.schemas import Persona, Scenario
    from simulator.engine.session import Session
    from simulator.records.transcript import Transcript
    from simulator.voices.base import Voice

from simulator.limits import MAX_TYPED_CHARS

MAX_INPUT_CHARS = MAX_TYPED_CHARS
"""A teacher turn longer than this is a paste, not something said in a conversation (simulator/limits.py)."""


class Clock(Protocol):
    """What a Session needs from a clock (the engine's WallClock and SimulatedClock fit)."""

    def add_words(self, n: int) -> None: ...

    def elapsed(self) -> float: ...


class OffsetClock:
    """Wall time plus the minutes already spent, so a resumed or rewound attempt keeps its timer."""

    def __init__(self, offset_seconds: float = 0.0) -> None:
        self.offset = max(0.0, offset_seconds)
        self.start = time.monotonic()

    def add_words(self, n: int) -> None:
        pass

    def elapsed(self) -> float:
        return self.offset + time.monotonic() - self.start


def wall_clock(transcript: Transcript | None = None, upto: int | None = None) -> Clock:
    """A fresh wall clock, or one that continues from the time the kept turns took."""
    if transcript is None:
        from simulator.engine.session import WallClock

        return WallClock()
    turns = transcript.turns[:upto]
    stamps = [t.timestamp for t in turns if t.timestamp is not None]
    if transcript.started_at is None or not stamps:
        return OffsetClock(0.0)
    return OffsetClock((stamps[-1] - transcript.started_at).total_seconds())


# --- content ---------------------------------------------------------------


def load_library() -> Library:
    from simulator.content.loader import load_library as load

    return load()


# --- user config -------------------------------------------------------------


def load_settings() -> dict[str, Any]:
    """trainee_name, theme and voice settings from the user config (file + environment); {} if unreadable."""
    from simulator.settings.config import ConfigError, load_config

    try:
        return dataclasses.asdict(load_config())
    except (ConfigError, OSError) as exc:
        return {"config_error": str(exc)}


def remember(**values: Any) -> None:
    """Store a few settings (trainee_name, theme) in the config file, keeping everything else in it."""
    from simulator.settings.config import update_config

    update_config(**values)


# --- voices -------------------------------------------------------------------


def voice_choices() -> list[tuple[str, str]]:
    """(Dutch label, kind) for every registered voice, in the registry's order."""
    from simulator.voices.registry import labels

    return [(label, kind) for kind, label in labels().items()]


def make_voice(kind: str, delay: float, progress: Callable[[str, float], None] | None = None) -> Voice:
    """The voice the trainee chose, built by the registry from the user's config (slow: call in a worker).

    A model voice whose extra is not installed raises a VoiceError with one Dutch
    line saying what to install; the screen shows it and continues with the scripted lines.
    """
    from simulator.settings.config import Config, ConfigError, load_config
    from simulator.voices.registry import build_voice

    try:
        config = load_config(voice=kind)
    except (ConfigError, OSError):  # the Start screen already said the config is unreadable
        config = Config(voice=kind)
    return build_voice(kind, delay=delay, progress=progress, config=config)


# --- sessions -------------------------------------------------------------------


@dataclass
class Setup:
    """Everything chosen on the Start screen; enough to start (or restart) an attempt."""

    scenario: Scenario
    persona: Persona
    difficulty: str = "normaal"
    voice_kind: str = "scripted"
    seed: int = 0
    trainee: str | None = None
    intention: str | None = None


def warm_up(setup: Setup) -> None:
    """While the case file is read: load the embedder, embed the pair's content, prepare the voice.

    Everything runs in background threads (never blocks). For a local model voice the heavy
    imports happen here, so the wait when the conversation starts is shorter.
    """
    from simulator.engine.understanding import warm_up as start
    from simulator.voices.registry import warm_in_background

    start(setup.scenario, setup.persona)
    warm_in_background(setup.voice_kind)


def new_session(
    setup: Setup, voice: Voice, clock: Clock | None, dagdeel: str | None, *, keep: bool = True
) -> Session:
    """A new attempt, saved after every turn; `keep=False` practises without saving (read-only data dir)."""
    from simulator.engine.session import Session
    from simulator.settings.paths import transcripts_dir

    return Session(
        setup.scenario,
        setup.persona,
        voice=voice,
        seed=setup.seed,
        difficulty=setup.difficulty,
        trainee=setup.trainee,
        intention=setup.intention,
        save_dir=transcripts_dir() if keep else None,
        clock=clock or wall_clock(),  # type: ignore[arg-type]
        dagdeel=dagdeel,
    )


def resume_session(
    transcript: Transcript,
    library: Library,
    voice: Voice,
    *,
    path: Path | None = None,
    upto: int | None = None,
    clock: Clock | None = None,
) -> Session:
    """Continue a saved attempt at `path`, or (with `upto`) start a new attempt from one of its turns."""
    from simulator.engine.session import Session
    from simulator.settings.paths import transcripts_dir

    scenario = library.scenario(transcript.scenario_id or "")
    persona = library.persona(transcript.persona_id or "")
    return Session.resume(
        transcript,
        scenario,
        persona,
        voice=voice,
        upto=upto,
        save_dir=transcripts_dir() if upto is not None else None,
        path=path if upto is None else None,
        clock=clock or wall_clock(transcript, upto),  # type: ignore[arg-type]
    )


# --- saved transcripts ------------------------------------------------------------


@dataclass
class Saved:
    """One transcript on disk, as the Transcripten screen lists it."""

    path: Path
    transcript: Transcript

    @property
    def started(self) -> datetime | None:
        t = self.transcript.started_at
        return t.astimezone() if t else None


def saved_transcripts(problems: list[Problem] | None = None) -> list[Saved]:
    """Every readable transcript in the data dir, newest first.

    An unreadable file never empties the list: it is skipped, and its one-line
    problem (file and cause) is added to `problems` so the screen can name it.
    Temp files left by interrupted saves are cleaned up on the way.
    """
    from simulator.content.problems import ContentError
    from simulator.records.transcript import load_transcript
    from simulator.settings.paths import transcripts_dir
    from simulator.storage import clean_stale_temps

    folder = transcripts_dir()
    out: list[Saved] = []
    if not folder.is_dir():
        return out
    clean_stale_temps(folder)
    for path in sorted(folder.glob("*.json")):
        try:
            out.append(Saved(path, load_transcript(path)))
        except ContentError as err:
            if problems is not None:
                problems += err.problems[:1]
        except (OSError, ValueError, RecursionError) as exc:  # nothing in one file may hide the others
            if problems is not None:
                problems.append(Problem(str(path), f"{type(exc).__name__}: {exc}"))
    out.sort(key=lambda s: (s.started.timestamp() if s.started else 0.0, s.path.name), reverse=True)
    return out


def unfinished(library: Library) -> Saved | None:
    """The newest attempt that was left mid-conversation and can be resumed with the current content."""
    for saved in saved_transcripts():
        t = saved.transcript
        if t.outcome == "in_progress" and t.turns and t.scenario_id in library.scenarios and (
            t.persona_id in library.personas
        ):
            return saved
    return None


def storage_problem() -> str | None:
    """None when transcripts can be saved; else one Dutch line naming the folder they would go to.

    The Start screen shows it and offers to practise without saving (`new_session(..., keep=False)`).
    """
    from simulator.labels import message
    from simulator.settings.paths import transcripts_dir
    from simulator.storage import writable

    folder = transcripts_dir()
    return None if writable(folder) else message("read_only", path=folder)


def teacher_says(session: Session, text: str, hint: str | None = None) -> Any:
    """`session.teacher_says`: the session undoes a turn whose save fails and raises SaveError.

    The app then keeps the text in the input; pressing Enter again after freeing space records the turn once.
    """
    return session.teacher_says(text, hint=hint)


def save(transcript: Transcript, path: Path | None) -> None:
    from simulator.records.transcript import save_transcript

    if path is not None:
        save_transcript(transcript, path)


# --- reports, timeline, export, overrides -------------------------------------------


def report(transcript: Transcript, library: Library | None) -> dict[str, Any]:
    from simulator.records.feedback_bridge import report_for

    return dict(report_for(transcript, library).to_dict())


def timeline(transcript: Transcript) -> Any:
    from simulator.records.timeline import timeline as build

    return build(transcript)


def export(transcript: Transcript, library: Library | None, fmt: str, source: Path | None) -> Path:
    """Write a Markdown or HTML report into <data dir>/exports and return its path."""
    from simulator.records.export import to_html, to_markdown
    from simulator.settings.paths import data_dir
    from simulator.storage import save_atomic

    text = to_html(transcript, library) if fmt == "html" else to_markdown(transcript, library)
    stem = source.stem if source is not None else f"transcript-{transcript.id}"
    out = data_dir() / "exports" / f"{stem}.{'html' if fmt == 'html' else 'md'}"
    save_atomic(out, text)
    return out


def export_gold(transcripts: list[Transcript]) -> Path:
    """Trainers' act overrides as gold-set items (JSON Lines) in <data dir>/exports."""
    from simulator.records.overrides import gold_jsonl
    from simulator.settings.paths import data_dir
    from simulator.storage import save_atomic

    out = data_dir() / "exports" / f"goudset-trainers-{datetime.now():%Y%m%d-%H%M%S}.jsonl"
    save_atomic(out, gold_jsonl(transcripts))
    return out


def add_comment(transcript: Transcript, path: Path | None, turn: int, author: str, text: str) -> None:
    from simulator.records.overrides import add_comment as add

    add(transcript, turn, author, text)
    save(transcript, path)


def override_act(
    transcript: Transcript, path: Path | None, turn: int, code: str, present: bool, reason: str, author: str
) -> None:
    from simulator.records.overrides import override_act as add

    add(transcript, turn, code, present, reason, author)
    save(transcript, path)


def override_score(
    transcript: Transcript, path: Path | None, dimension: str, engine: int, trainer: int, reason: str, author: str
) -> None:
    from simulator.records.overrides import override_score as add

    add(transcript, dimension, engine, trainer, reason, author)
    save(transcript, path)
