"""Transcripts: the minimal form from elsewhere loads; ours round-trip; saving is atomic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.content.problems import ContentError
from simulator.records.transcript import SCHEMA_ID, Transcript, Turn, load_transcript, parse_transcript, save_transcript


def test_minimal_form_loads() -> None:
    t = parse_transcript(json.dumps({"turns": [{"speaker": "teacher", "text": "Hoe gaat het thuis?"}]}))
    assert t.turns[0].speaker == "teacher"
    assert t.schema_id == SCHEMA_ID
    assert t.pairs() == [("teacher", "Hoe gaat het thuis?")]


def test_full_transcript_round_trips(tmp_path: Path) -> None:
    t = Transcript(
        scenario_id="s", persona_id="p", voice="scripted", seed=4, turns=[Turn(speaker="parent", text="Hallo")]
    )
    path = tmp_path / "t.json"
    save_transcript(t, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["schema"] == SCHEMA_ID
    again = load_transcript(path)
    assert again.model_dump() == t.model_dump()


def test_wrong_schema_id_is_rejected() -> None:
    with pytest.raises(ContentError) as err:
        parse_transcript(json.dumps({"schema": "iets/9", "turns": []}), "x.json")
    assert "x.json" in str(err.value) and "schema" in str(err.value)


def test_invalid_json_names_line() -> None:
    with pytest.raises(ContentError) as err:
        parse_transcript('{\n "turns": [\n  {"speaker": "teacher",}\n ]\n}', "kapot.json")
    assert str(err.value).startswith("kapot.json:3: geen geldige JSON")


def test_save_leaves_no_temp_files_and_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "t.json"
    for n in range(3):
        save_transcript(Transcript(turns=[Turn(speaker="teacher", text=f"zin {n}")]), path)
    assert [p.name for p in path.parent.iterdir()] == ["t.json"]
    assert load_transcript(path).turns[0].text == "zin 2"
