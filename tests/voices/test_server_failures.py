"""Hostile and broken servers on 127.0.0.1: every turn ends within its deadline, with a reason that says why.

Each fake is what the reliability audit met: a trickle of one token every few
hundred milliseconds, an endless stream, an endless line, garbage events, a
server that accepts and never answers, an error body with terminal escapes.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from simulator.voices.base import VoiceError
from simulator.voices.fallback import speak
from simulator.voices.guard import check_form
from simulator.voices.server import ServerVoice, delta_text

LINE = "Nou, ik vind het gewoon raar. Ze haalt goede cijfers en dan krijgt ze dit advies?"
Mode = Callable[[BaseHTTPRequestHandler], None]


def _sse_head(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/event-stream")
    h.end_headers()


def _event(h: BaseHTTPRequestHandler, data: object) -> None:
    raw = data if isinstance(data, str) else json.dumps(data)
    h.wfile.write(f"data: {raw}\n\n".encode())
    h.wfile.flush()


def _words(h: BaseHTTPRequestHandler, pause: float = 0.0) -> None:
    for i, word in enumerate(LINE.split(" ")):
        _event(h, {"choices": [{"delta": {"content": word if i == 0 else " " + word}}]})
        time.sleep(pause)
    h.wfile.write(b"data: [DONE]\n\n")


def ok(h: BaseHTTPRequestHandler) -> None:
    _sse_head(h)
    _words(h)


def trickle(h: BaseHTTPRequestHandler) -> None:
    _sse_head(h)
    for _ in range(200):
        _event(h, {"choices": [{"delta": {"content": " nou"}}]})
        time.sleep(0.3)


def endless_stream(h: BaseHTTPRequestHandler) -> None:
    _sse_head(h)
    for _ in range(10**6):
        _event(h, {"choices": [{"delta": {"content": "ja "}}]})


def endless_line(h: BaseHTTPRequestHandler) -> None:
    _sse_head(h)
    h.wfile.write(b'data: {"choices": [{"delta": {"content": "')
    for _ in range(10**5):
        h.wfile.write(b"x" * 4096)


def garbage_then_text(h: BaseHTTPRequestHandler) -> None:
    _sse_head(h)
    for junk in (
        "42",
        '{"choices": ["x"]}',
        "niet eens json",
        '{"choices": [{"delta": ["lijst"]}]}',
        "null",
        '{"choices": [{"delta": {"content": 7}}]}',
        '{"choices": "nee"}',
        "[1, 2]",
    ):
        _event(h, junk)
    _words(h)


def only_garbage(h: BaseHTTPRequestHandler) -> None:
    _sse_head(h)
    for junk in ("42", '{"choices": ["x"]}', "{kapot"):
        _event(h, junk)
    h.wfile.write(b"data: [DONE]\n\n")


def escape_error(h: BaseHTTPRequestHandler) -> None:
    body = json.dumps({"error": {"message": "\x1b]0;pwned\x07\x1b[2Jmodel \x1b[31moverbelast\x1b[0m"}}).encode()
    h.send_response(400)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def escape_text(h: BaseHTTPRequestHandler) -> None:
    _sse_head(h)
    _event(h, {"choices": [{"delta": {"content": "Nou \x1b[8mik ben een AI\x1b[0m, ik snap het niet."}}]})
    h.wfile.write(b"data: [DONE]\n\n")


def server_500(h: BaseHTTPRequestHandler) -> None:
    body = b'{"error": {"message": "model is loading"}}'
    h.send_response(500)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def not_a_stream(h: BaseHTTPRequestHandler) -> None:
    body = b"<html>login</html>"
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


class Fake:
    """POST answers follow `plan` (the last mode repeats); GET /v1/models answers with `models_body`."""

    def __init__(self) -> None:
        self.plan: list[Mode] = [ok]
        self.posts = 0
        self.models_body = b'{"data": [{"id": "geitje-7b"}]}'
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(fake.models_body)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                mode = fake.plan[min(fake.posts, len(fake.plan) - 1)]
                fake.posts += 1
                with contextlib.suppress(OSError):  # the client hung up, as it should
                    mode(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Silent:
    """Accepts connections and never says a word."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.conns.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        for c in self.conns:
            c.close()
        self.sock.close()


@pytest.fixture
def fake() -> Iterator[Fake]:
    server = Fake()
    yield server
    server.close()


def _voice(url: str, **kw: object) -> ServerVoice:
    opts: dict[str, object] = {"turn_deadline": 2.0, "read_timeout": 1.0, "retries": 1, "backoff": 0.05}
    opts.update(kw)
    return ServerVoice(url, "geitje-7b", **opts)  # type: ignore[arg-type]


def _spoken(voice: ServerVoice, request) -> tuple[str, object, float]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    text, final = "", None
    for piece in speak(voice, request, threading.Event(), check=check_form):  # transport, not meaning
        text = "" if piece.reset else text
        text += piece.text
        final = piece
    return text.strip(), final, time.perf_counter() - start


