"""Compiled rule lists: each pattern tried only where one of its possible first words occurs.

A turn of 20 words touches a handful of the ~1,000 patterns in the rule file; indexing the
patterns by first word keeps recognition well under a millisecond per turn, and a 10,000-character
turn bounded (long texts are only tried at the positions where a first word starts).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

from feedback.acts.notation import DEFAULT_ANCHORS, first_words, prepare, sequence, whole_words
from feedback.text import WORD_RE, fold

Fail = Callable[[tuple[object, ...], str], Exception]
"""Builds the error for a bad pattern at a place in the rule file (file:line: field: message)."""

_Candidate = tuple[re.Pattern[str], list[int] | None]
_SCAN_BELOW = 0  # characters: shorter texts are scanned whole, longer ones only where a first word starts


class Words:
    """The words of one text and where they start, for the first-word filter."""

    def __init__(self, text: str) -> None:
        self.at: dict[str, list[int]] = {}
        for m in WORD_RE.finditer(text):
            self.at.setdefault(m.group(), []).append(m.start())
        self.ordered = sorted(self.at)
        self._starts: dict[tuple[frozenset[str], tuple[str, ...]], list[int]] = {}
        self._prefix: dict[str, bool] = {}

    def starts(self, words: frozenset[str], prefixes: tuple[str, ...]) -> list[int]:
        """Where any of the words, or a word with one of the prefixes, starts (memoised: many
        patterns share their first words, "(u|je|jij|jullie)")."""
        key = (words, prefixes)
        hit = self._starts.get(key)
        if hit is not None:
            return hit
        found: set[int] = set()
        for w in words & self.at.keys() if len(words) > len(self.at) else words:
            found.update(self.at.get(w, ()))
        for pre in prefixes:
            i = bisect.bisect_left(self.ordered, pre)
            while i < len(self.ordered) and self.ordered[i].startswith(pre):
                found.update(self.at[self.ordered[i]])
                i += 1
        out = self._starts[key] = sorted(found)
        return out

    def has_prefix(self, prefix: str) -> bool:
        hit = self._prefix.get(prefix)
        if hit is None:
            i = bisect.bisect_left(self.ordered, prefix)
            hit = self._prefix[prefix] = i < len(self.ordered) and self.ordered[i].startswith(prefix)
        return hit


@lru_cache(maxsize=32)
def words_of(text: str) -> Words:
    return Words(text)


class PatternSet:
    """Patterns of one rule list, each compiled alone and tried only where its first word occurs.

    Quacks like a compiled regex (search/match/finditer) so the rule logic reads the same.
    """

    def __init__(self, entries: list[tuple[re.Pattern[str], tuple[set[str], set[str]] | None]]) -> None:
        self._entries = [
            (rx, None if first is None else (frozenset(first[0]), tuple(sorted(first[1])))) for rx, first in entries
        ]
        self._always: list[int] = []
        self._by_word: dict[str, list[int]] = {}
        self._by_prefix: dict[str, list[int]] = {}
        for i, (_, first) in enumerate(self._entries):
            if first is None:
                self._always.append(i)
                continue
            for w in first[0]:
                self._by_word.setdefault(w, []).append(i)
            for pre in first[1]:
                self._by_prefix.setdefault(pre, []).append(i)
        self._memo: tuple[str, list[_Candidate]] | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def candidates(self, text: str) -> list[_Candidate]:
        """(pattern, start positions) for the patterns that can match; None = try everywhere."""
        if self._memo is not None and self._memo[0] is text:
            return self._memo[1]
        words = words_of(text)
        chosen = set(self._always)
        by_word = self._by_word
        for w in words.at:
            if w in by_word:
                chosen.update(by_word[w])
        for pre, ids in self._by_prefix.items():
            if words.has_prefix(pre):
                chosen.update(ids)
        found: list[_Candidate] = []
        scan = len(text) <= _SCAN_BELOW
        for i in sorted(chosen):
            rx, first = self._entries[i]
            if first is None or scan:
                found.append((rx, None))
                continue
            starts = words.starts(*first)
            # a pattern word like "'s" starts one character before its token
            quoted = [p - 1 for p in starts if p and text[p - 1] == "'"]
            found.append((rx, sorted({*starts, *quoted}) if quoted else starts))
        self._memo = (text, found)
        return found

    def _hits(self, text: str, pos: int, end: int, first_only: bool) -> list[re.Match[str]]:
        hits: list[re.Match[str]] = []
        for rx, starts in self.candidates(text):
            if starts is None:
                if first_only:
                    m = rx.search(text, pos, end)
                    hits.extend([m] if m else [])
                else:
                    hits.extend(rx.finditer(text, pos, end))
                continue
            for p in starts:
                if p < pos or p >= end:
                    continue
                m = rx.match(text, p, end)
                if m:
                    hits.append(m)
                    if first_only:
                        break
        hits.sort(key=lambda m: m.start())
        return hits

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        hits = self._hits(text, pos, len(text) if endpos is None else endpos, True)
        return hits[0] if hits else None

    def match(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        end = len(text) if endpos is None else endpos
        for rx, _ in self.candidates(text):
            m = rx.match(text, pos, end)
            if m:
                return m
        return None

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> list[re.Match[str]]:
        return self._hits(text, pos, len(text) if endpos is None else endpos, False)


Matcher = PatternSet | re.Pattern[str]


def compile_many(
    patterns: Iterable[str],
    classes: Mapping[str, str],
    loc: tuple[object, ...],
    fail: Fail,
    anchor_map: Mapping[str, str] = DEFAULT_ANCHORS,
) -> PatternSet | None:
    """Compile one rule list; a bad pattern is reported with its place in the data file."""
    entries: list[tuple[re.Pattern[str], tuple[set[str], set[str]] | None]] = []
    for i, pattern in enumerate(patterns):
        src = prepare(pattern, classes)
        try:
            rx = re.compile(whole_words(sequence(src, anchor_map)), re.M)
        except re.error as err:
            raise fail((*loc, i), f"patroon {pattern!r} is ongeldig: {err}") from None
        entries.append((rx, first_words(src)))
    return PatternSet(entries) if entries else None


def compile_raw(patterns: Iterable[str], loc: tuple[object, ...], fail: Fail) -> re.Pattern[str] | None:
    """Plain regular expressions (no notation), joined into one."""
    sources = [fold(str(p)) for p in patterns]
    if not sources:
        return None
    try:
        return re.compile("|".join(f"(?:{s})" for s in sources), re.M)
    except re.error as err:
        raise fail(loc, f"ongeldige reguliere expressie: {err}") from None


def search(rx: Matcher | None, text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
    if rx is None:
        return None
    return rx.search(text, start, len(text) if end is None else end)


def match_at(rx: Matcher | None, text: str, start: int, end: int) -> re.Match[str] | None:
    return rx.match(text, start, end) if rx is not None else None
