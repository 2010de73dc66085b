"""Any causal language model through transformers, with the CPU speed-ups; the same contract as `LeanGemma`.

The contract the voice uses: `forward(ids, cache, pos, every)` gives float32 logits
over the kept ids, `new_cache(length)` a static cache, and `config`,
`generation_config`, `keep_ids`, `vocab_size` and `positional_cache` (whether the
cache writes at the positions asked for) describe the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from simulator.voices.local.speedups import quantize_int8, register_attention, trim_output


class TransformersModel:
    """`AutoModelForCausalLM` behind the voice's model contract; `module` is the transformers model itself."""

    positional_cache = False
    """transformers' static cache writes at its own running length (it ignores `cache_position`)."""

    def __init__(self, folder: Path, dtype: Any, *, int8: bool, keep: Sequence[int] | None, device: str) -> None:
        from transformers import AutoModelForCausalLM

        model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=dtype, attn_implementation=register_attention())
        model.eval()
        model.requires_grad_(False)
        self.keep_ids = None if keep is None else trim_output(model, keep, int8, dtype)
        if int8:
            quantize_int8(model, dtype)
        self.module = model.to(device)
        self.config = model.config
        self.generation_config = model.generation_config
        self.device = device
        self.vocab_size = int(model.config.vocab_size)

    def new_cache(self, length: int) -> Any:
        """transformers' static cache; it writes at its own running length, whatever position is asked."""
        from transformers import StaticCache

        return StaticCache(config=self.config, max_cache_len=length)

    def forward(self, ids: Sequence[int], cache: Any, pos: int, every: bool = False) -> Any:
        """Logits for the last position, or for every position of `ids` when `every`."""
        import torch

        input_ids = torch.tensor([list(ids)], device=self.device)
        positions = torch.arange(pos, pos + len(ids), device=self.device)
        out = self.module(
            input_ids=input_ids,
            past_key_values=cache,
            cache_position=positions,
            use_cache=True,
            logits_to_keep=0 if every else 1,
        )
        return out.logits[0].float() if every else out.logits[0, -1].float()
