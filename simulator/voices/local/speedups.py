"""Speed-ups for a CPU: int8 weight-only linear layers, a trimmed output layer, prefix-only attention.

Small models are far below llama.cpp's speed with plain `generate` on a CPU;
these close part of the gap, measured in `bench/bench_lm.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _int8_linear() -> type:
    """A Linear with int8 weights (one scale per output row) for decoding, and the dense weight for prefill.

    torch's int8 weight-only matmul halves the memory traffic of a decode step,
    but is slow for many rows at once; a prompt of hundreds of tokens goes
    through the dense weight instead when it was kept.
    """
    import torch

    int8_mm = torch.ops.aten._weight_int8pack_mm
    linear = torch.nn.functional.linear

    class Int8Linear(torch.nn.Module):
        def __init__(
            self, weight: torch.Tensor, bias: torch.Tensor | None, dtype: torch.dtype, keep_dense: bool
        ) -> None:
            super().__init__()
            w = weight.detach().float()
            scale = (w.abs().amax(dim=1) / 127.0).clamp(min=1e-10)
            q = torch.round(w / scale[:, None]).clamp(-127, 127).to(torch.int8)
            self.register_buffer("qweight", q.contiguous())
            self.register_buffer("scale", scale.to(torch.bfloat16))
            self.dense = weight.detach().to(dtype) if keep_dense else None
            self.bias = None if bias is None else torch.nn.Parameter(bias.detach().to(dtype), requires_grad=False)
            self.in_features = w.shape[1]
            self.out_features = w.shape[0]

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            # Few Python steps: a decode step calls this seven times per layer.
            flat = x.reshape(-1, self.in_features)
            if self.dense is not None and flat.shape[0] > DENSE_ROWS:
                y = linear(flat, self.dense, self.bias)
            else:
                if flat.dtype != torch.bfloat16:  # the int8 kernel is 25 times slower with float32 input
                    flat = flat.to(torch.bfloat16)
                y = int8_mm(flat, self.qweight, self.scale)
                if self.bias is not None:
                    y = y + self.bias
            return y.view(*x.shape[:-1], self.out_features).to(x.dtype)

    return Int8Linear


DENSE_ROWS = 8
"""More rows than this (prefill) use the dense weight, when kept."""
KEEP_DENSE_PARAMS = 2_000_000_000
"""Models up to this size keep their dense weights beside the int8 ones, for a fast prefill."""


ATTENTION = "oudergesprek_sdpa"
"""SDPA that, for one new token, only looks at the filled part of the static cache."""


@lru_cache(maxsize=1)
def register_attention() -> str:
    """Register the decode-friendly attention with transformers; returns its name.

    With a static cache every decode step would attend over the whole reserved
    length (2048 positions) and mask most of it away; CPU SDPA pays for all of
    them. When the mask is a plain prefix, the keys are cut to that prefix and
    the mask dropped, which gives the same result for a fraction of the work.
    A single query also runs in float32: measured, bfloat16 SDPA on a CPU is
    about seven times slower for it (290 vs 38 microseconds for 600 keys).
    """
    import torch
    from transformers import AttentionInterface
    from transformers.integrations.sdpa_attention import sdpa_attention_forward
    from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

    last: list[Any] = [None, 0]

    def filled(mask: torch.Tensor) -> int:
        """Length of the all-visible prefix when nothing after it is visible, else 0."""
        if mask is last[0]:
            return int(last[1])
        row = mask[0, 0, -1]
        visible = row if row.dtype == torch.bool else row == 0
        count = int(visible.sum())
        n = count if count and bool(visible[:count].all()) else 0
        last[0], last[1] = mask, n
        return n

    def attention(module: Any, query: Any, key: Any, value: Any, attention_mask: Any, **kwargs: Any) -> Any:
        if query.shape[2] != 1:
            return sdpa_attention_forward(module, query, key, value, attention_mask, **kwargs)
        if attention_mask is not None and attention_mask.dim() == 4:
            n = filled(attention_mask)
            if 0 < n < key.shape[2]:
                key, value, attention_mask = key[:, :, :n], value[:, :, :n], None
        if query.dtype == torch.bfloat16 and query.device.type == "cpu":
            # CPU SDPA for a single query is several times slower in bfloat16 than in float32.
            out, weights = sdpa_attention_forward(
                module, query.float(), key.float(), value.float(), attention_mask, **kwargs
            )
            return out.to(torch.bfloat16), weights
        return sdpa_attention_forward(module, query, key, value, attention_mask, **kwargs)

    AttentionInterface.register(ATTENTION, attention)
    AttentionMaskInterface.register(ATTENTION, sdpa_mask)
    return ATTENTION


def int8_supported() -> bool:
    import torch

    return hasattr(torch.ops.aten, "_weight_int8pack_mm")


def quantize_int8(model: Any, dtype: Any) -> int:
    """Swap every Linear (the output layer excepted) for an int8 one; returns how many were swapped."""
    import torch

    cls = _int8_linear()
    keep_dense = sum(p.numel() for p in model.parameters()) <= KEEP_DENSE_PARAMS
    head = model.get_output_embeddings()
    count = 0
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, torch.nn.Linear) and child is not head:
                setattr(module, name, cls(child.weight, child.bias, dtype, keep_dense))
                count += 1
    return count


def trim_output(model: Any, keep: Sequence[int], int8: bool, dtype: Any) -> Any:
    """Replace the output layer by one over `keep` only; returns the kept ids as a tensor."""
    import torch

    head = model.get_output_embeddings()
    ids = torch.tensor(sorted(set(keep)), dtype=torch.long)
    weight = head.weight.detach()[ids].clone()
    bias = None if getattr(head, "bias", None) is None else head.bias.detach()[ids].clone()
    if int8:
        new = _int8_linear()(weight, bias, dtype, True)
    else:
        new = torch.nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None, dtype=weight.dtype)
        new.weight = torch.nn.Parameter(weight, requires_grad=False)
        if bias is not None:
            new.bias = torch.nn.Parameter(bias, requires_grad=False)
    model.set_output_embeddings(new)
    return ids

