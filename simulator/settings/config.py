"""User settings: a TOML file, then environment variables, then command-line options (CLI wins).

An institute sets the voice and server once in `config.toml`; a trainer can
override it for one session with an environment variable or an option. The app
also keeps the trainee's name and theme here. Unknown keys and tables are kept
when the file is written back, so newer versions and hand edits survive.

Reading uses `tomllib`; writing uses `tomlkit`, which keeps the comments and
layout an institute's IT staff wrote. Every read-modify-write holds a file lock
(`config.toml.lock`), so two windows saving at once never lose an update.
A broken file is reported by `check_config()` as one line with file and line,
which the CLI and the app show when they start.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from simulator.labels import message
from simulator.limits import MAX_CONTENT_BYTES

CONFIG_NAME = "config.toml"
LOCK_TIMEOUT_S = 10.0
DEFAULT_API_KEY_ENV = "OUDERGESPREK_API_KEY"

ENV_VARS: dict[str, str] = {
    "voice": "OUDERGESPREK_VOICE",
    "model": "OUDERGESPREK_MODEL",
    "server_url": "OUDERGESPREK_SERVER_URL",
    "threads": "OUDERGESPREK_THREADS",
}


class ConfigError(ValueError):
    """A setting that cannot be used; the message names where it came from."""


@dataclass
class Config:
    """The settings the app and the voices read; `extra` holds keys this version does not know."""

    voice: str = "scripted"
    model: str | None = None
    server_url: str | None = None
    threads: int | None = None
    api_key_env: str = DEFAULT_API_KEY_ENV
    trainee_name: str | None = None
    theme: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_KNOWN = tuple(f.name for f in fields(Config) if f.name != "extra")


def config_path() -> Path:
    from simulator.settings.paths import config_dir

    return config_dir() / CONFIG_NAME


def _coerce(name: str, value: Any, source: str) -> Any:
    """Check one value's type; threads may come as text from the environment."""
    if value is None:
        return None
    if name == "threads":
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            try:
                value = int(value)
            except ValueError:
                raise ConfigError(f"{source}: threads moet een geheel getal zijn, niet {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{source}: threads moet een geheel getal van 1 of meer zijn")
        return value
    if not isinstance(value, str):
        raise ConfigError(f"{source}: {name} moet tekst zijn")
    if name == "voice":
        from simulator.voices.registry import kinds  # the registry is the one list of voice kinds

        if value not in kinds():
            raise ConfigError(f"{source}: onbekende stem {value!r} (kies uit: {', '.join(kinds())})")
    return value


def read_file(path: Path | None = None) -> Config:
    """Only what the file says (defaults for the rest): the base for editing and saving."""
    path = path or config_path()
    if not path.exists():
        return Config()
    data = _parse(path)
    known = {k: _coerce(k, v, str(path)) for k, v in data.items() if k in _KNOWN}
    extra = {k: v for k, v in data.items() if k not in _KNOWN}
    return Config(**{k: v for k, v in known.items() if v is not None}, extra=extra)


def load_config(
    path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    use_env: bool = True,
    **cli: Any,
) -> Config:
    """File, then environment, then the CLI options that were given (None means 'not given')."""
    config = read_file(path)
    if use_env:
        env = os.environ if env is None else env
        for name, var in ENV_VARS.items():
            value = env.get(var)
            if value not in (None, ""):
                setattr(config, name, _coerce(name, value, var))
    for name, value in cli.items():
        if name not in _KNOWN:
            raise TypeError(f"unknown config option: {name}")
        if value is not None:
            setattr(config, name, _coerce(name, value, f"--{name.replace('_', '-')}"))
    return config


def _parse(path: Path) -> dict[str, Any]:
    """The file as a dict; a file that is not UTF-8 TOML is one line naming the file and line."""
    from simulator.content.files import read_bytes
    from simulator.content.problems import ContentError

    try:
        raw = read_bytes(path, MAX_CONTENT_BYTES)
    except ContentError as exc:
        raise ConfigError(str(exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(message("config_broken", path=path, line=line, reason="geen UTF-8")) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = int(found.group(1)) if found else max(1, len(text.splitlines()))  # "at end of document"
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        raise ConfigError(message("config_broken", path=path, line=line, reason=reason)) from None
    except RecursionError:
        raise ConfigError(message("config_broken", path=path, line=1, reason="te diep genest")) from None


def check_config(path: Path | None = None) -> str | None:
    """One Dutch line when the config file cannot be used, else None; shown when the CLI or app starts."""
    try:
        read_file(path)
    except ConfigError as exc:
        return str(exc)
    return None


def _lock(path: Path) -> Any:
    from filelock import FileLock

    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path.with_name(path.name + ".lock")), timeout=LOCK_TIMEOUT_S)


def _file_data(config: Config) -> dict[str, Any]:
    """What the file should hold: values that differ from the default, then unknown keys."""
    default = Config()
    data: dict[str, Any] = {}
    for name in _KNOWN:
        value = getattr(config, name)
        if value is not None and value != getattr(default, name):
            data[name] = value
    for key, value in config.extra.items():
        data.setdefault(key, value)
    return data


def _write(config: Config, path: Path) -> None:
    """Write into the existing document, so the user's comments and order survive."""
    import tomlkit

    from simulator.storage import save_atomic

    try:
        doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.TOMLKitError):
        doc = tomlkit.document()
    data = _file_data(config)
    for key in [k for k in doc if k not in data]:
        del doc[key]
    for key, value in data.items():
        current = doc.get(key)
        if current is None or (current.unwrap() if hasattr(current, "unwrap") else current) != value:
            doc[key] = value
    save_atomic(path, tomlkit.dumps(doc))


def save_config(config: Config, path: Path | None = None) -> Path:
    """Write the config atomically; values equal to the default are left out, unknown keys kept."""
    from filelock import Timeout

    path = path or config_path()
    try:
        with _lock(path):
            _write(config, path)
    except Timeout:
        raise ConfigError(message("config_locked", path=path)) from None
    return path


def edit_config(change: Callable[[Config], Config], path: Path | None = None) -> Config:
    """Read, change and write the file under one lock, so a save from another process is never lost."""
    from filelock import Timeout

    path = path or config_path()
    try:
        with _lock(path):
            config = change(read_file(path))
            _write(config, path)
    except Timeout:
        raise ConfigError(message("config_locked", path=path)) from None
    return config


def update_config(path: Path | None = None, **changes: Any) -> Config:
    """Change some settings in the file without copying environment or CLI values into it."""
    for name in changes:
        if name not in _KNOWN:
            raise TypeError(f"unknown config option: {name}")
    coerced = {k: _coerce(k, v, "update_config") for k, v in changes.items()}
    return edit_config(lambda config: replace(config, **coerced), path)
