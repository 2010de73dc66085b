"""HTTP plumbing for the server voice: a response body capped in bytes and time, and tolerant event reading.

Kept apart from `server.py` (the voice and its retries) so each stays one job. Every response the
server voice reads, the SSE stream, an error body and the `models --check` listing, passes through
`CappedTransport`, so no server can make a turn read without limit or wait past its deadline.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx

from simulator.safe_text import clean_line

ERROR_BODY = 2000
"""Most bytes of an error body read for the reason."""


class TooLarge(Exception):
    """The response passed the byte cap."""


class PastDeadline(Exception):
    """The turn's deadline passed while the response was still coming in."""


class CappedStream(httpx.SyncByteStream):
    """A response body that stops at a byte cap and at a deadline, whatever the framing."""

    def __init__(self, inner: httpx.SyncByteStream, max_bytes: int, deadline: float) -> None:
        self.inner, self.max_bytes, self.deadline = inner, max_bytes, deadline

    def __iter__(self) -> Iterator[bytes]:
        seen = 0
        for chunk in self.inner:
            seen += len(chunk)
            if seen > self.max_bytes:
                raise TooLarge
            if time.monotonic() > self.deadline:
                raise PastDeadline
            yield chunk

    def close(self) -> None:
        self.inner.close()


class CappedTransport(httpx.BaseTransport):
    """Plain HTTP(S), with every response body wrapped in `_CappedStream`."""

    def __init__(self, max_bytes: int, deadline: float) -> None:
        self.inner = httpx.HTTPTransport(retries=0)
        self.max_bytes, self.deadline = max_bytes, deadline

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        assert isinstance(response.stream, httpx.SyncByteStream)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=CappedStream(response.stream, self.max_bytes, self.deadline),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self.inner.close()


def delta_text(data: str) -> str | None:
    """The text of one SSE data field, '' for an event without text, None when it is malformed.

    Any JSON shape is tolerated: `42`, `"choices": ["x"]`, a delta that is a list.
    """
    try:
        event = json.loads(data)
    except ValueError:
        return None
    if not isinstance(event, dict):
        return None
    choices = event.get("choices")
    if choices is None:
        return ""
    if not isinstance(choices, list):
        return None
    text = ""
    for choice in choices:
        if not isinstance(choice, dict):
            return None
        delta = choice.get("delta")
        piece = delta.get("content") if isinstance(delta, dict) else None
        if piece is None:
            piece = choice.get("text")
        if piece is not None and not isinstance(piece, str):
            return None
        text += piece or ""
    return text


def event_error(data: str) -> str | None:
    """The server's own error message inside the stream (`{"error": ...}`), cleaned; None if there is none."""
    try:
        event = json.loads(data)
    except ValueError:
        return None
    if not isinstance(event, dict) or "error" not in event:
        return None
    err = event["error"]
    why = err.get("message", err) if isinstance(err, dict) else err
    return clean_line(str(why), 200) or "?"


def error_detail(resp: httpx.Response) -> str:
    """A short, cleaned reason from an error body, if the server sent one; at most ERROR_BODY bytes are read."""
    raw = b""
    try:
        for chunk in resp.iter_bytes():
            raw += chunk
            if len(raw) >= ERROR_BODY:
                break
    except (httpx.HTTPError, TooLarge, PastDeadline):
        pass
    text = raw[:ERROR_BODY].decode("utf-8", "replace")
    try:
        data = json.loads(text)
        err = data.get("error", data) if isinstance(data, dict) else data
        text = str(err.get("message", "") if isinstance(err, dict) else err)
    except ValueError:
        pass
    return clean_line(text, 200)
