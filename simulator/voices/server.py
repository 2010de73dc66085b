"""The server voice: an OpenAI-compatible `/v1/chat/completions` endpoint, streamed over SSE.

This is how an institute serves one large Dutch-capable model (vLLM, llama.cpp
server, Ollama, LM Studio, TGI) to a whole cohort. Only the standard library is
used. The request runs in a reader thread so that Escape stops the stream within
a fraction of a second, whatever the network does; connection failures and 5xx
answers are retried with backoff before the first word, and every failure ends
in a clear Dutch message that the guarded speaker turns into a fallback reason.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from typing import Any

from simulator.settings.config import DEFAULT_API_KEY_ENV
from simulator.voices.base import VoiceRequest
from simulator.voices.factory import VoiceError
from simulator.voices.prompt import ChatPrompt, LineStream, chat_prompt, fit, history_turns, message, stop_strings

RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
POLL = 0.05
"""Seconds between cancel checks while waiting for the server."""


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
        read_timeout: float = 30.0,
        retries: int = 2,
        backoff: float = 0.5,
        max_tokens: int = 150,
        temperature: float = 0.8,
        context_tokens: int = 8192,
    ) -> None:
        self.url = endpoint(url)
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise VoiceError(message("server_down", url=url, why=message("why_bad_url")))
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
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        key = os.environ.get(self.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _connect(self) -> http.client.HTTPConnection:
        parts = urllib.parse.urlsplit(self.url)
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        return cls(parts.hostname or "", parts.port, timeout=self.connect_timeout)

    def _open(self, payload: bytes) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        """One attempt: connect, send, and return the response once its status is OK."""
        conn = self._connect()
        path = urllib.parse.urlsplit(self.url).path or "/"
        try:
            conn.connect()
            assert conn.sock is not None
            conn.sock.settimeout(self.read_timeout)
            conn.request("POST", path, body=payload, headers=self._headers())
            resp = conn.getresponse()
        except (TimeoutError, ConnectionError, OSError, http.client.HTTPException) as exc:
            conn.close()
            raise _Retryable(_why(exc)) from exc
        if resp.status != 200:
            detail = _error_detail(resp)
            conn.close()
            why = f"HTTP {resp.status}{': ' + detail if detail else ''}"
            if resp.status in RETRY_STATUS:
                raise _Retryable(why)
            raise VoiceError(message("server_error", url=self.url, why=why))
        return conn, resp

    def _events(
        self,
        payload: bytes,
        out: queue.Queue[tuple[str, Any]],
        stop: threading.Event,
        conn_box: list[http.client.HTTPConnection],
    ) -> None:
        """Reader thread: retry until the stream opens, then pass each text delta to the queue."""
        last = ""
        for attempt in range(self.retries + 1):
            if stop.is_set():
                return
            try:
                conn, resp = self._open(payload)
                break
            except _Retryable as exc:
                last = str(exc)
                if attempt < self.retries and not stop.wait(self.backoff * (2**attempt)):
                    continue
                out.put(("error", VoiceError(message("server_down", url=self.url, why=last))))
                return
            except VoiceError as exc:
                out.put(("error", exc))
                return
        conn_box.append(conn)
        try:
            for raw in resp:
                if stop.is_set():
                    return
                line = raw.decode("utf-8", "replace").strip()
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                try:
                    event = json.loads(data)
                except json.JSONDecodeError:
                    continue
                if "error" in event:
                    err = event["error"]
                    why = err.get("message", str(err)) if isinstance(err, dict) else str(err)
                    out.put(("error", VoiceError(message("server_error", url=self.url, why=why))))
                    return
                for choice in event.get("choices") or []:
                    text = (choice.get("delta") or {}).get("content") or choice.get("text") or ""
                    if text:
                        out.put(("text", text))
            out.put(("end", None))
        except TimeoutError:
            out.put(("error", VoiceError(message("server_timeout", url=self.url, seconds=_secs(self.read_timeout)))))
        except (OSError, http.client.HTTPException) as exc:
            if not stop.is_set():
                out.put(("error", VoiceError(message("server_error", url=self.url, why=_why(exc)))))
        finally:
            conn.close()

    # --- the Voice protocol ------------------------------------------------------------------

    def deltas(self, request: VoiceRequest, cancel: threading.Event) -> Iterator[str]:
        """Raw text deltas from the server; stops soon after `cancel` is set."""
        payload = json.dumps(self.body(request)).encode("utf-8")
        out: queue.Queue[tuple[str, Any]] = queue.Queue()
        stop = threading.Event()
        conn_box: list[http.client.HTTPConnection] = []
        reader = threading.Thread(target=self._events, args=(payload, out, stop, conn_box), daemon=True)
        reader.start()
        # Generous overall limit: every retry may wait a connect timeout, a read timeout and its backoff.
        waited_limit = (self.retries + 1) * (self.connect_timeout + self.read_timeout) + self.backoff * 2**self.retries
        waited = 0.0
        try:
            while True:
                if cancel.is_set():
                    return
                try:
                    kind, value = out.get(timeout=POLL)
                except queue.Empty:
                    waited += POLL
                    if waited > waited_limit:
                        raise VoiceError(
                            message("server_timeout", url=self.url, seconds=_secs(self.read_timeout))
                        ) from None
                    continue
                waited = 0.0
                if kind == "text":
                    yield value
                elif kind == "error":
                    raise value
                else:
                    return
        finally:
            stop.set()
            for conn in conn_box:  # unblocks a reader waiting on the socket
                conn.close()

    def stream(self, request: VoiceRequest, cancel: threading.Event) -> Iterator[str]:
        line = LineStream(request, stop_strings(request))
        for delta in self.deltas(request, cancel):
            piece = line.feed(delta)
            if piece:
                yield piece
            if line.stopped:
                break
        if not cancel.is_set():
            tail = line.finish()
            if tail:
                yield tail

    def list_models(self) -> list[str]:
        """Model names the server offers (GET /v1/models), for `oudergesprek models --check`."""
        conn = self._connect()
        path = urllib.parse.urlsplit(self.url).path.removesuffix("/chat/completions") + "/models"
        try:
            conn.request("GET", path, headers=self._headers())
            resp = conn.getresponse()
            if resp.status != 200:
                raise VoiceError(message("server_error", url=self.url, why=f"HTTP {resp.status}"))
            data = json.loads(resp.read().decode("utf-8"))
        except (OSError, http.client.HTTPException, json.JSONDecodeError) as exc:
            raise VoiceError(message("server_down", url=self.url, why=_why(exc))) from None
        finally:
            conn.close()
        return [str(m.get("id")) for m in data.get("data", []) if isinstance(m, dict)]


def _secs(value: float) -> str:
    return f"{value:g}"


def _why(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return message("why_refused")
    if isinstance(exc, socket.timeout | TimeoutError):
        return message("why_timeout")
    if isinstance(exc, socket.gaierror):
        return message("why_unknown_host")
    return str(exc) or type(exc).__name__


def _error_detail(resp: http.client.HTTPResponse) -> str:
    """A short reason from an error body, if the server sent one."""
    try:
        raw = resp.read(2000).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        return ""
    try:
        data = json.loads(raw)
        err = data.get("error", data) if isinstance(data, dict) else data
        text = err.get("message", "") if isinstance(err, dict) else str(err)
    except json.JSONDecodeError:
        text = raw
    return " ".join(str(text).split())[:200]
