"""The server voice against a fake OpenAI-compatible server on 127.0.0.1: streaming, errors, timeouts."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from simulator.voices.base import VoiceError
from simulator.voices.fallback import speak
from simulator.voices.guard import check_form
from simulator.voices.registry import build_voice as make_voice
from simulator.voices.server import ServerVoice, endpoint

LINE = "Nou, ik vind het gewoon raar. Ze haalt goede cijfers en dan krijgt ze dit advies?"


class FakeServer:
    """A chat-completions endpoint whose behaviour per request is scripted by the test."""

    def __init__(self) -> None:
        self.plan: list[str] = []  # "ok", "500", "slow", "hang", "error-event"
        self.requests: list[dict] = []  # type: ignore[type-arg]
        self.headers: list[dict[str, str]] = []
        self.text = LINE
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                body = json.dumps({"data": [{"id": "geitje-7b"}, {"id": "qwen2.5-7b-instruct"}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                server.requests.append(json.loads(self.rfile.read(length)))
                server.headers.append(dict(self.headers))
                mode = server.plan.pop(0) if server.plan else "ok"
                if mode == "500":
                    body = json.dumps({"error": {"message": "model is loading"}}).encode()
                    self.send_response(500)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                if mode == "hang":
                    time.sleep(3)
                    return
                if mode == "error-event":
                    self._event({"error": {"message": "out of memory"}})
                    return
                words = server.text.split(" ")
                for i, word in enumerate(words):
                    piece = word if i == 0 else " " + word
                    self._event({"choices": [{"index": 0, "delta": {"content": piece}}]})
                    if mode == "slow":
                        time.sleep(0.1)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _event(self, data: dict) -> None:  # type: ignore[type-arg]
                self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())
                self.wfile.flush()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    server = FakeServer()
    yield server
    server.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spoken(voice: ServerVoice, request) -> tuple[str, object]:  # type: ignore[no-untyped-def]
    text, final = "", None
    for piece in speak(voice, request, threading.Event(), check=check_form):  # transport, not meaning
        text = "" if piece.reset else text
        text += piece.text
        final = piece
    return text.strip(), final


def test_endpoint_accepts_base_v1_and_full_urls() -> None:
    full = "http://gpu.school.nl:8000/v1/chat/completions"
    assert endpoint("http://gpu.school.nl:8000") == full
    assert endpoint("http://gpu.school.nl:8000/v1/") == full
    assert endpoint(full) == full


def test_streams_a_parent_line_with_model_key_and_prompt(fake: FakeServer, request_obj, monkeypatch) -> None:
    monkeypatch.setenv("OUDERGESPREK_API_KEY", "geheim-123")
    voice = make_voice("server", url=fake.url, model="geitje-7b")
    assert voice.name == "server:geitje-7b"
    pieces = list(voice.stream(request_obj, threading.Event()))
    assert len(pieces) > 3  # streamed, not in one piece
    assert "".join(pieces) == LINE
    body = fake.requests[0]
    assert body["model"] == "geitje-7b" and body["stream"] is True
    assert body["messages"][0]["role"] == "system"
    assert request_obj.persona.name in body["messages"][0]["content"]
    assert body["messages"][-1]["content"].endswith(request_obj.teacher_text)
    assert fake.headers[0]["Authorization"] == "Bearer geheim-123"


def test_guarded_server_line_is_kept_and_named(fake: FakeServer, request_obj) -> None:
    text, final = _spoken(ServerVoice(fake.url, "geitje-7b"), request_obj)
    assert text == LINE
    assert final.voice == "server:geitje-7b" and final.fallback_reason is None  # type: ignore[attr-defined]


def test_a_server_error_is_retried_with_backoff(fake: FakeServer, request_obj) -> None:
    fake.plan = ["500", "500", "ok"]
    voice = ServerVoice(fake.url, "geitje-7b", retries=2, backoff=0.05)
    start = time.perf_counter()
    assert "".join(voice.stream(request_obj, threading.Event())) == LINE
    assert len(fake.requests) == 3
    assert time.perf_counter() - start >= 0.05 + 0.1  # waited 0.05 s, then 0.1 s


def test_persistent_server_errors_fall_back_with_the_reason(fake: FakeServer, request_obj) -> None:
    fake.plan = ["500"] * 5
    text, final = _spoken(ServerVoice(fake.url, "geitje-7b", retries=1, backoff=0.01), request_obj)
    assert text == request_obj.scripted_line
    assert final.voice == "scripted"  # type: ignore[attr-defined]
    assert "HTTP 500" in final.fallback_reason and "model is loading" in final.fallback_reason  # type: ignore[attr-defined]
    assert len(fake.requests) == 2


def test_an_error_inside_the_stream_falls_back(fake: FakeServer, request_obj) -> None:
    fake.plan = ["error-event"]
    text, final = _spoken(ServerVoice(fake.url, "geitje-7b"), request_obj)
    assert text == request_obj.scripted_line
    assert "out of memory" in final.fallback_reason  # type: ignore[attr-defined]


def test_a_server_that_stops_answering_times_out_with_a_dutch_message(fake: FakeServer, request_obj) -> None:
    fake.plan = ["hang"]
    voice = ServerVoice(fake.url, "geitje-7b", read_timeout=0.5, retries=0)
    start = time.perf_counter()
    with pytest.raises(VoiceError, match=r"antwoordde niet binnen 0\.5 seconden"):
        list(voice.stream(request_obj, threading.Event()))
    assert time.perf_counter() - start < 2.5


def test_a_server_that_is_down_gives_a_clear_message(request_obj) -> None:
    url = f"http://127.0.0.1:{_free_port()}/v1"
    voice = ServerVoice(url, "geitje-7b", retries=1, backoff=0.01, connect_timeout=1)
    with pytest.raises(VoiceError) as info:
        list(voice.stream(request_obj, threading.Event()))
    message = str(info.value)
    assert "niet bereikbaar" in message and "verbinding geweigerd" in message and url in message
    text, final = _spoken(voice, request_obj)
    assert text == request_obj.scripted_line and "niet bereikbaar" in final.fallback_reason  # type: ignore[attr-defined]


def test_cancel_stops_a_slow_stream_within_0_2_seconds(fake: FakeServer, request_obj) -> None:
    fake.plan = ["slow"]
    cancel = threading.Event()
    stream = ServerVoice(fake.url, "geitje-7b").stream(request_obj, cancel)
    next(stream)
    cancel.set()
    start = time.perf_counter()
    rest = list(stream)
    assert time.perf_counter() - start < 0.2
    assert "".join(rest) != LINE


def test_lists_the_models_a_server_offers(fake: FakeServer) -> None:
    assert ServerVoice(fake.url).list_models() == ["geitje-7b", "qwen2.5-7b-instruct"]
