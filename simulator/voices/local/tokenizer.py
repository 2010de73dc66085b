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
    3 s for Gemma's 262k tokens); the generic fast tokenizer takes 0.7 s, and
    `PlainTokenizer` saves the 0.5 s of importing it as well.
    """
    if fast is None:
        try:
            fast = bool(json.loads((folder / DONE_MARK).read_text(encoding="utf-8")).get("fast_tokenizer"))
        except (OSError, ValueError):
            fast = False
    if not fast:  # imported here only: AutoTokenizer pulls in every tokenizer class (about 1 s on 2 cores)
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(str(folder))
    config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    special = {k: config[k] for k in _SPECIAL_KEYS if isinstance(config.get(k), str)}
    template_file = folder / "chat_template.jinja"
    if template_file.is_file():
        template: str | None = template_file.read_text(encoding="utf-8")
    else:
        template = config["chat_template"] if isinstance(config.get("chat_template"), str) else None
    if not config.get("clean_up_tokenization_spaces") and not config.get("extra_special_tokens"):
        return PlainTokenizer(folder / "tokenizer.json", special, template)
    from transformers import PreTrainedTokenizerFast

    tokenizer = PreTrainedTokenizerFast(tokenizer_file=str(folder / "tokenizer.json"), **special)
    if template:
        tokenizer.chat_template = template
    return tokenizer


class PlainTokenizer:
    """`tokenizers.Tokenizer` with the few methods of transformers' tokenizers that the voice uses.

    Used where the conversion found transformers' generic fast tokenizer exact; this one gives
    the same ids, text and chat prompt (tests/voices/test_lean_gemma.py compares them).
    """

    def __init__(self, path: Path, special: dict[str, str], chat_template: str | None) -> None:
        from tokenizers import Tokenizer

        self._tok = Tokenizer.from_file(str(path))
        self.special = special
        self.chat_template = chat_template
        self.eos_token = special.get("eos_token")
        self.eos_token_id = self.token_id(self.eos_token) if self.eos_token else None
        ids = (self.token_id(t) for t in special.values())
        self.all_special_ids = sorted({i for i in ids if i is not None})
        self._template: Any = None

    def token_id(self, token: str) -> int | None:
        """The id of one token, or None; a lookup, where `get_vocab` builds a dict of every token (0.2 s for Gemma)."""
        return self._tok.token_to_id(token)

    def __call__(self, text: str | list[str], add_special_tokens: bool = True) -> dict[str, Any]:
        if isinstance(text, list):
            return {"input_ids": [e.ids for e in self._tok.encode_batch(text, add_special_tokens=add_special_tokens)]}
        return {"input_ids": self._tok.encode(text, add_special_tokens=add_special_tokens).ids}

    def decode(self, ids: Any, skip_special_tokens: bool = False, **_: Any) -> str:
        """Text of one id or of a sequence of ids (transformers' streamer passes both)."""
        ids = [int(ids)] if isinstance(ids, int) or getattr(ids, "ndim", 1) == 0 else [int(i) for i in ids]
        return str(self._tok.decode(ids, skip_special_tokens=skip_special_tokens))

    def get_vocab(self) -> dict[str, int]:
        return dict(self._tok.get_vocab(with_added_tokens=True))

    def __len__(self) -> int:
        return int(self._tok.get_vocab_size(with_added_tokens=True))

    def apply_chat_template(
        self, messages: list[dict[str, str]], tokenize: bool = False, add_generation_prompt: bool = False
    ) -> str:
        """The chat template rendered as transformers renders it (same sandbox and options); text only."""
        if tokenize or not self.chat_template:
            raise ValueError("PlainTokenizer renders a chat template to text only")
        if self._template is None:
            from jinja2.ext import loopcontrols
            from jinja2.sandbox import ImmutableSandboxedEnvironment

            def raise_exception(text: str) -> None:
                raise ValueError(text)

            env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
            env.globals["raise_exception"] = raise_exception
            self._template = env.from_string(self.chat_template)
        return str(
            self._template.render(
                messages=messages, tools=None, documents=None, add_generation_prompt=add_generation_prompt,
                **self.special,
            )
        )  # fmt: skip


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
