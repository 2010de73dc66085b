"""Exports show hostile text as text: no script, link, image or style from a transcript reaches the page."""

from __future__ import annotations

import shutil
import struct
import subprocess
import threading
import zlib
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from markdown_it import MarkdownIt

from simulator.app.labels import outcome_label as app_outcome_label
from simulator.records.export import to_html, to_markdown
from simulator.records.transcript import Transcript, Turn
from tests.records.hostile import PAYLOADS, hostile_transcript


class Page(HTMLParser):
    """Tags, attributes and visible text of an HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(k, v or "") for k, v in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _assert_nothing_escapes(html: str) -> Page:
    page = Page(html)
    assert not {"script", "img", "iframe", "object", "embed", "link", "a", "base", "form"} & set(page.tags)
    assert page.tags.count("style") <= 1  # the template's own
    assert not [k for k, _ in page.attrs if k.startswith("on")]
    urls = [v for k, v in page.attrs if k in {"src", "href", "action", "xlink:href"}]
    assert urls == []
    assert not [v for k, v in page.attrs if "javascript:" in v.lower() or "evil.example" in v]
    return page


def test_markdown_export_keeps_hostile_text_as_text() -> None:
    md = to_markdown(hostile_transcript())
    assert "<script" not in md and "<img" not in md and "<a " not in md and "<style" not in md
    assert "](javascript:" not in md and "](https:" not in md
    assert "\x1b" not in md
    # Rendered by a CommonMark renderer with raw HTML allowed, still nothing escapes.
    _assert_nothing_escapes(MarkdownIt("commonmark", {"html": True}).render(md))
    assert "\n# kop" not in md and "\n- lijst" not in md  # a quote cannot start a heading or a list


def test_html_export_keeps_hostile_text_as_text_and_shows_it() -> None:
    html = to_html(hostile_transcript())
    page = _assert_nothing_escapes(html)
    assert page.tags.count("svg") == 1
    text = "".join(page.text)
    for payload in PAYLOADS[:5]:
        assert payload in text  # shown to the reader as it was typed
    assert "\x1b" not in html and "scherm gewist" in text


def test_html_export_has_the_trainers_score_overrides() -> None:
    text = "".join(Page(to_html(hostile_transcript())).text)
    assert "trainer: 70" in text
    assert "Ze vatte <i>goed</i> samen." in text and "Els" in text


def test_markdown_export_has_the_trainers_score_overrides() -> None:
    md = to_markdown(hostile_transcript())
    assert "trainer 70" in md and "Els" in md


@pytest.mark.parametrize("outcome", ["agreement", "escalation", "ended_by_teacher", "time_up", "stopped"])
def test_export_and_app_use_one_wording_for_outcomes(outcome: str) -> None:
    transcript = Transcript(turns=[Turn(speaker="teacher", text="Goedemiddag.")], outcome=outcome)  # type: ignore[arg-type]
    label = app_outcome_label(outcome)
    assert f"**Afloop:** {label}".replace("(", "\\(") in to_markdown(transcript).replace("\\:", ":")
    assert label in "".join(Page(to_html(transcript)).text)


# --- the page in a real browser ---------------------------------------------------------


class _Canary(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Canary.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def _png_colours(path: Path) -> int:
    """How many distinct byte values the decompressed image holds (a blank page has about two)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(idat)))


def _chromium() -> str | None:
    return next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)


def _shoot(browser: str, page: Path, shot: Path) -> str:
    """Screenshot and DOM of `page` in headless Chromium."""
    args = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=1000,1400"]
    subprocess.run([*args, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=60, check=False)
    dom = subprocess.run([*args, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=60)
    return dom.stdout


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium is not installed (apt-get install chromium)")
def test_html_export_renders_in_chromium_and_requests_nothing(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    canary = f"http://127.0.0.1:{server.server_address[1]}"
    _Canary.hits = []
    try:
        transcript = hostile_transcript()
        bait = (
            f"<img src={canary}/img.png> <link rel=stylesheet href={canary}/s.css> "
            f"<style>@import url({canary}/i.css)</style> ![x]({canary}/md.png)"
        )
        transcript.turns.append(Turn(speaker="teacher", text=bait))
        page = tmp_path / "verslag.html"
        page.write_text(to_html(transcript), encoding="utf-8")
        shot = tmp_path / "verslag.png"
        browser = _chromium()
        assert browser is not None
        dom = _shoot(browser, page, shot)
        assert shot.exists() and _png_colours(shot) > 20, "the page renders: text, tables and chart"
        assert "<svg" in dom and "Oudergesprek: verslag" in dom
        assert "<script" not in dom and "<img" not in dom
        assert _Canary.hits == [], "the export made the browser fetch something"
        # Control: the same browser does fetch from the canary when a page really asks for it.
        control = tmp_path / "controle.html"
        control.write_text(f"<!DOCTYPE html><img src='{canary}/control.png'>", encoding="utf-8")
        _shoot(browser, control, tmp_path / "controle.png")
        assert any(hit.startswith("/control.png") for hit in _Canary.hits)
    finally:
        server.shutdown()
