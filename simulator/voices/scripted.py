"""The scripted voice: the curated line the engine chose, streamed word by word.

It needs no model, works everywhere and is the fallback of every other voice.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

from simulator.voices.base import VoiceRequest

_PIECES = re.compile(r"\S+\s*")


def word_pieces(text: str) -> list[str]:
    """A curated line as the pieces a voice streams: each word with the space after it."""
    return _PIECES.findall(text)


class ScriptedVoice:
    name = "scripted"

    def __init__(self, delay: float = 0.0) -> None:
        """`delay` seconds between words gives the UI a natural typing rhythm; 0 for play and tests."""
        self.delay = delay

    def stream(self, request: VoiceRequest, cancel: threading.Event) -> Iterator[str]:
        for piece in word_pieces(request.scripted_line):
            if cancel.is_set():
                return
            if self.delay:
                cancel.wait(self.delay)
            yield piece
