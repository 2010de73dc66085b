"""The app's only door to the rest of oudergesprek: content, sessions, config, reports, files.

Screens call these plain functions (usually from a worker thread) so they never
import the engine, the feedback package or a model voice at module level. That
keeps the first screen fast and lets the UI degrade gracefully when an optional
part (a model voice, the config file) is not installed.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from simulator.content.loader import Library
    from simulator.content.schemas import Persona, Scenario
    from simulator.engine.session import Session
    from simulator.records.transcript import Transcript
    from simulator.voices.base import Voice

MAX_INPUT_CHARS = 1000
"""A teacher turn longer than this is a paste, not something said in a conversation."""


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


def model_voices_available() -> bool:
    """Whether the model-voice factory is installed, checked without importing it (no torch at start)."""
    try:
        return importlib.util.find_spec("simulator.voices.factory") is not None
    except (ImportError, ValueError):
        return False


def make_voice(kind: str, delay: float, progress: Callable[[str, float], None] | None = None) -> Voice:
    """The scripted voice, or a model voice built by the factory from the user's config (slow: call in a worker)."""
    if kind == "scripted":
        from simulator.voices.scripted import ScriptedVoice

        return ScriptedVoice(delay=delay)
    from simulator.voices.factory import make_voice as factory_make

    cfg = load_settings()
    return factory_make(  # type: ignore[no-any-return]
        kind,
        model=cfg.get("model"),
        url=cfg.get("server_url"),
        threads=cfg.get("threads"),
        progress=progress,
    )


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


def new_session(setup: Setup, voice: Voice, clock: Clock | None, dagdeel: str | None) -> Session:
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
        save_dir=transcripts_dir(),
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


def saved_transcripts() -> list[Saved]:
    """Every readable transcript in the data dir, newest first; unreadable files are skipped."""
    from simulator.content.problems import ContentError
    from simulator.records.transcript import load_transcript
    from simulator.settings.paths import transcripts_dir

    folder = transcripts_dir()
    out: list[Saved] = []
    if not folder.is_dir():
        return out
    for path in folder.glob("*.json"):
        try:
            out.append(Saved(path, load_transcript(path)))
        except ContentError:
            continue
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
