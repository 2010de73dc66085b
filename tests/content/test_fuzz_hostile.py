"""Hostile files, one test per way the audit broke a reader: bounded time and memory, one Dutch line, no traceback."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from simulator.content.problems import ContentError
from simulator.limits import MAX_CONTENT_BYTES, MAX_NESTING, MAX_TRANSCRIPT_BYTES, MAX_TURN_CHARS, MAX_TURNS
from simulator.records.transcript import load_transcript
from simulator.validate import validate_paths
from tests.conftest import DATA, run_cli

PERSONA = (DATA / "content" / "persona_minimal.yaml").read_text(encoding="utf-8")


def _lol(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def _problems(path: Path) -> list[str]:
    started = time.monotonic()
    problems = validate_paths([path])
    assert time.monotonic() - started < 5, "a hostile file is refused within seconds"
    return [str(p) for p in problems]


def test_billion_laughs_is_refused_at_once(tmp_path: Path) -> None:
    bad = tmp_path / "lol.yaml"
    bad.write_text(_lol(), encoding="utf-8")
    assert len(bad.read_bytes()) < 600
    (line,) = _problems(bad)
    assert line.startswith(f"{bad}:") and "aliassen" in line


def test_an_alias_that_contains_itself_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "zelf.yaml"
    bad.write_text("a: &a [1, *a]\n", encoding="utf-8")
    (line,) = _problems(bad)
    assert "verwijst naar zichzelf" in line


def test_a_few_aliases_in_real_content_still_work(tmp_path: Path) -> None:
    good = tmp_path / "persona.yaml"
    good.write_text(PERSONA + "\n_notes: &n [een, twee]\n_more: *n\n", encoding="utf-8")
    assert not any("aliassen" in p or "zichzelf" in p for p in _problems(good))


def test_duplicate_keys_are_refused_with_both_lines(tmp_path: Path) -> None:
    bad = tmp_path / "dubbel.yaml"
    bad.write_text(PERSONA.replace("name: Test Ouder\n", "name: Test Ouder\nname: Andere Ouder\n"), encoding="utf-8")
    problems = _problems(bad)
    assert len(problems) == 1
    first = PERSONA.splitlines().index("name: Test Ouder") + 1
    assert problems[0].startswith(f"{bad}:{first + 1}: name: ") and f"regel {first}" in problems[0]


def test_a_content_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "groot.yaml"
    big.write_text(PERSONA + "# " + "x" * MAX_CONTENT_BYTES + "\n", encoding="utf-8")
    (line,) = _problems(big)
    assert "te groot" in line and line.startswith(f"{big}:")


def test_deep_yaml_nesting_is_one_line(tmp_path: Path) -> None:
    for text in ("a: " + "[" * 5000 + "]" * 5000 + "\n", "a: " + "[" * (MAX_NESTING + 5) + "]" * (MAX_NESTING + 5)):
        bad = tmp_path / "diep.yaml"
        bad.write_text(text, encoding="utf-8")
        (line,) = _problems(bad)
        assert "te diep genest" in line


def test_validate_reads_a_big_json_file_as_json_fast(tmp_path: Path) -> None:
    big = tmp_path / "groot.json"
    big.write_text(json.dumps({"turns": [{"speaker": "teacher", "text": "x" * 100}] * 40_000}), encoding="utf-8")
    assert 4_000_000 < big.stat().st_size < MAX_TRANSCRIPT_BYTES
    (line,) = _problems(big)
    assert "te veel beurten" in line
    huge = tmp_path / "enorm.json"
    with huge.open("w", encoding="utf-8") as fh:
        fh.write('{"turns": [' + ",".join(['{"speaker": "teacher", "text": "hallo"}'] * 400_000) + "]}")
    assert huge.stat().st_size > MAX_TRANSCRIPT_BYTES
    (line,) = _problems(huge)
    assert "te groot" in line


def test_deeply_nested_json_transcript_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "diep.json"
    bad.write_text('{"turns": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_transcript(bad)
    assert str(err.value) == f"{bad}: te diep genest (meer dan {MAX_NESTING} niveaus)"
    for command in (["validate", str(bad)], ["score", str(bad)]):
        result = run_cli(*command)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert result.stderr.strip().splitlines() == [f"{bad}: te diep genest (meer dan {MAX_NESTING} niveaus)"]


def test_a_transcript_turn_over_the_limit_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "lang.json"
    turns = [{"speaker": "parent", "text": "Hallo"}, {"speaker": "teacher", "text": "x" * (MAX_TURN_CHARS + 1)}]
    bad.write_text(json.dumps({"turns": turns}, indent=1), encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_transcript(bad)
    (problem,) = err.value.problems
    assert problem.field == "turns[1].text" and "te lang" in problem.message and problem.line is not None


def test_a_transcript_with_too_many_turns_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "veel.json"
    bad.write_text(json.dumps({"turns": [{"speaker": "teacher", "text": "ja"}] * (MAX_TURNS + 1)}), encoding="utf-8")
    with pytest.raises(ContentError, match="te veel beurten"):
        load_transcript(bad)


def test_the_transcript_list_survives_one_bad_file_and_names_it() -> None:
    from simulator.app import backend
    from simulator.settings.paths import transcripts_dir

    folder = transcripts_dir()
    folder.mkdir(parents=True)
    (folder / "goed.json").write_text(json.dumps({"turns": [{"speaker": "teacher", "text": "Hallo"}]}), "utf-8")
    (folder / "diep.json").write_text('{"turns": ' + "[" * 50_000 + "]" * 50_000 + "}", "utf-8")
    (folder / "kapot.json").write_bytes(b"\xff\xfe{")
    problems: list[object] = []
    saved = backend.saved_transcripts(problems)  # type: ignore[arg-type]
    assert [s.path.name for s in saved] == ["goed.json"]
    assert sorted(Path(str(p).split(":")[0]).name for p in problems) == ["diep.json", "kapot.json"]


def test_acts_keeps_every_line_when_some_are_not_utf8() -> None:
    lines = [b'{"text": "Hoe gaat het thuis?"}', b'{"text": "caf\xe9"}', b"\xff\xfe", b'{"text": "Wat ziet u?"}', b"{"]
    result = run_cli("acts", stdin=(b"\n".join(lines) + b"\n").decode("latin-1"))
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 5 and "Traceback" not in result.stderr


def test_acts_refuses_a_turn_over_the_limit() -> None:
    line = json.dumps({"text": "Hoe gaat het? " * (MAX_TURN_CHARS // 10)})
    started = time.monotonic()
    result = run_cli("acts", stdin=line + "\n")
    assert time.monotonic() - started < 30
    (out,) = [json.loads(x) for x in result.stdout.splitlines()]
    assert "te lang" in out["error"]


def test_gold_export_continues_past_a_bad_file_and_names_a_non_json_file(tmp_path: Path) -> None:
    good = tmp_path / "goed.json"
    turns = [
        {"speaker": "parent", "text": "Ik ben boos."},
        {
            "speaker": "teacher",
            "text": "U bent boos.",
            "acts": [{"code": "paraphrase"}],
            "overrides": [{"target": "act:summary", "engine": "absent", "trainer": "present", "reason": "kort"}],
        },
    ]
    good.write_text(json.dumps({"turns": turns}), encoding="utf-8")
    bad = tmp_path / "a-kapot.json"
    bad.write_text("{", encoding="utf-8")
    text_file = tmp_path / "notities.txt"
    text_file.write_text("geen transcript", encoding="utf-8")
    result = run_cli("gold-export", str(bad), str(good), str(text_file))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stdout.splitlines()) == 1 and json.loads(result.stdout)["text"] == "U bent boos."
    errors = result.stderr.strip().splitlines()
    assert any(e.startswith(f"{bad}:") for e in errors)
    assert f"{text_file}: geen .json-bestand; overgeslagen" in errors


def test_play_refuses_a_script_line_over_the_limit(tmp_path: Path) -> None:
    script = tmp_path / "lang.txt"
    script.write_text("Goedemiddag.\n" + "bla " * MAX_TURN_CHARS + "\n", encoding="utf-8")
    from simulator.content.loader import load_library

    persona = sorted(load_library().personas)[0]
    result = run_cli("play", "--scenario", "schooladvies-vmbo-gt", "--persona", persona, "--script", str(script))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(f"{script}:2: beurt is te lang")
