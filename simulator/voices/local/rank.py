"""The model chooses, the curated lines speak: rank the engine's candidate lines by likelihood.

A model too small to write Dutch (Gemma 3 270M) can still tell which of a few
well-written lines fits the conversation better. Each candidate is scored by
its mean token log-probability after the voice's own prompt; with `calibrate`,
the same line's log-probability after the prompt without the conversation is
subtracted (pointwise mutual information with the conversation).

Measured on 229 blind routing probes rated 0/1/2 by blind raters (models/README.md,
`bench/rank_lines.py`): the plain log-probability picked better lines (mean 1.29)
than the calibrated one (1.24), the embedder (1.24) and the engine's own choice
(1.20), so the voice ranks uncalibrated by default, which also halves its time.

The candidates share one prefilled prompt. The lean Gemma cache writes where it
is told, so each candidate simply overwrites the last one's positions;
transformers' static cache writes at its own running length, so there each
candidate is scored on its own copy of the cache.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from simulator.records.voice_use import RANKING_PREFIX
from simulator.voices.base import VoiceRequest
from simulator.voices.local.voice import LocalVoice
from simulator.voices.scripted import word_pieces

UNKNOWN_LOGPROB = -20.0
"""A candidate token outside the trimmed output vocabulary counts as this unlikely."""
MAX_CANDIDATE_TOKENS = 80


def _token_logprobs(voice: LocalVoice, first_logits: Any, ids: Sequence[int], cache: Any, pos: int) -> list[float]:
    """Log-probability of each token of `ids` after the prompt held in `cache` up to `pos`."""
    import torch

    logits = [first_logits]
    if len(ids) > 1:
        logits += list(voice.model.forward(ids[:-1], cache, pos, every=True))
    scores = []
    for token, row in zip(ids, logits, strict=True):
        logp = torch.log_softmax(row, dim=-1)
        index = int(voice.full_to_kept[token]) if voice.full_to_kept is not None else token
        scores.append(float(logp[index]) if index >= 0 else UNKNOWN_LOGPROB)
    return scores


def _shared_lead(candidates: Sequence[str]) -> str:
    """The words every candidate starts with (the engine's lead sentence), up to a space."""
    if len(candidates) < 2:
        return ""
    common = os.path.commonprefix(list(candidates))  # noqa: RUF071  # character-wise is what is meant
    return common[: common.rfind(" ") + 1] if " " in common else ""


def _mean_logprobs(
    voice: LocalVoice, request: VoiceRequest, candidates: Sequence[str], stop: Callable[[], bool]
) -> list[float]:
    """Mean log-probability of each candidate's own words, each scored right after the prompt.

    The shared lead sentence is scored but not averaged in, so it favours no length.
    """
    import torch

    head, tail, _ = voice.prompt_ids(request)
    lead = _shared_lead(candidates)
    with voice._lock, torch.inference_mode():
        logits, cache, pos = voice._start(head, tail, stop)
        room = max(1, min(MAX_CANDIDATE_TOKENS, voice.context - pos))
        skip = len(voice._tokens(lead.rstrip(), first=False)) if lead else 0
        out = []
        for text in candidates:
            if stop() or logits is None:
                out.append(float("-inf"))
                continue
            ids = voice._tokens(text, first=False)[:room] or [0]
            own_cache = cache if voice.model.positional_cache else copy.deepcopy(cache)
            scores = _token_logprobs(voice, logits, ids, own_cache, pos)
            own = scores[skip:] if 0 < skip < len(scores) else scores
            out.append(sum(own) / len(own))
    return out


def _without_conversation(request: VoiceRequest) -> VoiceRequest:
    """The same persona and case, but nothing said yet: the baseline for calibration."""
    return dataclasses.replace(request, history=(), teacher_text="")


def _blind(request: VoiceRequest) -> VoiceRequest:
    """The prompt without example lines: a candidate shown as an example would win by being copied."""
    return dataclasses.replace(request, style_examples=(), scripted_line="")


def rank_candidates(
    voice: LocalVoice, request: VoiceRequest, calibrate: bool = True, stop: Callable[[], bool] = lambda: False
) -> list[tuple[float, str]]:
    """(score, line) for each candidate, best first. Runs in the voice's torch thread; `stop` cuts it short."""
    candidates = list(request.candidates) or [request.scripted_line]
    request = _blind(request)

    def work() -> list[float]:
        scores = _mean_logprobs(voice, request, candidates, stop)
        if calibrate:
            base = _mean_logprobs(voice, _without_conversation(request), candidates, stop)
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

    def choose(self, request: VoiceRequest, cancel: threading.Event | None = None) -> str:
        if len(request.candidates) < 2:
            return request.scripted_line
        stop = cancel.is_set if cancel is not None else (lambda: False)
        return rank_candidates(self.inner, request, self.calibrate, stop)[0][1]

    def stream(self, request: VoiceRequest, cancel: threading.Event) -> Iterator[str]:
        line = self.choose(request, cancel)
        for piece in word_pieces(line):
            if cancel.is_set():
                return
            yield piece
