"""User settings: a TOML file, then environment variables, then command-line options (CLI wins).

An institute sets the voice and server once in `config.toml`; a trainer can
override it for one session with an environment variable or an option. The app
also keeps the trainee's name and theme here. Unknown keys and tables are kept
when the file is written back, so newer versions and hand edits survive.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

CONFIG_NAME = "config.toml"
DEFAULT_API_KEY_ENV = "OUDERGESPREK_API_KEY"
VOICES = ("scripted", "local", "server")

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
    if name == "voice" and value not in VOICES:
        raise ConfigError(f"{source}: onbekende stem {value!r} (kies uit: {', '.join(VOICES)})")
    return value


def read_file(path: Path | None = None) -> Config:
    """Only what the file says (defaults for the rest): the base for editing and saving."""
    path = path or config_path()
    if not path.exists():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: geen geldige TOML: {exc}") from None
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


def save_config(config: Config, path: Path | None = None) -> Path:
    """Write the config atomically; values equal to the default are left out, unknown keys kept."""
    from simulator.storage import save_atomic

    path = path or config_path()
    default = Config()
    data: dict[str, Any] = {}
    for name in _KNOWN:
        value = getattr(config, name)
        if value is not None and value != getattr(default, name):
            data[name] = value
    for key, value in config.extra.items():
        data.setdefault(key, value)
    save_atomic(path, dumps_toml(data))
    return path


def update_config(path: Path | None = None, **changes: Any) -> Config:
    """Change some settings in the file without copying environment or CLI values into it."""
    config = read_file(path)
    for name in changes:
        if name not in _KNOWN:
            raise TypeError(f"unknown config option: {name}")
    config = replace(config, **{k: _coerce(k, v, "update_config") for k, v in changes.items()})
    save_config(config, path)
    return config


# --- a small TOML writer: scalars, arrays of scalars, and (nested) tables -----------------------


def _key(key: str) -> str:
    if key and all(c.isalnum() or c in "-_" for c in key):
        return key
    return _string(key)


def _string(value: str) -> str:
    out = ['"']
    for ch in value:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def dumps_toml(data: Mapping[str, Any], _prefix: str = "") -> str:
    """Plain keys first, then each table under its own [header], so tomllib reads back the same data."""
    lines: list[str] = []
    tables: list[tuple[str, Mapping[str, Any]]] = []
    for key, value in data.items():
        if isinstance(value, Mapping):
            tables.append((key, value))
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    out = "\n".join(lines) + ("\n" if lines else "")
    for key, table in tables:
        name = f"{_prefix}.{_key(key)}" if _prefix else _key(key)
        out += f"\n[{name}]\n" + dumps_toml(table, name)
    return out
