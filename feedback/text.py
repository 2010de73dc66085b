"""Words and sentences of Dutch conversation text: the one tokeniser shared by the whole project.

The act recogniser, the scores, the engine's lexicon and the output guard all need to cut a turn
into words and sentences and compare words by lemma. When each had its own regex they disagreed
on "'s ochtends" and "vmbo-gt"; this module is the single definition. Pure Python + simplemma.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import simplemma

WORD_RE = re.compile(r"\w+(?:'\w+)*")
"""A word: letters/digits, with inner apostrophes ("zo'n", "baby's"); hyphens split words."""

SENTENCE_END_RE = re.compile(r"[?!]+[.!?]*[\"')\]]*|\.+[\"')\]]*(?=\s|$)|[;\n]")
"""Where a sentence ends: ?/! runs, a full stop before a space or the end, a semicolon, a newline."""

_ALNUM = re.compile(r"[^\W_]")
_TRIM_LEFT = " \n\"'-("
_TRIM_RIGHT = " \n"

_CHAR_MAP: dict[str, str] = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032`\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    **dict.fromkeys("\u00a0\u2007\u202f\u2009\u200a\t", " "),
    **dict.fromkeys("\r\u2028\u2029", "\n"),
    "\u2026": ".",
    "\u00bf": "?",
    "\uff1f": "?",
    "\u037e": ";",
}


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    """One character, lowercased and without accents, but always exactly one character."""
    if c in _CHAR_MAP:
        return _CHAR_MAP[c]
    low = c.lower()
    if len(low) != 1:
        low = c
    if low.isascii():
        return low
    base = unicodedata.normalize("NFD", low)[:1]
    if len(base) == 1 and base.isascii() and base.isalpha():
        return base.lower()
    if unicodedata.category(low) in ("Zs", "Cc", "Cf") and low != "\n":
        return " "
    return low


def fold(text: str) -> str:
    """Lowercase and strip accents/curly quotes while keeping every character offset.

    Keeping the length lets a regex hit in the folded text point straight back into the
    speaker's own words for an evidence span.
    """
    if text.isascii():
        return text.lower().replace("\t", " ").replace("\r", "\n").replace("`", "'")
    return "".join(_fold_char(c) for c in text)


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The Dutch lemma of a (folded) word; cached because turns repeat the same words."""
    try:
        return str(simplemma.lemmatize(word, lang="nl")).lower()
    except Exception:  # simplemma must never take a turn down with it
        return word


def spans(
    text: str, splitter: re.Pattern[str], start: int = 0, end: int | None = None, keep_delimiter: bool = True
) -> list[tuple[int, int]]:
    """Split text[start:end] at the splitter; trimmed spans that hold at least one letter or digit."""
    end = len(text) if end is None else end
    raw: list[tuple[int, int]] = []
    pos = start
    for m in splitter.finditer(text, start, end):
        raw.append((pos, m.end() if keep_delimiter else m.start()))
        pos = m.end()
    raw.append((pos, end))
    out: list[tuple[int, int]] = []
    for s, e in raw:
        while s < e and text[s] in _TRIM_LEFT:
            s += 1
        while e > s and text[e - 1] in _TRIM_RIGHT:
            e -= 1
        if e > s and _ALNUM.search(text, s, e):
            out.append((s, e))
    return out


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, end punctuation included."""
    return spans(text, SENTENCE_END_RE)


def sentences(text: str) -> list[str]:
    """The sentences of a text, as written (punctuation kept, outer spaces trimmed)."""
    return [text[s:e] for s, e in sentence_spans(text)]


def words(text: str) -> list[str]:
    """The folded word tokens of a text (lowercase, no accents)."""
    return WORD_RE.findall(fold(text))


def lemmas(text: str) -> list[str]:
    """The lemma of every word token, in order."""
    return [lemma(w) for w in words(text)]
