"""The CLI as a trainer or a script uses it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli


def test_list_json_has_personas_and_scenarios() -> None:
    result = run_cli("list", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {p["role"] for p in data["personas"]} >= {"anxious", "pleitbezorger", "disengaged"}
    assert all(set(p) == {"id", "role", "name"} for p in data["personas"])
    assert all(set(s) == {"id", "type", "title"} for s in data["scenarios"])
    assert "schooladvies-vmbo-gt" in {s["id"] for s in data["scenarios"]}


def test_list_text_is_readable() -> None:
    result = run_cli("list")
    assert result.returncode == 0
    assert "Scenario's:" in result.stdout and "Persona's:" in result.stdout


def test_validate_shipped_content_is_green() -> None:
    result = run_cli("validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("In orde")


def _play(tmp_path: Path, *extra: str) -> dict:  # type: ignore[type-arg]
    script = tmp_path / "leerkracht.txt"
    script.write_text(
        "Goedemiddag, fijn dat u er bent.\nHoe kijkt u er zelf tegenaan?\nU maakt zich zorgen, hoor ik.\n",
        encoding="utf-8",
    )
    args = ["play", "--scenario", "schooladvies-vmbo-gt", "--persona", _first_persona(), "--script", str(script)]
    result = run_cli(*args, "--seed", "3", "--json", *extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _first_persona() -> str:
    return sorted(p["id"] for p in json.loads(run_cli("list", "--json").stdout)["personas"])[0]


def test_play_json_is_deterministic_and_annotated(tmp_path: Path) -> None:
    a = _play(tmp_path)
    b = _play(tmp_path)
    assert [t["text"] for t in a["turns"]] == [t["text"] for t in b["turns"]]
    parent = [t for t in a["turns"] if t["speaker"] == "parent"]
    assert all({"state", "intent", "voice"} <= set(t) for t in parent)
    assert any(t.get("causes") for t in parent[1:])
    assert a["schema"] == "oudergesprek.transcript/1"


def play_args(tmp_path: Path, text: str = "Hallo\n") -> list[str]:
    """`play` with the schooladvies scenario and a one-line script."""
    script = tmp_path / "s.txt"
    script.write_text(text, encoding="utf-8")
    return ["play", "--scenario", "schooladvies-vmbo-gt", "--persona", _first_persona(), "--script", str(script)]


def test_play_saves_to_the_data_dir_option(tmp_path: Path) -> None:
    data_dir = tmp_path / "eigen-map"
    result = run_cli("--data-dir", str(data_dir), *play_args(tmp_path, "Hoe gaat het?\n"))
    assert result.returncode == 0, result.stderr
    saved = list((data_dir / "transcripts").glob("*.json"))
    assert len(saved) == 1


def test_unknown_scenario_is_a_clear_message(tmp_path: Path) -> None:
    script = tmp_path / "s.txt"
    script.write_text("Hallo\n", encoding="utf-8")
    result = run_cli("play", "--scenario", "bestaat-niet", "--persona", "x", "--script", str(script))
    assert result.returncode == 1
    assert "onbekend scenario 'bestaat-niet'" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_is_fast_and_lists_commands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("list", "validate", "play", "acts", "score", "export"):
        assert command in result.stdout


def test_missing_model_is_a_clear_message_not_a_traceback(tmp_path: Path) -> None:
    result = run_cli(*play_args(tmp_path), "--voice", "local", "--model", str(tmp_path / "bestaat-niet"))
    assert result.returncode == 1
    assert result.stderr.startswith("Fout: Model ")
    assert "Traceback" not in result.stderr


def test_non_utf8_script_is_named(tmp_path: Path) -> None:
    script = tmp_path / "latin1.txt"
    script.write_bytes("Hallo één\n".encode("latin-1"))
    result = run_cli(
        "play", "--scenario", "schooladvies-vmbo-gt", "--persona", _first_persona(), "--script", str(script)
    )
    assert result.returncode == 1
    assert str(script) in result.stderr and "UTF-8" in result.stderr
