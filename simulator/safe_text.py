"""The one output filter: text from a model, a server, a transcript or a file, made safe to show.

A model server's reply, an error body or a transcript someone edited can carry
terminal control sequences: ESC[2J clears the screen, OSC 0 retitles the window,
ESC[8m hides text from the reader while a program still sees it, and bidi
overrides make a line read differently from what it says. Everything that
reaches a terminal, a Markdown file or a guard decision goes through `clean`
(or `clean_line` where one line is expected). Plain Dutch text passes unchanged.
"""

from __future__ import annotations

import re

# ESC-introduced sequences (7-bit) and their 8-bit C1 twins, removed whole so no parameter bytes remain.
_SEQUENCES = re.compile(
    r"""
      \x1b\[ [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?          # CSI ... final (colours, cursor, ESC[8m hide)
    | \x9b   [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?          # 8-bit CSI
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) .*? (?:\x07|\x1b\\|\x9c|$)  # OSC, DCS, SOS, PM, APC up to ST/BEL
    | \x1b [\x20-\x2f]* [\x30-\x7e]?                         # other ESC sequences (ESC c, ESC ( B, ...)
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 except tab and newline, DEL, C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidi embeddings/overrides/isolates and marks, and invisible characters that have no place in a Dutch line.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_INVISIBLE = "\u00ad\u115f\u1160\u180e\u200b\u2060-\u2064\u3164\ufeff\uffa0\U000e0000-\U000e007f"
_HIDDEN = re.compile(f"[{_BIDI}{_INVISIBLE}]")
# Zero-width (non-)joiners belong only between emoji or other symbols (family emoji, flags); not inside words.
_JOINER = re.compile(r"(?<![^\w\s])[\u200c\u200d]|[\u200c\u200d](?![^\w\s])")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")


def clean(text: str) -> str:
    """`text` without control sequences, control characters, bidi controls and misplaced invisibles.

    Newlines and tabs stay; CR, CRLF and Unicode line separators become a newline.
    """
    if text.isascii() and text.isprintable():
        return text
    text = _LINE_BREAKS.sub("\n", text)
    text = _SEQUENCES.sub("", text)
    text = _CONTROL.sub("", text)
    text = _HIDDEN.sub("", text)
    return _JOINER.sub("", text)


def clean_line(text: str, limit: int | None = None) -> str:
    """One line for a message or a reason: cleaned, whitespace folded, cut to `limit` characters."""
    line = " ".join(clean(text).split())
    if limit is not None and len(line) > limit:
        line = line[: max(0, limit - 1)].rstrip() + "…"
    return line


def has_control(text: str) -> bool:
    """Whether `clean` would change more than line breaks: the text hides something or steers a terminal."""
    return clean(text) != _LINE_BREAKS.sub("\n", text)
