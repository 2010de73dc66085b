"""The voice registry: every voice kind registered once, with its label, needs, CLI options and builder.

The config (which kinds are valid), the start screen (which kinds to offer, with
which label), the app's labels and the CLI (`--voice`, `--model`, ...) all read
this module, and `build_voice` is the one function that makes a voice. To add a
voice backend: a module with a class that has `name` and `stream` (see
`voices/base.py`), an entry in `voices.yaml`, and one `register` call below.

Nothing heavy is imported here: builders import their voice module when called,
so `oudergesprek --help` and the first screen never load torch.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict

from simulator.voices.base import Progress, Voice, VoiceError

if TYPE_CHECKING:
    from simulator.settings.config import Config
    from simulator.voices.local import LocalVoice


class _KindData(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str
    needs_model: bool
    requires: list[str]
    extra: str | None = None
    options: list[str]


class _VoicesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kinds: dict[str, _KindData]
    options: dict[str, str]
    messages: dict[str, str]


@lru_cache(maxsize=1)
def _data() -> _VoicesFile:
    text = resources.files("simulator.voices").joinpath("voices.yaml").read_text(encoding="utf-8")
    return _VoicesFile.model_validate(yaml.safe_load(text))


@dataclass(frozen=True)
class VoiceSettings:
    """What a builder may use: the merged config (file < environment < CLI) plus the UI's needs."""

    model: str | None = None
    url: str | None = None
    threads: int | None = None
    api_key_env: str | None = None
    delay: float = 0.0
    progress: Progress | None = None


Builder = Callable[[VoiceSettings], Voice]
Warm = Callable[[], None]


@dataclass(frozen=True)
class VoiceKind:
    """One registered kind: `label` is Dutch (from voices.yaml), `requires` the modules it imports."""

    kind: str
    label: str
    needs_model: bool
    requires: tuple[str, ...]
    extra: str | None
    options: tuple[str, ...]
    build: Builder
    warm: Warm | None = None


_KINDS: dict[str, VoiceKind] = {}


def register(kind: str, build: Builder, warm: Warm | None = None) -> None:
    """Register a kind once; its label, needs and options come from voices.yaml.

    `warm`, when given, prepares what the builder will need (imports) and may run in a background thread.
    """
    if kind in _KINDS:
        raise ValueError(f"voice kind {kind!r} is registered twice")
    data = _data().kinds[kind]
    _KINDS[kind] = VoiceKind(
        kind, data.label, data.needs_model, tuple(data.requires), data.extra, tuple(data.options), build, warm
    )


def kinds() -> tuple[str, ...]:
    """Every registered kind, in the order of voices.yaml (the start screen's order)."""
    order = list(_data().kinds)
    return tuple(sorted(_KINDS, key=lambda k: order.index(k) if k in order else len(order)))


def get(kind: str) -> VoiceKind:
    if kind not in _KINDS:
        raise VoiceError(message("unknown_voice", kind=kind, kinds=", ".join(kinds())))
    return _KINDS[kind]


def labels() -> dict[str, str]:
    """Kind → Dutch label, for the app, the export and the CLI help."""
    return {k: _KINDS[k].label for k in kinds()}


def label(kind: str | None) -> str:
    return _KINDS[kind].label if kind in _KINDS else (kind or "")


def option_help(name: str) -> str:
    return _data().options[name].format(kinds=", ".join(kinds()))


def missing_modules(kind: str) -> list[str]:
    """The modules this kind needs that are not installed (checked without importing them)."""
    out = []
    for module in get(kind).requires:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            out.append(module)
    return out


def missing_message(kind: str) -> str | None:
    """One Dutch line that says what to install for this kind, or None when all is there."""
    missing = missing_modules(kind)
    if not missing:
        return None
    entry = get(kind)
    return message("extra_missing", label=entry.label, missing=" en ".join(missing), extra=entry.extra or "")


def warm_in_background(kind: str) -> threading.Thread | None:
    """Start preparing a kind's voice while the trainee reads the case file; None when there is nothing to do.

    Never raises and never blocks: an unknown kind, a kind without a warm step or with missing
    modules does nothing here (building the voice later says what is wrong).
    """
    entry = _KINDS.get(kind)
    if entry is None or entry.warm is None or missing_modules(kind):
        return None
    thread = threading.Thread(target=entry.warm, name=f"oudergesprek-warm-{kind}", daemon=True)
    thread.start()
    return thread


def message(key: str, **values: Any) -> str:
    """A Dutch message from voices.yaml (voice choice, install, model cache, download), filled in."""
    return _data().messages[key].format(**values)


def build_voice(
    kind: str | None = None,
    *,
    model: str | None = None,
    url: str | None = None,
    threads: int | None = None,
    delay: float = 0.0,
    progress: Progress | None = None,
    config: Config | None = None,
) -> Voice:
    """Make (and for a local model: load) a voice; arguments win over the config file and environment.

    Slow for a model voice: call it from a worker. Raises VoiceError with a Dutch
    message (no model given, extra not installed, server unreachable).
    """
    if kind is not None:
        get(kind)  # an unknown kind is a VoiceError, before the config is read
    if config is None:
        from simulator.settings.config import load_config

        config = load_config(voice=kind, model=model, server_url=url, threads=threads)
    chosen = kind or config.voice or "scripted"
    entry = get(chosen)
    problem = missing_message(chosen)
    if problem:
        raise VoiceError(problem)
    settings = VoiceSettings(
        model=model or config.model,
        url=url or config.server_url,
        threads=threads or config.threads,
        api_key_env=config.api_key_env,
        delay=delay,
        progress=progress,
    )
    return entry.build(settings)


# --- the builders -------------------------------------------------------------------------------


def _scripted(s: VoiceSettings) -> Voice:
    from simulator.voices.scripted import ScriptedVoice

    return ScriptedVoice(delay=s.delay)


def _local_voice(s: VoiceSettings) -> LocalVoice:
    """The local model both local kinds run on."""
    from simulator.voices.prompt import message

    if not s.model:
        raise VoiceError(message("no_model"))
    from simulator.voices.local import LocalVoice

    return LocalVoice(s.model, threads=s.threads, progress=s.progress)


def _local(s: VoiceSettings) -> Voice:
    return _local_voice(s)


def _local_rank(s: VoiceSettings) -> Voice:
    """A small model chooses among the engine's curated lines; it never words a line itself."""
    from simulator.voices.local.rank import RankingVoice

    return RankingVoice(_local_voice(s))


def _warm_local() -> None:
    from simulator.voices.local.worker import preload_libraries

    preload_libraries()


def _server(s: VoiceSettings) -> Voice:
    from simulator.voices.prompt import message

    if not s.url:
        raise VoiceError(message("server_no_url"))
    from simulator.voices.server import ServerVoice

    return ServerVoice(s.url, s.model, api_key_env=s.api_key_env) if s.api_key_env else ServerVoice(s.url, s.model)


register("scripted", _scripted)
register("local", _local, warm=_warm_local)
register("local-rank", _local_rank, warm=_warm_local)
register("server", _server)


def click_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--voice, --model, --url and --threads, with help texts from voices.yaml (cli.py uses it twice)."""
    import click

    used = {o for k in kinds() for o in get(k).options}
    names = ["voice", *(o for o in _data().options if o in used)]
    for name in reversed(names):
        if name == "voice":
            func = click.option("--voice", "voice_kind", default=None, help=option_help("voice"))(func)
        elif name == "threads":
            func = click.option("--threads", default=None, type=int, help=option_help("threads"))(func)
        else:
            func = click.option(f"--{name}", default=None, help=option_help(name))(func)
    return func
