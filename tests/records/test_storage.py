"""Saving never loses or doubles a turn: killed saves are cleaned up, failures name the path and roll back."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulator.records.transcript import Transcript, Turn, save_transcript
from simulator.storage import SaveError, clean_stale_temps, save_atomic
from tests.conftest import ROOT, run_cli

needs_sysfs = pytest.mark.skipif(
    not Path("/sys/kernel").is_dir(), reason="needs Linux sysfs, a folder that even root cannot write to"
)

_HANG_IN_RENAME = """
import os, sys, time
from pathlib import Path
from simulator import storage
os.replace = lambda *a: (print("tmp written", flush=True), time.sleep(60))
storage.save_atomic(Path(sys.argv[1]), "x" * 1_000_000)
"""


def test_a_killed_save_leaves_a_temp_file_that_the_next_save_removes(tmp_path: Path) -> None:
    target = tmp_path / "saves" / "t.json"
    proc = subprocess.Popen(
        [sys.executable, "-c", _HANG_IN_RENAME, str(target)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "tmp written"
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    leftovers = list(target.parent.glob(".*.tmp"))
    assert len(leftovers) == 1
    old = time.time() - 3600
    os.utime(leftovers[0], (old, old))  # a save that was killed an hour ago
    save_transcript(Transcript(turns=[Turn(speaker="teacher", text="Hallo")]), target)
    assert sorted(p.name for p in target.parent.iterdir()) == ["t.json"]


def test_a_fresh_temp_file_of_a_running_save_is_left_alone(tmp_path: Path) -> None:
    running = tmp_path / ".t.json.abc123.tmp"
    running.write_text("bezig", encoding="utf-8")
    assert clean_stale_temps(tmp_path) == []
    assert running.exists()


def test_a_full_disk_names_the_path_and_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    target = tmp_path / "exports" / "verslag.json"
    with pytest.raises(SaveError) as err:
        save_atomic(target, "tekst")
    assert str(err.value) == f"kan niet opslaan in {target}: de schijf is vol"
    assert list(target.parent.iterdir()) == []


@needs_sysfs
def test_a_read_only_folder_names_the_path() -> None:
    target = Path("/sys/oudergesprek-test/t.json")  # sysfs refuses new folders, even to root
    with pytest.raises(SaveError) as err:
        save_atomic(target, "x")
    assert str(err.value).startswith(f"kan niet opslaan in {target}: ")
    assert "\n" not in str(err.value)


@needs_sysfs
def test_cli_export_to_an_unwritable_place_is_one_line_naming_it(tmp_path: Path) -> None:
    src = tmp_path / "t.json"
    src.write_text(json.dumps({"turns": [{"speaker": "teacher", "text": "Hallo"}]}), encoding="utf-8")
    out = "/sys/oudergesprek-test/verslag.html"
    result = run_cli("export", str(src), "--format", "html", "-o", out)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(f"kan niet opslaan in {out}:")


@needs_sysfs
def test_the_app_is_told_where_files_would_go_when_the_data_dir_is_read_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from simulator.app import backend

    assert backend.storage_problem() is None
    monkeypatch.setenv("OUDERGESPREK_HOME", "/sys/oudergesprek-test")
    problem = backend.storage_problem()
    assert problem is not None and "/sys/oudergesprek-test/transcripts" in problem


def test_a_turn_whose_save_fails_is_not_recorded_and_can_be_sent_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulator.app import backend
    from simulator.content.loader import load_library

    monkeypatch.setenv("OUDERGESPREK_EMBEDDER", "keywords")  # the rollback, not the understanding, is tested
    lib = load_library()
    scenario = lib.scenarios["schooladvies-vmbo-gt"]
    persona = lib.personas[sorted(lib.personas)[0]]
    setup = backend.Setup(scenario=scenario, persona=persona, seed=3)
    from simulator.voices.scripted import ScriptedVoice

    session = backend.new_session(setup, ScriptedVoice(), None, None)
    session.say(session.open())
    line = "Ik hoor dat u zich zorgen maakt over het advies."
    before = (len(session.transcript.turns), session.state.snapshot(), session.teacher_turns)

    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, "vol")))
    with pytest.raises(SaveError, match="de schijf is vol"):
        backend.teacher_says(session, line)
    assert (len(session.transcript.turns), session.state.snapshot(), session.teacher_turns) == before

    monkeypatch.setattr(os, "fsync", real_fsync)  # space freed: Enter again
    plan = backend.teacher_says(session, line)
    assert plan is not None
    assert [t.text for t in session.transcript.turns].count(line) == 1

    twin = backend.new_session(setup, ScriptedVoice(), None, None)  # the same line, sent once, no failure
    twin.say(twin.open())
    backend.teacher_says(twin, line)
    assert session.state.snapshot() == twin.state.snapshot()
    assert session.path is not None
    saved = json.loads(session.path.read_text(encoding="utf-8"))
    assert [t["text"] for t in saved["turns"]].count(line) == 1


def test_practising_without_saving_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from simulator.app import backend
    from simulator.content.loader import load_library
    from simulator.voices.scripted import ScriptedVoice

    monkeypatch.setenv("OUDERGESPREK_EMBEDDER", "keywords")
    lib = load_library()
    setup = backend.Setup(scenario=lib.scenarios["schooladvies-vmbo-gt"], persona=next(iter(lib.personas.values())))
    session = backend.new_session(setup, ScriptedVoice(), None, None, keep=False)
    session.say(session.open())
    backend.teacher_says(session, "Wat ziet u thuis?")
    assert session.path is None
