"""What a trainer takes away: score, Markdown and HTML reports, overrides as gold items."""

from __future__ import annotations

import json
from pathlib import Path

from simulator.content.loader import load_library
from simulator.engine.session import Session, play_script
from simulator.records.overrides import add_comment, gold_items, override_act, override_score
from simulator.records.timeline import timeline
from simulator.records.transcript import Transcript, load_transcript, save_transcript
from tests.conftest import DATA, run_cli

LINES = (DATA / "scripts" / "schooladvies-vmbo-gt.good.txt").read_text(encoding="utf-8").splitlines()


def played(tmp_path: Path) -> tuple[Transcript, Path]:
    lib = load_library()
    persona = sorted(lib.personas)[0]
    session = Session(lib.scenarios["schooladvies-vmbo-gt"], lib.personas[persona], seed=4, save_dir=tmp_path)
    transcript = play_script(session, [*LINES[:4], "U overdrijft.", *LINES[4:]])
    assert session.path is not None
    return transcript, session.path


def test_timeline_marks_jumps_with_the_teacher_line_and_reason(tmp_path: Path) -> None:
    transcript, _ = played(tmp_path)
    tl = timeline(transcript)
    assert len(tl.points) == sum(1 for t in transcript.turns if t.speaker == "parent")
    assert tl.jumps, "a conversation with roadblocks and reflections has visible jumps"
    for p in tl.jumps:
        assert p.teacher_text in [t.text for t in transcript.turns if t.speaker == "teacher"]
        assert p.causes and all(c.why for c in p.causes)


def test_score_cli_json_on_full_and_minimal_transcripts(tmp_path: Path) -> None:
    _, path = played(tmp_path)
    minimal = tmp_path / "minimaal.json"
    turns = [{"speaker": "parent", "text": "Ik ben boos!"}, {"speaker": "teacher", "text": "U bent boos."}]
    minimal.write_text(json.dumps({"turns": turns}), encoding="utf-8")
    for file in (path, minimal):
        result = run_cli("score", str(file), "--format", "json")
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert 0 <= data["listening"]["score"] <= 100
        assert 0 <= data["boundaries"]["score"] <= 100
        assert all("codes" in t and "evidence" in t for t in data["turns"])


def test_export_markdown_and_html_carry_report_comments_and_chart(tmp_path: Path) -> None:
    transcript, path = played(tmp_path)
    teacher_turn = next(i for i, t in enumerate(transcript.turns) if t.speaker == "teacher")
    add_comment(transcript, teacher_turn, "trainer Els", "Mooi dat je meteen het advies noemt.")
    save_transcript(transcript, path)
    md = tmp_path / "verslag.md"
    html = tmp_path / "verslag.html"
    assert run_cli("export", str(path), "--format", "markdown", "-o", str(md)).returncode == 0
    assert run_cli("export", str(path), "--format", "html", "-o", str(html)).returncode == 0
    text = md.read_text(encoding="utf-8")
    assert "Mooi dat je meteen het advies noemt." in text
    assert "Luisteren" in text and "Grenzen" in text
    assert transcript.turns[teacher_turn].text in text
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page and "<polyline" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")  # standalone: no external assets
    assert "trainer Els" in page


def test_trainer_overrides_sit_next_to_the_engine_and_become_gold_items(tmp_path: Path) -> None:
    transcript, path = played(tmp_path)
    i = next(i for i, t in enumerate(transcript.turns) if t.speaker == "teacher" and t.acts)
    engine_code = transcript.turns[i].acts[0].code  # type: ignore[index]
    override_act(transcript, i, engine_code, present=False, reason="Dit is eerder informatie.", author="Els")
    override_act(transcript, i, "structuring", present=True, reason="Ze noemt de tijd.", author="Els")
    override_score(transcript, "listening", 40, 70, "Ze vatte goed samen.", author="Els")
    save_transcript(transcript, path)
    again = load_transcript(path)
    assert next(a.code for a in again.turns[i].acts or []) == engine_code  # the engine's judgement stays
    assert {o.trainer for o in again.turns[i].overrides} == {"absent", "present"}
    items = gold_items([again])
    assert len(items) == 1
    assert engine_code not in items[0]["codes"] and "structuring" in items[0]["codes"]  # type: ignore[operator]
    result = run_cli("gold-export", str(path))
    assert result.returncode == 0
    assert json.loads(result.stdout.splitlines()[0])["text"] == again.turns[i].text
