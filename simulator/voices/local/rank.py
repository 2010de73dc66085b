"""The model chooses, the curated lines speak: rank the engine's candidate lines by likelihood.

A model too small to write Dutch (Gemma 3 270M) can still tell which of a few
well-written lines fits the conversation better. Each candidate is scored by
its mean token log-probability after the voice's own prompt; with `calibrate`,
the same line's log-probability after the prompt without the conversation is
subtracted (pointwise mutual information with the conversation).

Measured on 229 blind routing probes rated 0/1/2 by a blind rater (models/README.md,
`bench/rank_lines.py`): the plain log-probability picked better lines (mean 1.29)
than the calibrated one (1.22), the embedder (1.24) and the engine's own choice
(1.20), so the voice ranks uncalibrated by default, which also halves its time.

The candidates share one prefilled prompt: each is fed at the same positions of
the static cache, and the causal mask hides what an earlier candidate left there.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from simulator.records.voice_use import RANKING_PREFIX
from simulator.voices.base import VoiceRequest
from simulator.voices.local.voice import LocalVoice

UNKNOWN_LOGPROB = -20.0
"""A candidate token outside the trimmed output vocabulary counts as this unlikely."""
MAX_CANDIDATE_TOKENS = 80
_PIECES = re.compile(r"\S+\s*")


def _token_logprobs(voice: LocalVoice, first_logits: Any, ids: Sequence[int], cache: Any, pos: int) -> list[float]:
    """Log-probability of each token of `ids` after the prompt held in `cache` up to `pos`."""
    import torch

    logits = [first_logits]
    if len(ids) > 1:
        input_ids = torch.tensor([list(ids[:-1])], device=voice.device)
        positions = torch.arange(pos, pos + len(ids) - 1, device=voice.device)
        out = voice.model(input_ids=input_ids, past_key_values=cache, cache_position=positions, use_cache=True)
        logits += list(out.logits[0].float())
    scores = []
    for token, row in zip(ids, logits, strict=True):
        logp = torch.log_softmax(row, dim=-1)
        index = int(voice.full_to_kept[token]) if voice.full_to_kept is not None else token
        scores.append(float(logp[index]) if index >= 0 else UNKNOWN_LOGPROB)
    return scores


def _mean_logprobs(voice: LocalVoice, request: VoiceRequest, candidates: Sequence[str]) -> list[float]:
    import torch

    head, tail, _ = voice.prompt_ids(request)
    with voice._lock, torch.inference_mode():
        logits, cache, pos = voice._start(head, tail, lambda: False)
        room = max(1, min(MAX_CANDIDATE_TOKENS, voice.context - pos))
        out = []
        for text in candidates:
            ids = voice._tokens(text, first=False)[:room] or [0]
            out.append(sum(_token_logprobs(voice, logits, ids, cache, pos)) / len(ids))
    return out


def _without_conversation(request: VoiceRequest) -> VoiceRequest:
    """The same persona and case, but nothing said yet: the baseline for calibration."""
    return dataclasses.replace(request, history=(), teacher_text="")


def _blind(request: VoiceRequest) -> VoiceRequest:
    """The prompt without example lines: a candidate shown as an example would win by being copied."""
    return dataclasses.replace(request, style_examples=(), scripted_line="")


def rank_candidates(voice: LocalVoice, request: VoiceRequest, calibrate: bool = True) -> list[tuple[float, str]]:
    """(score, line) for each candidate, best first. Runs in the voice's torch thread."""
    candidates = list(request.candidates) or [request.scripted_line]
    request = _blind(request)

    def work() -> list[float]:
        scores = _mean_logprobs(voice, request, candidates)
        if calibrate:
            base = _mean_logprobs(voice, _without_conversation(request), candidates)
            scores = [s - b for s, b in zip(scores, base, strict=True)]
        return scores

    if voice.model is None:
        voice.load()
    scores = voice._owner.call(work)
    return sorted(zip(scores, candidates, strict=True), key=lambda x: -x[0])


class RankingVoice:
    """A parent voice that speaks curated lines only, chosen by a local model.

    `speaks_curated` tells `fallback.speak` that no guard is needed: every word is content.
    """

    speaks_curated = True

    def __init__(self, voice: LocalVoice, calibrate: bool = False) -> None:
        self.inner = voice
        self.calibrate = calibrate
        self.name = f"{RANKING_PREFIX}{voice.source.label}"

    def choose(self, request: VoiceRequest) -> str:
        if len(request.candidates) < 2:
            return request.scripted_line
        return rank_candidates(self.inner, request, self.calibrate)[0][1]

    def stream(self, request: VoiceRequest, cancel: threading.Event) -> Iterator[str]:
        for piece in _PIECES.findall(self.choose(request)):
            if cancel.is_set():
                return
            yield piece
