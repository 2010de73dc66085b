"""Fixtures for the language-model voices: a tiny random chat model, real requests, one model cache per run.

The tiny model is a 2-layer Llama with hidden size 64 and a byte-level BPE
tokenizer trained here on the repo's own Dutch content, with a ChatML chat
template: small enough to build in a second, real enough to exercise loading,
prompting, streaming, cancel, the guard and the fallback.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.content.loader import load_library
from simulator.voices.base import VoiceRequest

ROOT = Path(__file__).resolve().parents[2]

CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


@pytest.fixture(scope="session")
def lm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One converted-model cache for the whole run, so each GGUF is converted once."""
    return tmp_path_factory.mktemp("lm-cache")


@pytest.fixture(autouse=True)
def shared_cache(lm_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OUDERGESPREK_CACHE", str(lm_cache))
    monkeypatch.delenv("OUDERGESPREK_THREADS", raising=False)
    monkeypatch.delenv("OUDERGESPREK_API_KEY", raising=False)
    return lm_cache


def _dutch_corpus() -> list[str]:
    texts = []
    for folder in ("personas", "scenarios"):
        texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / folder).glob("*.yaml"))]
    texts += [(ROOT / "simulator/voices/prompt_nl.yaml").read_text(encoding="utf-8")]
    return texts


def _build_tiny(folder: Path, chat: bool) -> Path:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    trainer = trainers.BpeTrainer(vocab_size=1500, special_tokens=specials, show_progress=False)
    tok.train_from_iterator(_dutch_corpus(), trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token="<|im_end|>" if chat else "<|endoftext|>", pad_token="<|endoftext|>"
    )
    if chat:
        fast.chat_template = CHATML
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(fast),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        eos_token_id=fast.eos_token_id,
        pad_token_id=fast.pad_token_id,
        tie_word_embeddings=True,
    )
    model = LlamaForCausalLM(config).eval()
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_chat_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_tiny(tmp_path_factory.mktemp("models") / "tiny-chat", chat=True)


@pytest.fixture(scope="session")
def tiny_base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_tiny(tmp_path_factory.mktemp("models") / "tiny-base", chat=False)


@pytest.fixture(scope="session")
def library():  # type: ignore[no-untyped-def]
    return load_library()


@pytest.fixture
def make_request(library):  # type: ignore[no-untyped-def]
    """A real VoiceRequest from the engine: opening plan, then one per teacher line."""
    from simulator.engine.session import Session

    def build(
        teacher_lines: tuple[str, ...] = (),
        scenario: str = "schooladvies-vmbo-gt",
        persona: str = "jeroen-pleitbezorger",
        seed: int = 1,
    ) -> VoiceRequest:
        session = Session(library.scenario(scenario), library.persona(persona), seed=seed)
        plan = session.open()
        session.say(plan)
        for line in teacher_lines:
            plan = session.teacher_says(line)
            assert plan is not None
            session.say(plan)
        plan = session.teacher_says("Wat maakt dat u verrast bent door dit advies?")
        assert plan is not None
        return plan.request

    return build


@pytest.fixture
def request_obj(make_request) -> VoiceRequest:  # type: ignore[no-untyped-def]
    return make_request()


@pytest.fixture
def collect() -> Iterator[list[tuple[str, float]]]:
    yield []
