"""Bad content gets one clear line per problem, naming file, line and field; never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import DATA, run_cli

PERSONA = (DATA / "content" / "persona_minimal.yaml").read_text(encoding="utf-8")
SCENARIO = (DATA / "content" / "scenario_minimal.yaml").read_text(encoding="utf-8")


def validate(*paths: Path) -> tuple[int, list[str]]:
    result = run_cli("validate", *map(str, paths))
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return result.returncode, lines


def test_minimal_content_is_valid() -> None:
    code, lines = validate(DATA / "content")
    assert code == 0, lines


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "kapot.yaml"
    bad.write_text(PERSONA.replace("relation: moeder", "relation: [moeder"), encoding="utf-8")
    code, lines = validate(bad)
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith(f"{bad}:")
    assert "YAML-fout" in lines[0]
    line_no = int(lines[0].split(":")[1])
    assert 4 <= line_no <= 12  # the broken line or the one after, as YAML reports it


def test_missing_required_field(tmp_path: Path) -> None:
    bad = tmp_path / "zonder_naam.yaml"
    bad.write_text(PERSONA.replace("name: Test Ouder\n", ""), encoding="utf-8")
    code, lines = validate(bad)
    assert code == 1
    assert any("name" in line and "verplicht veld ontbreekt" in line for line in lines), lines


def test_wrong_type_names_field_path_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "type.yaml"
    bad.write_text(SCENARIO.replace("groep: 8", "groep: acht"), encoding="utf-8")
    code, lines = validate(bad)
    assert code == 1
    assert len(lines) == 1
    line_no = SCENARIO.splitlines().index("groep: 8") + 1
    assert lines[0].startswith(f"{bad}:{line_no}: groep:")


def test_unknown_field(tmp_path: Path) -> None:
    bad = tmp_path / "extra.yaml"
    bad.write_text(PERSONA.replace("role: anxious", "role: anxious\nhobby: tuinieren"), encoding="utf-8")
    code, lines = validate(bad)
    assert code == 1
    assert any("hobby" in line and "onbekend veld" in line for line in lines), lines


def test_nested_field_path(tmp_path: Path) -> None:
    bad = tmp_path / "nested.yaml"
    bad.write_text(SCENARIO.replace("age: 11", "age: 40"), encoding="utf-8")
    code, lines = validate(bad)
    assert code == 1
    assert "dossier.child.age" in lines[0]


def test_duplicate_id(tmp_path: Path) -> None:
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text(PERSONA, encoding="utf-8")
    b.write_text(PERSONA, encoding="utf-8")
    code, lines = validate(a, b)
    assert code == 1
    assert any("dubbele id 'test-ouder'" in line and str(a) in line for line in lines), lines


def test_unknown_slot_in_line(tmp_path: Path) -> None:
    bad = tmp_path / "slot.yaml"
    bad.write_text(PERSONA.replace("Ja, precies.", "Ja, {juf} precies."), encoding="utf-8")
    code, lines = validate(bad)
    assert code == 1
    assert any("{juf}" in line and "lines.acknowledge" in line for line in lines), lines


def test_non_utf8_file(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(PERSONA.replace("Test Ouder", "Test Ouder é").encode("latin-1"))
    code, lines = validate(bad)
    assert code == 1
    assert len(lines) == 1
    assert "UTF-8" in lines[0] and str(bad) in lines[0]


@pytest.mark.parametrize("content", ["", "   \n\n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    bad = tmp_path / "leeg.yaml"
    bad.write_text(content, encoding="utf-8")
    code, lines = validate(bad)
    assert code == 1
    assert lines == [f"{bad}: bestand is leeg"]


def test_transcript_with_unknown_speaker(tmp_path: Path) -> None:
    bad = tmp_path / "gesprek.json"
    turns = [{"speaker": "teacher", "text": "Hallo"}, {"speaker": "directeur", "text": "Goedemiddag"}]
    bad.write_text(json.dumps({"turns": turns}, indent=2), encoding="utf-8")
    code, lines = validate(bad)
    assert code == 1
    assert len(lines) == 1
    assert "turns[1].speaker" in lines[0]
    assert "'teacher' or 'parent'" in lines[0]


def test_missing_path_is_reported(tmp_path: Path) -> None:
    code, lines = validate(tmp_path / "bestaat-niet.yaml")
    assert code == 1
    assert "bestaat niet" in lines[0]


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text(PERSONA.replace("name: Test Ouder\n", ""), encoding="utf-8")
    b.write_text(SCENARIO.replace("groep: 8", "groep: acht"), encoding="utf-8")
    code, lines = validate(a, b)
    assert code == 1
    assert any(str(a) in line for line in lines) and any(str(b) in line for line in lines)
