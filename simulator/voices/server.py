"""The server voice: an OpenAI-compatible `/v1/chat/completions` endpoint, streamed over SSE.

This is how an institute serves one large Dutch-capable model (vLLM, llama.cpp
server, Ollama, LM Studio, TGI) to a whole cohort.

Why httpx + httpx-sse and not the `openai` SDK: the SDK parses every event
itself and raises on the first one that is not a JSON object, and it offers no
hook to cap the bytes read or to end a stream that trickles forever; its
retries and timeouts are per request, not per turn. With httpx we wrap the
transport (`CappedTransport` in server_http.py), so every response, the stream and the
`models --check` listing alike, stops at `max_bytes` and at the turn's deadline
however the server sends it; httpx-sse does the SSE framing, and each event is
read defensively here. Both are small, typed, and already what textual's
ecosystem installs; fake servers in the tests are plain `http.server` handlers.

The request runs in a reader thread so that Escape stops the stream within a
fraction of a second, whatever the network does. Connection failures and 5xx
answers are retried with backoff before the first word. Every failure ends in
a Dutch message (from `prompt_nl.yaml`) that says what happened; the guarded
speaker turns it into the fallback reason. Text from the server passes through
`simulator.safe_text` before anyone sees it.
"""

from __future__ import annotations

import json
import os
import queue
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
from httpx_sse import EventSource, SSEError

from simulator.safe_text import clean_line
from simulator.settings.config import DEFAULT_API_KEY_ENV
from simulator.voices.base import VoiceError, VoiceRequest
from simulator.voices.prompt import ChatPrompt, LineStream, chat_prompt, fit, history_turns, message, stop_strings
from simulator.voices.server_http import CappedTransport, PastDeadline, TooLarge, delta_text, error_detail, event_error

RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
POLL = 0.05
"""Seconds between cancel checks while waiting for the server."""
TURN_DEADLINE = 20.0
"""Seconds from request to a finished line, all retries included."""
MAX_BYTES = 512 * 1024
"""Most bytes read from one response: 150 tokens of SSE from any server stay far below it."""


def endpoint(url: str) -> str:
    """Accept a base URL, a `/v1` URL or the full chat-completions URL."""
    url = url.strip().rstrip("/")
    if url.endswith("/chat/completions"):
        return url
    if url.endswith("/v1"):
        return url + "/chat/completions"
    return url + "/v1/chat/completions"


