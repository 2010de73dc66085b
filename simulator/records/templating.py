"""Jinja2 environments for the exports: HTML with autoescape, Markdown with an escape on every value.

Templates live in `simulator/records/templates/` (package data). HTML templates
extend `base.html.j2`, which holds the print styles and a Content-Security-Policy
that forbids scripts and every external resource, so an export stays one
self-contained file. In Markdown templates every `{{ value }}` is escaped by the
environment (`finalize`), so a transcript's `<script>`, `[link](javascript:…)` or
`![image](https://…)` is shown as text; only values wrapped in `MarkdownSafe`
(already-escaped Markdown from the report renderer) pass as they are. Every
value in both formats also goes through `safe_text.clean` (no control or bidi
characters).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from simulator.safe_text import clean

TEMPLATES = "templates"


class MarkdownSafe(str):
    """Markdown that is already escaped (for example the feedback report); the Markdown env leaves it alone."""

    __slots__ = ()


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")


def md_escape(value: Any) -> str:
    """Plain text as Markdown that renders to the same text: no HTML, links, images or layout survive.

    Markdown punctuation gets a backslash, `<` and `>` become entities (so no renderer
    sees a tag), `://` is broken so no URL is auto-linked, and newlines become spaces
    so a quote cannot start a heading, list or block of its own.
    """
    if isinstance(value, MarkdownSafe):
        return value
    text = " ".join(clean(str(value)).split())
    text = _ENTITY_LIKE.sub("&amp;", text)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = text.replace("<", "&lt;").replace(">", "&gt;").replace("://", ":\\/\\/")
    if text[:1] in {"-", "=", ">"} or re.match(r"\d+[.)]", text):
        text = "\\" + text
    return text


def _finalize_html(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Markup | int | float):
        return value
    return clean(str(value))


def _finalize_md(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return md_escape(value)


def _signed(value: int) -> MarkdownSafe:
    """`+6` / `-3`: digits and a sign, safe in both formats."""
    return MarkdownSafe(f"{int(value):+d}")


@cache
def html_env() -> Environment:
    """HTML templates (`*.html.j2`): autoescape on for everything, no way to switch it off per value."""
    env = Environment(
        loader=PackageLoader("simulator.records", TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_finalize_html,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["signed"] = _signed
    return env


@cache
def md_env() -> Environment:
    """Markdown templates (`*.md.j2`): every value escaped by `md_escape` unless it is `MarkdownSafe`."""
    env = Environment(
        loader=PackageLoader("simulator.records", TEMPLATES),
        autoescape=False,
        undefined=StrictUndefined,
        finalize=_finalize_md,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["signed"] = _signed
    return env


def render_html(template: str, **context: Any) -> str:
    """Render an HTML template (one that extends base.html.j2) to a self-contained page."""
    return html_env().get_template(template).render(**context)


def render_markdown(template: str, **context: Any) -> str:
    return md_env().get_template(template).render(**context)
