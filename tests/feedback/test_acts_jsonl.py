"""The JSON-Lines filter a trainer pipes a batch of teacher turns through."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from feedback.acts_jsonl import run

ROOT = Path(__file__).resolve().parents[2]


class CountingOut(io.StringIO):
    """Records how much had been written at each flush, to check line-by-line delivery."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed_at: list[int] = []

    def flush(self) -> None:
        self.flushed_at.append(len(self.getvalue().splitlines()))
        super().flush()


def filter_lines(*lines: str) -> tuple[int, list[dict[str, object]]]:
    out = io.StringIO()
    rc = run(io.StringIO("".join(line + "\n" for line in lines)), out)
    return rc, [json.loads(line) for line in out.getvalue().splitlines()]


def test_each_line_gets_its_codes_and_evidence_in_the_same_order() -> None:
    rc, out = filter_lines(
        json.dumps({"text": "Waarom kwam u niet? U moet gewoon even bellen."}),
        json.dumps({"text": "Goedemiddag, komt u binnen."}),
        json.dumps({"text": "U bent onredelijk."}),
    )
    assert rc == 0
    assert [o["codes"] for o in out] == [["why_question", "premature_advice"], [], ["you_message"]]
    assert out[0]["evidence"]["why_question"] == "Waarom kwam u niet?"
    assert out[1]["evidence"] == {}
    assert set(out[2]["evidence"]) == {"you_message"}


def test_parent_before_and_history_are_used() -> None:
    text = "U zegt dus dat hij thuis zonder problemen rekent."
    parent = "Thuis rekent hij alles uit, dat gaat zonder problemen."
    history = [["teacher", "Hoe gaat het thuis?"], {"speaker": "parent", "text": parent}]
    _, out = filter_lines(
        json.dumps({"text": text}),
        json.dumps({"text": text, "parent_before": parent}),
        json.dumps({"text": text, "history": history}),
        json.dumps({"text": text, "parent_before": None}),
    )
    assert ["paraphrase" in o["codes"] for o in out] == [False, True, True, False]


def test_a_bad_line_reports_its_number_and_the_rest_still_runs() -> None:
    rc, out = filter_lines(
        "dit is geen json",
        json.dumps({"parent_before": "Hallo"}),
        json.dumps({"text": 42}),
        json.dumps(["Hoe gaat het?"]),
        json.dumps({"text": "Hoe gaat het?", "parent_before": 3}),
        "",
        json.dumps({"text": "Hoe gaat het thuis?"}),
    )
    assert rc == 1
    assert len(out) == 7
    for n, o in enumerate(out[:6], start=1):
        assert o["codes"] == [] and o["evidence"] == {}
        assert str(o["error"]).startswith(f"regel {n}: ")
    assert out[6] == {"codes": ["open_question"], "evidence": {"open_question": "Hoe gaat het thuis?"}}


def test_unicode_stays_readable_in_the_output() -> None:
    out = io.StringIO()
    run(io.StringIO(json.dumps({"text": "Als u blijft schreeuwen, beëindig ik het gesprek."}) + "\n"), out)
    assert "beëindig" in out.getvalue()


def test_output_is_flushed_after_every_line() -> None:
    out = CountingOut()
    lines = [json.dumps({"text": t}) for t in ["Hoe gaat het?", "kapot", "U overdrijft."]]
    run(io.StringIO("\n".join(lines) + "\n"), out)
    assert out.flushed_at == [1, 2, 3]


def test_empty_input_gives_empty_output() -> None:
    out = io.StringIO()
    assert run(io.StringIO(""), out) == 0
    assert out.getvalue() == ""


def test_as_a_command_it_never_shows_a_traceback() -> None:
    stdin = (
        json.dumps({"text": "Dan zien we elkaar bij de rechter."})
        + "\n"
        + "{kapot\n"
        + json.dumps({"text": "Hoe gaat het?"})  # last line without newline
    )
    result = subprocess.run(
        [sys.executable, "-m", "feedback.acts_jsonl"],
        input=stdin.encode("utf-8") + b"\n\xff\xfe{}\n",
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    assert b"Traceback" not in result.stderr
    lines = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert [o["codes"] for o in lines[:3]] == [["counter_attack"], [], ["open_question"]]
    assert "error" in lines[1] and "error" in lines[3]
    assert result.returncode == 1
