"""Make a voice from the user's choice: scripted, a local model, or an inference server.

Every heavy import (torch, transformers) happens inside the local voice, so the
app and `oudergesprek --help` start fast and work without the 'lm' extra.
"""

from __future__ import annotations

from collections.abc import Callable

from simulator.voices.base import Voice

Progress = Callable[[str, float], None]


class VoiceError(RuntimeError):
    """A voice cannot be made or cannot speak; the message is Dutch and meant for the trainee."""


def make_voice(
    kind: str,
    *,
    model: str | None = None,
    url: str | None = None,
    threads: int | None = None,
    progress: Progress | None = None,
) -> Voice:
    """Build (and for a local model: load) the voice; call it from a worker, it may take seconds."""
    from simulator.voices.prompt import message

    if kind == "scripted":
        from simulator.voices.scripted import ScriptedVoice

        return ScriptedVoice()
    if kind == "local":
        if not model:
            raise VoiceError(message("no_model"))
        from simulator.voices.local import LocalVoice

        return LocalVoice(model, threads=threads, progress=progress)
    if kind == "server":
        if not url:
            raise VoiceError(message("server_no_url"))
        from simulator.settings.config import load_config
        from simulator.voices.server import ServerVoice

        return ServerVoice(url, model, api_key_env=load_config().api_key_env)
    raise VoiceError(message("unknown_voice", kind=kind))
