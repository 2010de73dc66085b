"""The Dutch output vocabulary: the tokens that occur when Dutch is written.

Gemma has 262k tokens; Dutch text needs about 34k. Trimming the output layer to
those shrinks the largest matrix eightfold (see `speedups.trim_output`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from simulator.voices.local import cache

END_TOKENS = ("<|im_end|>", "<end_of_turn>", "<|eot_id|>", "<|endoftext|>", "</s>", "<eos>", "<|end|>")


def _dutch_texts() -> list[str]:
    """Dutch word forms (simplemma's dictionary) in running text, plus the app's own Dutch texts."""
    texts: list[str] = []
    try:
        from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

        forms = sorted(DefaultDictionaryFactory().get_dictionary("nl").keys())
    except Exception:  # a simplemma without this module: fall back to the app's own texts
        forms = []
    for i in range(0, len(forms), 64):
        chunk = forms[i : i + 64]
        texts.append(" " + " ".join(chunk))
        texts.append(" " + " ".join(w[:1].upper() + w[1:] for w in chunk))
    from importlib import resources

    for name in ("prompt_nl.yaml", "guard_words.yaml"):
        texts.append(resources.files("simulator.voices").joinpath(name).read_text(encoding="utf-8"))
    for package in ("personas", "scenarios"):
        try:
            for item in resources.files(package).iterdir():
                if item.name.endswith((".yaml", ".yml")):
                    texts.append(item.read_text(encoding="utf-8"))
        except (ModuleNotFoundError, OSError):
            continue
    chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789éëèêïíóöôüúàäçñ.,!?;:'\"()-–—…’‘“”/%€&+=*"
    texts += [*chars, *(" " + c for c in chars), "\n", "\n\n", " \n", ".\n", "?\n", "!\n", "...", "?!"]
    return texts


def dutch_vocabulary(tokenizer: Any) -> list[int]:
    """Token ids that occur when Dutch is written, plus every special token: the trimmed output layer."""
    ids: set[int] = set()
    texts = _dutch_texts()
    for i in range(0, len(texts), 512):
        for row in tokenizer(texts[i : i + 512], add_special_tokens=False)["input_ids"]:
            ids.update(row)
    ids.update(int(i) for i in tokenizer.all_special_ids)
    ids.update(end_ids(tokenizer, None))
    size = len(tokenizer)
    return sorted(i for i in ids if 0 <= i < size)


def end_ids(tokenizer: Any, model: Any) -> set[int]:
    out: set[int] = set()
    if tokenizer.eos_token_id is not None:
        out.add(int(tokenizer.eos_token_id))
    if model is not None:
        eos = getattr(model.generation_config, "eos_token_id", None)
        out.update([int(e) for e in eos] if isinstance(eos, list) else [int(eos)] if eos is not None else [])
    lookup = getattr(tokenizer, "token_id", None)  # the plain tokenizer: no dict of 262k tokens
    if lookup is None:
        vocab = tokenizer.get_vocab()
        lookup = vocab.get
    out.update(int(i) for i in map(lookup, END_TOKENS) if i is not None)
    return out


def vocabulary_for(folder: Path, tokenizer: Any) -> list[int]:
    """Cached beside a converted model, or in the cache dir for a model directory we may not write to."""
    own = folder / "vocab_nl.json"
    if own.is_file():
        return list(json.loads(own.read_text(encoding="utf-8")))
    tok_file = next((folder / n for n in ("tokenizer.json", "tokenizer.model") if (folder / n).is_file()), folder)
    stat = tok_file.stat()
    key = hashlib.sha1(f"{tok_file.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    cached = cache.root() / "vocab" / f"{key}.json"
    if cached.is_file():
        return list(json.loads(cached.read_text(encoding="utf-8")))
    ids = dutch_vocabulary(tokenizer)
    cache.write_json(cached, ids)
    return ids
