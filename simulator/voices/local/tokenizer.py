"""Loading a tokenizer fast: straight from tokenizer.json when that gives the same ids as transformers' class."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from simulator.voices.local.cache import DONE_MARK

_UNUSED = re.compile(r"<unused\d+>")
_SPECIAL_KEYS = ("bos_token", "eos_token", "unk_token", "pad_token", "mask_token")


def drop_unused_tokens(path: Path) -> None:
    """Gemma reserves 6,242 '<unusedN>' tokens; as added tokens they cost half a second at every load."""
    data = json.loads(path.read_text(encoding="utf-8"))
    added = data.get("added_tokens") or []
    kept = [t for t in added if not _UNUSED.fullmatch(str(t.get("content", "")))]
    if len(kept) != len(added):
        data["added_tokens"] = kept
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def load_tokenizer(folder: Path, fast: bool | None = None) -> Any:
    """The tokenizer; straight from tokenizer.json when the conversion checked that this gives the same ids.

    transformers' model-specific tokenizer classes re-read the JSON in Python (about
    3 s for Gemma's 262k tokens); the generic fast tokenizer takes 0.7 s.
    """
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    if fast is None:
        try:
            fast = bool(json.loads((folder / DONE_MARK).read_text(encoding="utf-8")).get("fast_tokenizer"))
        except (OSError, ValueError):
            fast = False
    if not fast:
        return AutoTokenizer.from_pretrained(str(folder))
    config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    special = {k: config[k] for k in _SPECIAL_KEYS if isinstance(config.get(k), str)}
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=str(folder / "tokenizer.json"), **special)
    template = folder / "chat_template.jinja"
    if template.is_file():
        tokenizer.chat_template = template.read_text(encoding="utf-8")
    elif isinstance(config.get("chat_template"), str):
        tokenizer.chat_template = config["chat_template"]
    return tokenizer


def fast_tokenizer_agrees(folder: Path) -> bool:
    """Whether the generic fast tokenizer encodes, decodes and templates exactly like transformers' own class."""
    from transformers import AutoTokenizer

    own = AutoTokenizer.from_pretrained(str(folder))
    fast = load_tokenizer(folder, fast=True)
    samples = [
        "Goedemiddag meneer, ik ben de vader van Lotte.\nLeerkracht: Wat maakt dat u verrast bent?",
        "Oké... dat is 'n lastig advies, hè? Ik wil gewoon weten waar we staan!",
    ]
    for text in samples:
        for special in (True, False):
            if (
                own(text, add_special_tokens=special)["input_ids"]
                != fast(text, add_special_tokens=special)["input_ids"]
            ):
                return False
        ids = own(text)["input_ids"]
        if own.decode(ids, skip_special_tokens=True) != fast.decode(ids, skip_special_tokens=True):
            return False
    if own.chat_template:
        messages = [{"role": "system", "content": samples[0]}, {"role": "user", "content": samples[1]}]
        rendered = [t.apply_chat_template(messages, tokenize=False, add_generation_prompt=True) for t in (own, fast)]
        if rendered[0] != rendered[1]:
            return False
    return own.eos_token_id == fast.eos_token_id and sorted(own.all_special_ids) == sorted(fast.all_special_ids)