def approx_tokens(prompt: ChatPrompt) -> int:
    """Without the server's tokenizer: about three characters per token for Dutch, plus message overhead."""
    return sum(len(m["content"]) // 3 + 6 for m in prompt.messages)


class _Retryable(Exception):
    """A failure worth another try (connection refused, timeout, 5xx before any text)."""


class ServerVoice:
    """Streams parent lines from an OpenAI-compatible chat server."""

    def __init__(
        self,
        url: str,
        model: str | None = None,
        *,
        api_key_env: str = DEFAULT_API_KEY_ENV,
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
        retries: int = 2,
        backoff: float = 0.5,
        max_tokens: int = 150,
        temperature: float = 0.8,
        context_tokens: int = 8192,
        turn_deadline: float = TURN_DEADLINE,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.url = endpoint(url)
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise VoiceError(message("server_down", url=clean_line(url, 200), why=message("why_bad_url")))
        self.model = model
        self.name = f"server:{model or parts.hostname}"
        self.api_key_env = api_key_env
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.retries = retries
        self.backoff = backoff
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.context_tokens = context_tokens
        self.turn_deadline = turn_deadline
        self.max_bytes = max_bytes

    # --- the request -------------------------------------------------------------------------

    def body(self, request: VoiceRequest) -> dict[str, Any]:
        """The JSON body: the prompt trimmed to the server's context, streaming on."""
        budget = self.context_tokens - self.max_tokens - 64
        prompt: ChatPrompt = fit(lambda drop: chat_prompt(request, drop), approx_tokens, budget, history_turns(request))
        body: dict[str, Any] = {
            "messages": list(prompt.messages),
            "stream": True,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "stop": list(stop_strings(request))[:4],
            "seed": request.seed,
        }
        if self.model:
            body["model"] = self.model
        return body

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream", "Cache-Control": "no-store"}
        key = os.environ.get(self.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def client(self, deadline: float) -> httpx.Client:
        """An httpx client whose responses stop at the byte cap and at `deadline` (monotonic seconds).

        Proxy variables from the environment are ignored, as before: the server is on the institute's network.
        """
        return httpx.Client(transport=CappedTransport(self.max_bytes, deadline), trust_env=False)

    def _timeout(self, deadline: float) -> httpx.Timeout:
        left = max(0.01, deadline - time.monotonic())
        read = min(self.read_timeout, left)
        return httpx.Timeout(connect=min(self.connect_timeout, left), read=read, write=read, pool=read)

    def _fail(self, key: str, **values: object) -> VoiceError:
        return VoiceError(message(key, url=self.url, **values))

    def _attempt(
        self,
        client: httpx.Client,
        payload: bytes,
        deadline: float,
        out: queue.Queue[tuple[str, Any]],
        stop: threading.Event,
        box: list[httpx.Response],
    ) -> None:
        """One request: raise `_Retryable` before any text, else stream deltas to `out` and end it."""
        timeout = self._timeout(deadline)
        opened = len(box)
        try:
            with client.stream("POST", self.url, content=payload, headers=self._headers(), timeout=timeout) as resp:
                box.append(resp)
                if resp.status_code != 200:
                    why = f"HTTP {resp.status_code}"
                    detail = error_detail(resp)
                    why += f": {detail}" if detail else ""
                    if resp.status_code in RETRY_STATUS:
                        raise _Retryable(why)
                    raise self._fail("server_error", why=why)
                self._read_events(EventSource(resp), out, stop)
        except httpx.TimeoutException as exc:
            if isinstance(exc, httpx.ReadTimeout) and len(box) > opened:
                raise self._fail("server_timeout", seconds=_secs(timeout.read or 0)) from None
            raise _Retryable(_why(exc)) from exc
        except httpx.TransportError as exc:
            if len(box) > opened and box[-1].status_code == 200:  # broken off mid-stream: no retry, the text was shown
                raise self._fail("server_error", why=_why(exc)) from None
            raise _Retryable(_why(exc)) from exc

    def _read_events(self, source: EventSource, out: queue.Queue[tuple[str, Any]], stop: threading.Event) -> None:
        bad = texts = 0
        try:
            for sse in source.iter_sse():
                if stop.is_set():
                    return
                data = sse.data.strip()
                if not data or data == "[DONE]":
                    if data:
                        break
                    continue
                error = event_error(data)
                if error is not None:
                    raise self._fail("server_error", why=error)
                text = delta_text(data)
                if text is None:
                    bad += 1
                elif text:
                    texts += 1
                    out.put(("text", text))  # raw: the guard rejects control characters, the display cleans
        except SSEError:
            kind = clean_line(source.response.headers.get("content-type", "?"), 60)
            raise self._fail("server_not_stream", kind=kind) from None
        if bad and not texts:
            raise self._fail("server_bad_events", count=bad)
        out.put(("end", None))

    def _events(
        self,
        payload: bytes,
        deadline: float,
        out: queue.Queue[tuple[str, Any]],
        stop: threading.Event,
        box: list[httpx.Response],
    ) -> None:
        """Reader thread: retry until the stream opens, then pass each text delta to the queue."""
        start = time.monotonic()
        last = ""
        with self.client(deadline) as client:
            for attempt in range(self.retries + 1):
                if stop.is_set():
                    return
                try:
                    self._attempt(client, payload, deadline, out, stop, box)
                    return
                except _Retryable as exc:
                    last = str(exc)
                    wait = self.backoff * (2**attempt)
                    if attempt < self.retries and time.monotonic() + wait < deadline and not stop.wait(wait):
                        continue
                    out.put(("error", self._fail("server_down", why=last)))
                    return
                except TooLarge:
                    out.put(("error", self._fail("server_too_much", kib=self.max_bytes // 1024)))
                    return
                except PastDeadline:
                    out.put(("error", self._fail("server_deadline", seconds=_secs(time.monotonic() - start))))
                    return
                except VoiceError as exc:
                    out.put(("error", exc))
                    return
                except Exception as exc:  # anything else from a hostile server must end the turn, not the thread
                    if not stop.is_set():
                        out.put(("error", self._fail("server_error", why=clean_line(_why(exc), 200))))
                    return

    # --- the Voice protocol ------------------------------------------------------------------

    def deltas(self, request: VoiceRequest, cancel: threading.Event, deadline: float | None = None) -> Iterator[str]:
        """Raw text deltas from the server; stops soon after `cancel` is set or the deadline passes."""
        start = time.monotonic()
        deadline = start + self.turn_deadline if deadline is None else deadline
        payload = json.dumps(self.body(request)).encode("utf-8")
        out: queue.Queue[tuple[str, Any]] = queue.Queue()
        stop = threading.Event()
        box: list[httpx.Response] = []
        reader = threading.Thread(target=self._events, args=(payload, deadline, out, stop, box), daemon=True)
        reader.start()
        try:
            while True:
                if cancel.is_set():
                    return
                try:
                    kind, value = out.get(timeout=POLL)
                except queue.Empty:
                    if time.monotonic() > deadline:
                        raise self._fail("server_deadline", seconds=_secs(time.monotonic() - start)) from None
                    continue
                if kind == "text":
                    yield value
                elif kind == "error":
                    raise value
                else:
                    return
        finally:
            stop.set()
            for resp in box:  # unblocks a reader waiting on the socket
                resp.close()

    def stream(self, request: VoiceRequest, cancel: threading.Event, deadline: float | None = None) -> Iterator[str]:
        """The parent's line in pieces; `deadline` (monotonic seconds) is the turn's, shared by the guard's retry."""
        start = time.monotonic()
        deadline = start + self.turn_deadline if deadline is None else deadline
        line = LineStream(request, stop_strings(request))
        for delta in self.deltas(request, cancel, deadline):
            piece = line.feed(delta)
            if piece:
                yield piece
            if line.stopped:
                break
            if time.monotonic() > deadline:
                raise self._fail("server_deadline", seconds=_secs(time.monotonic() - start))
        if not cancel.is_set():
            tail = line.finish()
            if tail:
                yield tail

    def list_models(self) -> list[str]:
        """Model names the server offers (GET /v1/models), for `oudergesprek models --check`: same client, same cap."""
        deadline = time.monotonic() + self.connect_timeout + self.read_timeout
        url = self.url.removesuffix("/chat/completions") + "/models"
        try:
            with self.client(deadline) as client:
                resp = client.get(url, headers=self._headers(), timeout=self._timeout(deadline))
        except TooLarge:
            raise self._fail("server_too_much", kib=self.max_bytes // 1024) from None
        except PastDeadline:
            raise self._fail("server_timeout", seconds=_secs(self.connect_timeout + self.read_timeout)) from None
        except httpx.HTTPError as exc:
            raise self._fail("server_down", why=_why(exc)) from None
        if resp.status_code != 200:
            raise self._fail("server_error", why=f"HTTP {resp.status_code}")
        try:
            data = resp.json()
        except ValueError:
            raise self._fail("server_error", why=message("why_not_json")) from None
        items = data.get("data") if isinstance(data, dict) else None
        if not isinstance(items, list):
            return []
        return [clean_line(str(m.get("id")), 200) for m in items if isinstance(m, dict) and m.get("id") is not None]


def _secs(value: float) -> str:
    return f"{round(value, 1):g}"


def _why(exc: BaseException) -> str:
    """A short Dutch reason for a network failure, looking through httpx's wrapped exceptions."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return message("why_refused")
        if isinstance(seen, socket.gaierror):
            return message("why_unknown_host")
        if isinstance(seen, socket.timeout | TimeoutError | httpx.TimeoutException):
            return message("why_timeout")
        seen = seen.__cause__ or seen.__context__
    text = str(exc)
    if "refused" in text.lower():
        return message("why_refused")
    return clean_line(text, 200) or type(exc).__name__
