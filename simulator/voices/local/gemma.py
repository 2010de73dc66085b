"""A lean Gemma 3 text model in plain torch: the same arithmetic as transformers, without its machinery.

Why: on a 2-core CPU, a decode step of Gemma 3 270M through transformers took
23 ms, of which the matrix products were 8 ms; the rest was per-layer Python
(cache objects, mask functions, hooks). Loading through transformers also
costs 1.5 s of imports and 1.7 s in `from_pretrained`. This module reads the
converted safetensors directly and runs one function per step. Query, key
and value share one int8 product, as do gate and up (the scales are per row,
so the numbers are unchanged). `tests/voices/test_lean_gemma.py` checks its
logits against transformers'.

Only what the shipped Gemma 3 text models use is supported (`supported`);
anything else loads through transformers as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from simulator.voices.local.speedups import KEEP_DENSE_PARAMS, _int8_linear

WEIGHTS = "model.safetensors"
NORMS = ("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm", "post_feedforward_layernorm")


def supported(folder: Path) -> bool:
    """Whether the converted model in `folder` is a Gemma 3 text model this module runs exactly."""
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    ropes = config.get("rope_parameters") or {}
    return (
        config.get("model_type") == "gemma3_text"
        and (folder / WEIGHTS).is_file()
        and config.get("attn_logit_softcapping") is None
        and not config.get("use_bidirectional_attention")
        and config.get("hidden_activation") == "gelu_pytorch_tanh"
        and set(ropes) == {"full_attention", "sliding_attention"}
        and all(r.get("rope_type", "default") == "default" for r in ropes.values())
        and len(config.get("layer_types") or []) == config.get("num_hidden_layers")
    )


@dataclass
class _Layer:
    norms: tuple[Any, Any, Any, Any]  # input, post-attention, pre-feedforward, post-feedforward: (1 + w) in float32
    q_norm: Any
    k_norm: Any
    qkv: Callable[[Any], Any]
    out: Callable[[Any], Any]
    gate_up: Callable[[Any], Any]
    down: Callable[[Any], Any]
    sliding: bool


class LeanCache:
    """Keys and values per layer, float32 (single-query attention on a CPU is fastest in float32).

    Writes go to the positions asked for, so a copy is only needed to keep a state for later;
    a copy takes the filled part only.
    """

    def __init__(self, layers: int, kv_heads: int, length: int, head_dim: int, device: str) -> None:
        import torch

        self.keys = [torch.zeros(kv_heads, length, head_dim, device=device) for _ in range(layers)]
        self.values = [torch.zeros(kv_heads, length, head_dim, device=device) for _ in range(layers)]
        self.filled = 0

    def __deepcopy__(self, memo: dict[int, Any]) -> LeanCache:
        import torch

        new = LeanCache.__new__(LeanCache)
        n = self.filled

        def clone(t: Any) -> Any:
            c = torch.empty_like(t)
            c[:, :n] = t[:, :n]
            return c

        new.keys = [clone(t) for t in self.keys]
        new.values = [clone(t) for t in self.values]
        new.filled = n
        return new


class LeanGemma:
    """Gemma 3 (text) forward passes over a static cache; `keep` trims the output layer to those ids."""

    positional_cache = True

    def __init__(
        self, folder: Path, dtype: Any, *, int8: bool, keep: Sequence[int] | None, device: str = "cpu"
    ) -> None:
        import torch
        from safetensors.torch import load_file

        c = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        gen_file = folder / "generation_config.json"
        gen = json.loads(gen_file.read_text(encoding="utf-8")) if gen_file.is_file() else {}
        self.config = SimpleNamespace(**c)
        self.generation_config = SimpleNamespace(eos_token_id=gen.get("eos_token_id", c.get("eos_token_id")))
        self.dtype, self.device = dtype, device
        self.heads, self.kv_heads, self.head_dim = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
        self.eps, self.window = float(c["rms_norm_eps"]), int(c.get("sliding_window") or 0)
        self.scale = float(c["query_pre_attn_scalar"]) ** -0.5
        self.softcap = c.get("final_logit_softcapping")
        w = load_file(str(folder / WEIGHTS), device="cpu")

        def get(name: str) -> Any:
            return w[name].to(dtype)

        def norm(name: str) -> Any:
            return (1.0 + w[name].float()).to(device)

        keep_dense = sum(t.numel() for t in w.values()) <= KEEP_DENSE_PARAMS
        int8_cls = _int8_linear() if int8 else None

        def matrix(weight: Any, dense: bool = keep_dense) -> Callable[[Any], Any]:
            if int8_cls is not None:
                return int8_cls(weight, None, dtype, dense).to(device).forward
            weight = weight.to(device)
            return lambda x: torch.nn.functional.linear(x, weight)

        self.embed = get("model.embed_tokens.weight").to(device)
        self.embed_scale = torch.tensor(c["hidden_size"] ** 0.5).to(dtype)
        self.final_norm = norm("model.norm.weight")
        self.layers: list[_Layer] = []
        for i, kind in enumerate(c["layer_types"]):
            p = f"model.layers.{i}."
            a, m = p + "self_attn.", p + "mlp."
            self.layers.append(
                _Layer(
                    norms=tuple(norm(p + n + ".weight") for n in NORMS),  # type: ignore[arg-type]
                    q_norm=norm(a + "q_norm.weight"),
                    k_norm=norm(a + "k_norm.weight"),
                    qkv=matrix(torch.cat([get(a + f"{x}_proj.weight") for x in "qkv"])),
                    out=matrix(get(a + "o_proj.weight")),
                    gate_up=matrix(torch.cat([get(m + "gate_proj.weight"), get(m + "up_proj.weight")])),
                    down=matrix(get(m + "down_proj.weight")),
                    sliding=kind == "sliding_attention",
                )
            )
        head = w.get("lm_head.weight", w["model.embed_tokens.weight"])
        self.keep_ids = None if keep is None else torch.tensor(sorted(set(keep)), dtype=torch.long)
        self.head = matrix((head if self.keep_ids is None else head[self.keep_ids]).to(dtype), dense=True)
        self.vocab_size = int(head.shape[0])
        self.rope = {
            kind: self._rope_table(float(c["rope_parameters"][kind]["rope_theta"]))
            for kind in ("sliding_attention", "full_attention")
        }

    def _rope_table(self, theta: float) -> Any:
        import torch

        inv = 1.0 / (theta ** (torch.arange(0, self.head_dim, 2, dtype=torch.int64).float() / self.head_dim))
        return inv.to(self.device)

    def new_cache(self, length: int) -> LeanCache:
        return LeanCache(len(self.layers), self.kv_heads, length, self.head_dim, self.device)

    def _rms(self, x: Any, weight: Any) -> Any:
        import torch

        f = x.float()
        return (f * torch.rsqrt(f.pow(2).mean(-1, keepdim=True) + self.eps) * weight).to(x.dtype)

    def _cos_sin(self, positions: Any) -> dict[bool, tuple[Any, Any]]:
        import torch

        out = {}
        for sliding, kind in ((True, "sliding_attention"), (False, "full_attention")):
            freqs = positions.float()[:, None] * self.rope[kind][None, :]
            emb = torch.cat((freqs, freqs), dim=-1)
            out[sliding] = (emb.cos().to(self.dtype)[:, None, :], emb.sin().to(self.dtype)[:, None, :])
        return out

    @staticmethod
    def _rotate(x: Any, cos: Any, sin: Any) -> Any:
        import torch

        half = x.shape[-1] // 2
        turned = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
        return x * cos + turned * sin

    def forward(self, ids: Sequence[int], cache: LeanCache, pos: int, every: bool = False) -> Any:
        """Logits (float32, over the kept ids) for the last position, or for every position when `every`."""
        import torch

        sdpa = torch.nn.functional.scaled_dot_product_attention
        n = len(ids)
        end = pos + n
        positions = torch.arange(pos, end, device=self.device)
        x = self.embed[torch.tensor(list(ids), device=self.device)] * self.embed_scale
        rope = self._cos_sin(positions)
        h_q, h_kv, d = self.heads, self.kv_heads, self.head_dim
        group = h_q // h_kv
        masks: dict[bool, tuple[int, Any]] = {}
        for sliding in (True, False):
            start = max(0, end - self.window) if sliding and self.window and n == 1 else 0
            if n == 1:
                masks[sliding] = (start, None)
                continue
            q_at = positions[:, None]
            k_at = torch.arange(0, end, device=self.device)[None, :]
            visible = k_at <= q_at
            if sliding and self.window:
                visible &= q_at - k_at < self.window
            masks[sliding] = (0, visible)
        for index, layer in enumerate(self.layers):
            h = self._rms(x, layer.norms[0])
            qkv = layer.qkv(h)
            q = self._rms(qkv[:, : h_q * d].view(n, h_q, d), layer.q_norm)
            k = self._rms(qkv[:, h_q * d : (h_q + h_kv) * d].view(n, h_kv, d), layer.k_norm)
            v = qkv[:, (h_q + h_kv) * d :].view(n, h_kv, d)
            cos, sin = rope[layer.sliding]
            q, k = self._rotate(q, cos, sin), self._rotate(k, cos, sin)
            keys, values = cache.keys[index], cache.values[index]
            keys[:, pos:end] = k.transpose(0, 1)
            values[:, pos:end] = v.transpose(0, 1)
            start, mask = masks[layer.sliding]
            if n == 1:  # one query: each key/value head serves its group of query heads as rows
                qf = q.float().view(h_kv, group, d)
                att = sdpa(qf, keys[:, start:end], values[:, start:end], scale=self.scale)
            else:
                qf = q.float().transpose(0, 1)
                kf = keys[:, :end].repeat_interleave(group, dim=0)
                vf = values[:, :end].repeat_interleave(group, dim=0)
                att = sdpa(qf, kf, vf, attn_mask=mask, scale=self.scale).transpose(0, 1)
            o = layer.out(att.reshape(n, h_q * d).to(self.dtype))
            x = x + self._rms(o, layer.norms[1])
            gu = layer.gate_up(self._rms(x, layer.norms[2]))
            gate, up = gu.chunk(2, dim=-1)
            o = layer.down(torch.nn.functional.gelu(gate, approximate="tanh") * up)
            x = x + self._rms(o, layer.norms[3])
        cache.filled = max(cache.filled, end)
        if not every:
            x = x[-1:]
        logits = self.head(self._rms(x, self.final_norm)).float()
        if self.softcap:
            logits = torch.tanh(logits / self.softcap) * self.softcap
        return logits if every else logits[0]
