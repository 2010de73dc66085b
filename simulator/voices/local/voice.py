"""The local voice: load a model (converting it once), build prompts, stream a parent line, honour cancel.

torch and transformers are imported inside functions only, so importing this
module (and the app) stays fast without them.
"""

from __future__ import annotations

import copy
import json
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from simulator.voices.base import Progress, VoiceError, VoiceRequest
from simulator.voices.local import gemma
from simulator.voices.local.convert import prepare
from simulator.voices.local.device import cpu_dtype, pick_device
from simulator.voices.local.hf_model import TransformersModel
from simulator.voices.local.progress import report as _report
from simulator.voices.local.source import resolve
from simulator.voices.local.speedups import int8_supported
from simulator.voices.local.tokenizer import load_tokenizer
from simulator.voices.local.vocab import end_ids, vocabulary_for
from simulator.voices.local.worker import IMPORT_LOCK, TorchThread, embedder_before_torch
from simulator.voices.prompt import (
    LineStream,
    chat_prompt,
    dialogue_prompt,
    fit,
    history_turns,
    message,
    stop_strings,
)

POLL = 0.05
"""Seconds between cancel checks while waiting for the next piece; keeps Escape well under 0.2 s."""
STALL = 120.0
"""Seconds without any text before a generation counts as stuck (a slow CPU prefilling a long prompt)."""
PREFILL_CHUNK = 128
"""Prompt tokens per forward pass while prefilling; cancel is checked between chunks."""

TOP_K = 50
"""Sampling looks at the 50 likeliest tokens only, then at the nucleus (top-p) among them."""


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
        runtime: str | None = None,
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
        self.runtime = runtime  # "lean" (gemma.py), "transformers", or None: lean on a CPU where gemma.supported
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
        self._owner = TorchThread()
        self._snapshot: _Snapshot | None = None
        if load:
            self.load(progress)

    # --- loading ---------------------------------------------------------------------------

    def load(self, progress: Progress | None = None) -> None:
        """Convert if needed, then load on the best device; progress goes to the UI's callback.

        Runs in the voice's torch thread (see `worker.TorchThread`); the caller waits for it.
        """
        self._owner.call(lambda: self._load(progress))

    def _load(self, progress: Progress | None) -> None:
        embedder_before_torch()
        try:
            with IMPORT_LOCK:  # the same imports as `worker.preload_libraries`, which may still be running
                import safetensors.torch  # noqa: F401
                import tokenizers  # noqa: F401
                import torch
        except ImportError:
            from simulator.voices.registry import missing_message

            raise VoiceError(missing_message("local") or message("lm_missing")) from None
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
        cpu = self.device == "cpu"
        lean = self.runtime == "lean" or (self.runtime is None and cpu and gemma.supported(folder))
        # int8 weights pay off where bfloat16 is fast (measured); the kernel needs bfloat16 activations.
        wanted = cpu and self.dtype == "bfloat16" if self.int8 is None else self.int8
        self.int8 = bool(wanted and int8_supported())
        t = time.perf_counter()
        try:
            # Measured: loading the tokenizer in a second thread beside the weights is slower on two cores
            # (both hold the interpreter), so they load one after the other.
            self.tokenizer = load_tokenizer(folder)
            self.timings["tokenizer"] = time.perf_counter() - t
            keep = self._kept_ids(folder, cpu if self.trim_vocab is None else self.trim_vocab)
            t = time.perf_counter()
            build = gemma.LeanGemma if lean else TransformersModel
            self.model = build(folder, dtype, int8=self.int8, keep=keep, device=self.device)
        except (OSError, ValueError, KeyError, ImportError) as exc:
            raise VoiceError(message("model_load_failed", spec=self.source.spec, why=exc)) from None
        self.runtime = "lean" if lean else "transformers"
        self.timings["model"] = time.perf_counter() - t
        self.end_ids = end_ids(self.tokenizer, self.model)
        self.chat = bool(getattr(self.tokenizer, "chat_template", None))
        limit = getattr(self.model.config, "max_position_embeddings", None) or self.context_limit
        self.context = min(self.context_limit, int(limit))
        self.keep_ids = self.model.keep_ids
        if self.keep_ids is not None:
            self.keep_ids = self.keep_ids.to(self.device)
            self.full_to_kept = torch.full((self.model.vocab_size,), -1, dtype=torch.long, device=self.device)
            self.full_to_kept[self.keep_ids] = torch.arange(len(self.keep_ids), device=self.device)
        t = time.perf_counter()
        self._warm_up()
        self.timings["warm_up"] = time.perf_counter() - t
        self.timings["load"] = time.perf_counter() - start
        _report(progress, "ready", 1.0)

    def _kept_ids(self, folder: Any, trim: bool) -> list[int] | None:
        """The output ids to keep (Dutch words and end tokens), or None when trimming would not pay."""
        if not trim:
            return None
        vocab = int(json.loads((folder / "config.json").read_text(encoding="utf-8")).get("vocab_size") or 0)
        keep = sorted(set(vocabulary_for(folder, self.tokenizer)) | end_ids(self.tokenizer, None))
        return keep if len(keep) < 0.9 * vocab else None

    def _warm_up(self) -> None:
        """One short pass so the first real turn does not pay for kernel set-up."""
        import torch

        ids = self.tokenizer("Goedemiddag, ik ben de moeder.")["input_ids"][:8]
        with torch.inference_mode():
            self.model.forward(ids, self.model.new_cache(16), 0)

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
        """Float32 logits over the kept ids after `ids`, written into `cache` from `pos` on."""
        return self.model.forward(ids, cache, pos)

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
        return self.model.new_cache(self.context)

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