def _falls_back(voice: ServerVoice, request, within: float) -> str:  # type: ignore[no-untyped-def]
    text, final, took = _spoken(voice, request)
    assert text == request.scripted_line
    assert final.voice == "scripted" and final.fallback_reason  # type: ignore[attr-defined]
    assert took < within, f"took {took:.1f} s"
    return final.fallback_reason  # type: ignore[attr-defined]


def test_a_trickle_of_tokens_ends_at_the_turn_deadline(fake: Fake, request_obj) -> None:
    fake.plan = [trickle]
    reason = _falls_back(_voice(fake.url), request_obj, within=3.5)
    assert "nog geen volledige zin" in reason


def test_an_endless_stream_stops_at_the_byte_cap_or_deadline(fake: Fake, request_obj) -> None:
    fake.plan = [endless_stream]
    reason = _falls_back(_voice(fake.url, max_bytes=64 * 1024), request_obj, within=3.5)
    assert "meer dan 64 KB" in reason or "nog geen volledige zin" in reason


def test_an_endless_line_is_not_buffered_without_limit(fake: Fake, request_obj) -> None:
    fake.plan = [endless_line]
    reason = _falls_back(_voice(fake.url, max_bytes=256 * 1024, turn_deadline=5.0), request_obj, within=6)
    assert "meer dan 256 KB" in reason


def test_malformed_events_are_skipped_and_the_text_kept(fake: Fake, request_obj) -> None:
    fake.plan = [garbage_then_text]
    text, final, _took = _spoken(_voice(fake.url), request_obj)
    assert text == LINE and final.voice == "server:geitje-7b"  # type: ignore[attr-defined]


def test_only_malformed_events_give_a_reason_that_says_so(fake: Fake, request_obj) -> None:
    fake.plan = [only_garbage]
    reason = _falls_back(_voice(fake.url), request_obj, within=3)
    assert "3 onleesbare berichten" in reason


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("42", None),
        ('{"choices": ["x"]}', None),
        ("nee", None),
        ('"x"', None),
        ('{"choices": null}', ""),
        ('{"choices": [{"delta": {"content": "ja"}}]}', "ja"),
        ('{"choices": [{"text": "ja"}]}', "ja"),
        ('{"choices": [{"delta": {}}]}', ""),
        ('{"choices": [{"delta": {"content": ["x"]}}]}', None),
    ],
)
def test_delta_text_tolerates_any_shape(data: str, text: str | None) -> None:
    assert delta_text(data) == text


def test_a_server_that_accepts_and_never_answers_costs_at_most_the_deadline(request_obj) -> None:
    silent = Silent()
    try:
        voice = _voice(silent.url, turn_deadline=1.5, read_timeout=30.0, retries=3)
        reason = _falls_back(voice, request_obj, within=2.5)
    finally:
        silent.close()
    assert "nog geen volledige zin" in reason or "geen antwoord binnen de tijd" in reason


def test_a_500_then_ok_is_retried_and_spoken(fake: Fake, request_obj) -> None:
    fake.plan = [server_500, ok]
    text, _final, _took = _spoken(_voice(fake.url), request_obj)
    assert text == LINE and fake.posts == 2


def test_an_error_body_with_escape_sequences_is_cleaned(fake: Fake, request_obj) -> None:
    fake.plan = [escape_error]
    reason = _falls_back(_voice(fake.url), request_obj, within=3)
    assert "HTTP 400" in reason and "model overbelast" in reason
    assert "\x1b" not in reason and "pwned" not in reason and "\x07" not in reason


def test_escape_sequences_in_model_text_are_never_shown_and_the_line_is_rejected(fake: Fake, request_obj) -> None:
    fake.plan = [escape_text]
    shown: list[str] = []
    final = None
    for piece in speak(_voice(fake.url), request_obj, threading.Event()):
        shown.append(piece.text)
        final = piece
    assert not any("\x1b" in s for s in shown)
    assert final.voice == "scripted"  # type: ignore[union-attr]


def test_a_page_that_is_not_a_stream_says_what_came_back(fake: Fake, request_obj) -> None:
    fake.plan = [not_a_stream]
    reason = _falls_back(_voice(fake.url), request_obj, within=3)
    assert "geen stream" in reason and "text/html" in reason


def test_models_check_reads_at_most_the_byte_cap(fake: Fake) -> None:
    fake.models_body = b'{"data": [' + b'{"id": "x"},' * 200_000 + b'{"id": "y"}]}'
    with pytest.raises(VoiceError, match="meer dan 64 KB"):
        _voice(fake.url, max_bytes=64 * 1024).list_models()


def test_models_check_tolerates_garbage_and_cleans_names(fake: Fake) -> None:
    fake.models_body = b'{"data": [42, {"id": "geitje\\u001b[2J-7b"}, "x"]}'
    assert _voice(fake.url).list_models() == ["geitje-7b"]
    fake.models_body = b"niet json"
    with pytest.raises(VoiceError, match="geen JSON"):
        _voice(fake.url).list_models()
    fake.models_body = b"[1, 2]"
    assert _voice(fake.url).list_models() == []


def test_no_http_client_left() -> None:
    import inspect

    import simulator.voices.server as server

    assert "http.client" not in inspect.getsource(server)
