"""`oudergesprek models download REPO` against a fake Hugging Face hub on 127.0.0.1 (HF_ENDPOINT).

The hub serves the tiny random model the other tests build; the download must
land in the models folder, load as a local voice by its short name, skip
Python files and non-safetensors weights, survive a connection cut mid-file,
and refuse repositories that need their own code.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from subprocess import CompletedProcess, run

import pytest

pytest.importorskip("huggingface_hub", reason="huggingface_hub is not installed (base dependency)")

ROOT = Path(__file__).resolve().parents[2]
SHA = "0123456789abcdef0123456789abcdef01234567"
class FakeHub:
    def __init__(self, repos: dict[str, dict[str, bytes]]) -> None:
        self.repos = repos
        self.log: list[str] = []
        self.cut_after: int | None = None  # bytes of a file body to send before hanging up (once)
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _json(self, data: object, status: int = 200) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _route(self, head: bool) -> None:
                path = urllib.parse.urlparse(self.path).path
                hub.log.append(f"{self.command} {self.path} {self.headers.get('Range', '')}")
                parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
                if parts[:2] == ["api", "models"] and len(parts) >= 6:
                    repo = "/".join(parts[2:4])
                    files = hub.repos.get(repo)
                    if files is None:
                        return self._json({"error": "Repository not found"}, 404)
                    if parts[4] == "revision":
                        return self._json({"id": repo, "modelId": repo, "sha": SHA,
                                           "siblings": [{"rfilename": f} for f in files]})
                    if parts[4] == "tree":
                        return self._json([{"type": "file", "path": f, "size": len(b),
                                            "oid": hashlib.sha1(b).hexdigest()} for f, b in files.items()])
                if len(parts) >= 5 and parts[2] == "resolve":
                    repo, name = "/".join(parts[:2]), "/".join(parts[4:])
                    files = hub.repos.get(repo, {})
                    if name not in files:
                        self.send_response(404)
                        self.send_header("X-Error-Code", "EntryNotFound")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    body = files[name]
                    start = 0
                    rng = self.headers.get("Range")
                    if rng and rng.startswith("bytes="):
                        start = int(rng[6:].split("-")[0])
                    self.send_response(206 if start else 200)
                    self.send_header("X-Repo-Commit", SHA)
                    self.send_header("ETag", f'"{hashlib.sha1(body).hexdigest()}"')
                    self.send_header("Content-Length", str(len(body) - start))
                    if start:
                        self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                    self.end_headers()
                    if head:
                        return
                    chunk = body[start:]
                    if hub.cut_after is not None and len(chunk) > hub.cut_after:
                        cut, hub.cut_after = hub.cut_after, None
                        self.wfile.write(chunk[:cut])
                        self.wfile.flush()
                        self.connection.shutdown(2)
                        return
                    self.wfile.write(chunk)
                    return
                self._json({"error": "not found"}, 404)

            def do_GET(self) -> None:
                self._route(head=False)

            def do_HEAD(self) -> None:
                self._route(head=True)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hub(tiny_chat_dir: Path) -> Iterator[FakeHub]:
    files = {p.name: p.read_bytes() for p in sorted(tiny_chat_dir.iterdir()) if p.is_file()}
    files["modeling_tiny.py"] = b"raise SystemExit('remote code must never run')\n"
    files["pytorch_model.bin"] = b"pickle weights are never fetched"
    bad_config = json.dumps({"model_type": "llama", "auto_map": {"AutoModelForCausalLM": "modeling_tiny.Tiny"}})
    repos = {
        "acme/tiny-chat": files,
        "acme/only-bin": {"config.json": b"{}", "pytorch_model.bin": b"x"},
        "acme/own-code": {**files, "config.json": bad_config.encode()},
    }
    with FakeHub(repos) as fake:
        yield fake


def download(hub: FakeHub, home: Path, *args: str) -> CompletedProcess[str]:
    env = {
        **os.environ,
        "HF_ENDPOINT": hub.url,
        "HF_HOME": str(home / "hf"),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_ETAG_TIMEOUT": "5",
        "HF_HUB_DOWNLOAD_TIMEOUT": "10",
        "OUDERGESPREK_HOME": str(home),
    }
    cmd = [sys.executable, "-m", "simulator.cli", "models", "download", *args]
    return run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_downloads_the_tiny_model_and_the_local_voice_loads_it_by_name(hub: FakeHub, isolated_home: Path) -> None:
    result = download(hub, isolated_home, "acme/tiny-chat")
    assert result.returncode == 0, result.stderr
    target = isolated_home / "models" / "tiny-chat"
    assert "--model tiny-chat" in result.stdout
    assert (target / "model.safetensors").is_file() and (target / "config.json").is_file()
    assert not (target / "modeling_tiny.py").exists() and not (target / "pytorch_model.bin").exists()
    assert "Fetching" in result.stderr  # the progress bar

    from simulator.voices.local import LocalVoice

    voice = LocalVoice("tiny-chat", threads=1, max_new_tokens=4)
    assert voice.name == "local:tiny-chat" and voice.chat


def test_a_connection_cut_mid_file_still_ends_with_the_whole_file(hub: FakeHub, isolated_home: Path) -> None:
    hub.cut_after = 20_000
    result = download(hub, isolated_home, "acme/tiny-chat")
    assert result.returncode == 0, result.stderr
    served = hub.repos["acme/tiny-chat"]["model.safetensors"]
    assert (isolated_home / "models" / "tiny-chat" / "model.safetensors").read_bytes() == served
    before = sum("resolve" in line and line.startswith("GET") for line in hub.log)
    again = download(hub, isolated_home, "acme/tiny-chat")
    assert again.returncode == 0, again.stderr
    assert sum("resolve" in line and line.startswith("GET") for line in hub.log) == before  # nothing fetched twice


@pytest.mark.parametrize(
    ("repo", "says"),
    [
        ("acme/only-bin", "geen safetensors"),
        ("acme/own-code", "eigen Python-code"),
        ("acme/bestaat-niet", "mislukt"),
        ("geen-repo-naam", "eigenaar/naam"),
    ],
)
def test_refusals_are_one_dutch_line(hub: FakeHub, isolated_home: Path, repo: str, says: str) -> None:
    result = download(hub, isolated_home, repo)
    assert result.returncode == 1
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert not (isolated_home / "models" / repo.split("/")[-1] / "model.safetensors").exists()
