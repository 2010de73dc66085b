"""Speak through a voice with a guard and a fallback to the scripted line.

The scripted voice needs no guard; model voices are checked before a line is
accepted, retried once, and replaced by the scripted line for the same intent.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from simulator.voices.base import Piece, Voice, VoiceRequest


def speak(voice: Voice, request: VoiceRequest, cancel: threading.Event) -> Iterator[Piece]:
    """Stream a parent line as Pieces; the last Piece is final and names the voice used."""
    for piece in voice.stream(request, cancel):
        if cancel.is_set():
            yield Piece(final=True, voice=voice.name, cancelled=True)
            return
        yield Piece(text=piece)
    yield Piece(final=True, voice=voice.name, cancelled=cancel.is_set())
