"""Speak through a voice with a guard and a fallback to the scripted line.

The scripted voice needs no guard; model voices are checked before a line is
accepted, retried once, and replaced by the scripted line for the same intent.
The trainee sees the model's words as they come; when the guard rejects them a
reset piece clears them. The final piece says which voice produced the line and
why a fallback happened, which the transcript keeps per parent turn.

A model whose recent lines mostly failed the guard is not trusted (trust.py): it
writes unseen, the guard still judges, and the scripted line speaks until its
lines pass again. Then a line the guard wrongly lets through cannot reach the
trainee from a model that writes almost nothing usable.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator

from simulator.safe_text import clean, clean_line
from simulator.voices.base import Piece, Voice, VoiceRequest
from simulator.voices.scripted import word_pieces
from simulator.voices.trust import TrackRecord, record_of

SCRIPTED = "scripted"
ATTEMPTS = 2

Check = Callable[[str, VoiceRequest], str | None]


def _scripted_pieces(line: str) -> Iterator[Piece]:
    for piece in word_pieces(line):
        yield Piece(text=piece)


def speak(
    voice: Voice,
    request: VoiceRequest,
    cancel: threading.Event,
    check: Check | None = None,
) -> Iterator[Piece]:
    """Stream a parent line as Pieces; the last Piece is final and names the voice used."""
    if voice.name == SCRIPTED:  # curated words need no guard
        for piece in voice.stream(request, cancel):
            if cancel.is_set():
                yield Piece(final=True, voice=voice.name, cancelled=True)
                return
            yield Piece(text=piece)
        yield Piece(final=True, voice=voice.name, cancelled=cancel.is_set())
        return
    if getattr(voice, "speaks_curated", False):  # a model that chooses among curated lines: no guard either
        yield from _speak_curated(voice, request, cancel)
        return

    if check is None:
        from simulator.voices.guard import check_line

        check = check_line
    reasons: list[str] = []
    # A voice with a turn deadline (the server voice) shares it between the first try and the retry.
    limit = getattr(voice, "turn_deadline", None)
    deadline = time.monotonic() + limit if isinstance(limit, int | float) else None
    record = record_of(voice)
    if not record.trusted:
        yield from _unheard(voice, request, cancel, check, deadline, record)
        return
    for attempt in range(ATTEMPTS):
        if attempt and deadline is not None and time.monotonic() >= deadline:
            break
        attempt_request = request if attempt == 0 else dataclasses.replace(request, seed=request.seed + 7919)
        text = ""
        failure: str | None = None
        try:
            for raw in _stream(voice, attempt_request, cancel, deadline):
                if cancel.is_set():
                    break
                text += raw  # the guard judges what the voice sent, control characters included
                piece = clean(raw)  # the trainee sees it cleaned
                if piece:
                    yield Piece(text=piece)
        except Exception as exc:  # a model or server failure must not end the conversation
            failure = clean_line(str(exc), 300) or type(exc).__name__
        if cancel.is_set():
            yield Piece(final=True, voice=voice.name, cancelled=True)
            return
        if failure is None:
            failure = check(text, request)
            record.add(failure is None)
            if failure is None:
                yield Piece(final=True, voice=voice.name)
                return
            reasons.append(failure)
            if clean(text):
                yield Piece(reset=True)
            continue
        # The voice itself failed (server down, model error): it already retried what it could.
        reasons.append(failure)
        if clean(text):
            yield Piece(reset=True)
        break

    yield from _scripted_pieces(request.scripted_line)
    yield Piece(final=True, voice=SCRIPTED, fallback_reason=clean_line(f"{voice.name}: " + "; ".join(reasons)))


def _stream(voice: Voice, request: VoiceRequest, cancel: threading.Event, deadline: float | None) -> Iterator[str]:
    """The voice's pieces; a voice with a turn deadline gets it passed on."""
    return voice.stream(request, cancel, deadline) if deadline is not None else voice.stream(request, cancel)


def _unheard(
    voice: Voice,
    request: VoiceRequest,
    cancel: threading.Event,
    check: Check,
    deadline: float | None,
    record: TrackRecord,
) -> Iterator[Piece]:
    """A model that is not trusted writes and is judged unseen; the scripted line speaks.

    Its record can recover this way: once enough of its lines pass again, it speaks again.
    """
    verdict: str | None = None
    try:
        text = ""
        for raw in _stream(voice, request, cancel, deadline):
            if cancel.is_set():
                break
            text += raw
        if not cancel.is_set():
            verdict = check(text, request)
            record.add(verdict is None)
    except Exception as exc:  # a model or server failure must not end the conversation
        verdict = clean_line(str(exc), 300) or type(exc).__name__
    if cancel.is_set():
        yield Piece(final=True, voice=voice.name, cancelled=True)
        return
    yield from _scripted_pieces(request.scripted_line)
    reason = record.reason() + (f"; {verdict}" if verdict else "")
    yield Piece(final=True, voice=SCRIPTED, fallback_reason=clean_line(f"{voice.name}: {reason}"))


def _speak_curated(voice: Voice, request: VoiceRequest, cancel: threading.Event) -> Iterator[Piece]:
    """A ranking voice speaks curated lines; when its model fails, the engine's own line speaks."""
    shown = False
    try:
        for piece in voice.stream(request, cancel):
            if cancel.is_set():
                yield Piece(final=True, voice=voice.name, cancelled=True)
                return
            shown = True
            yield Piece(text=piece)
    except Exception as exc:  # a model failure must not end the conversation
        failure = clean_line(str(exc), 300) or type(exc).__name__
        if shown:
            yield Piece(reset=True)
        yield from _scripted_pieces(request.scripted_line)
        yield Piece(final=True, voice=SCRIPTED, fallback_reason=clean_line(f"{voice.name}: {failure}"))
        return
    yield Piece(final=True, voice=voice.name, cancelled=cancel.is_set())
