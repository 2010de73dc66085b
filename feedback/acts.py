"""Rule-based recognition of the conversation acts in one teacher turn.

The engine (how the parent reacts) and the score report both call `recognise`, so there is
one source of truth for what the teacher did. All Dutch words, cue phrases and patterns live
in `feedback/data/act_rules.yaml`, where trainers can read and change them; this module only
knows *how* to apply them. Pure Python (regexes + simplemma lemmas), no network, no models.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import simplemma
import yaml

from feedback.codes import ALL_CODES

RULES_PATH = Path(__file__).parent / "data" / "act_rules.yaml"

REFLECTION_COMPANIONS = frozenset({"feeling_reflection", "closed_question", "open_question"})
"""The only codes a paraphrase shares a turn with."""

# Codes whose patterns come straight from the data file (the rest need their own logic).
_PATTERN_CODES: tuple[str, ...] = (
    "affirmation",
    "premature_advice",
    "dismissing",
    "defending",
    "i_message",
    "you_message",
    "name_limit",
    "consequence",
    "holds_position",
    "caving",
    "counter_attack",
    "structuring",
)


@dataclass(frozen=True)
class Act:
    """One recognised conversation act and the words that triggered it."""

    code: str
    evidence: str
    start: int = -1
    end: int = -1


# ---------------------------------------------------------------- normalisation

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
    teacher's own words for the evidence span.
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


# ---------------------------------------------------------------- pattern notation

_SEP = r"(?>[\s\"()\-]*[\s,][\s,\"()\-]*)"
_WORD = r"[^\s,.!?;:]+"
_SENTENCE_START = r"(?:^|(?<=[.!?;:\n])|(?<=[.!?;:]\s)|(?<=[.!?;:]\s\s))"
_COMMA_START = r"(?:^|(?<=[.!?;:,\n])|(?<=[.!?;:,]\s)|(?<=[.!?;:,]\s\s))"


def _anchors(clause_words: Iterable[str] = ()) -> dict[str, str]:
    """The anchor tokens: ^ also matches after a clause-opening word ("en", "maar" ... from the data)."""
    after_words = "".join(rf"|(?<=\b{re.escape(fold(w))}\s)" for w in clause_words if w.strip())
    start = r"(?:^|(?<=[.!?;:,(\"\n])|(?<=[.!?;:,(\"]\s)|(?<=[.!?;:,(\"]\s\s)" + after_words + ")"
    return {"^": start, "^^": _SENTENCE_START, "^,": _COMMA_START}


_DEFAULT_ANCHORS = _anchors()
_WILDCARDS = {"~": 2, "*": 4, "**": 10}
_CLASS_RE = re.compile(r"\{([a-z_]+)\}")


def _split_top(src: str) -> list[str]:
    """Split a pattern on spaces that are not inside brackets."""
    tokens: list[str] = []
    depth = 0
    current: list[str] = []
    escaped = False
    for ch in src:
        if escaped:
            current.append(ch)
            escaped = False
            continue
        if ch == "\\":
            current.append(ch)
            escaped = True
            continue
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        if ch == " " and depth == 0:
            if current:
                tokens.append("".join(current))
                current = []
            continue
        current.append(ch)
    if current:
        tokens.append("".join(current))
    return tokens


def _has_top_level_bar(src: str) -> bool:
    return len(_split_bar(src)) > 1


def _outer_group(token: str) -> tuple[str, str] | None:
    """`(a|b)?` -> ("a|b", "?") when the parentheses enclose the whole token."""
    if len(token) < 3 or token[0] != "(" or token[-1] not in "?*+" or token[-2] != ")":
        return None
    depth = 0
    escaped = False
    for i, ch in enumerate(token[:-1]):
        if escaped:
            escaped = False
            continue
        if ch == "\\":
            escaped = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0 and i != len(token) - 2:
                return None
    return token[1:-2], token[-1]


def _split_bar(src: str) -> list[str]:
    """Split a group body on the '|' that are not inside nested brackets."""
    parts: list[str] = []
    depth = 0
    escaped = False
    current: list[str] = []
    for ch in src:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch == "|" and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


def _body(src: str, anchors: Mapping[str, str]) -> str:
    """A group body: alternatives, each a word sequence in the pattern notation."""
    if src.startswith("?"):  # a raw lookaround or non-capturing group: leave it alone
        return src
    out: list[str] = []
    for alt in _split_bar(src):
        lead = _SEP if alt.startswith(" ") and alt.strip() else ""
        trail = _SEP if alt.endswith(" ") and alt.strip() else ""
        out.append(lead + _sequence(alt, anchors) + trail)
    return "|".join(out)


def _sequence(src: str, anchors: Mapping[str, str] = _DEFAULT_ANCHORS) -> str:
    """Words separated by spaces -> regex; optional words carry their own separator."""
    parts: list[str] = []
    started = False
    for token in _split_top(src):
        if token in anchors:
            parts.append(anchors[token])
            continue
        if token in _WILDCARDS:
            n = _WILDCARDS[token]
            parts.append(f"(?:{_SEP}{_WORD}){{0,{n}}}" if started else f"(?:{_WORD}{_SEP}){{0,{n}}}")
            continue
        group = _outer_group(token)
        if token.startswith("[") and token.endswith("]") and len(token) > 2:
            group = (token[1:-1], "?")
        if group is not None:
            body = _body(group[0], anchors)
            quant = group[1]
            if started:
                parts.append(f"(?:{_SEP}(?:{body})){quant}")
            elif quant == "+":
                parts.append(f"(?:{body})(?:{_SEP}(?:{body}))*")
                started = True
            else:
                parts.append(f"(?:(?:{body}){_SEP}){quant}")
            continue
        if " " in token:  # a group with a tail, e.g. "maar( zitten)?": compile the group bodies
            token = _GROUP_RE.sub(lambda m: "(" + _body(m.group(1), anchors) + ")", token)
        parts.append((_SEP if started else "") + f"(?:{token})")
        started = True
    return "".join(parts)


_GROUP_RE = re.compile(r"\((?!\?)((?:[^()]|\([^()]*\))*)\)")


def _prepare(src: str, classes: Mapping[str, str] | None) -> str:
    """Fold, fill in {classes} and wrap a top-level alternation, ready for `_sequence`."""
    src = fold(src.strip())
    if classes:
        for _ in range(3):  # classes may mention other classes
            src = _CLASS_RE.sub(lambda m: classes.get(m.group(1), m.group(0)), src)
    if _has_top_level_bar(src) and " " in src:
        src = f"({src})"
    return src


def to_regex(src: str, classes: Mapping[str, str] | None = None) -> str:
    """Translate one pattern of the data file's notation into a regular expression."""
    return r"(?<!\w)(?:" + _sequence(_prepare(src, classes)) + r")(?!\w)"


_LEAD_WORD = re.compile(r"'*([\w']+)(\\w[*+])?")


def _whole_group(token: str) -> str | None:
    """The body of "(a|b)" when the parentheses enclose the whole token."""
    if len(token) < 2 or token[0] != "(" or token[-1] != ")":
        return None
    depth = 0
    escaped = False
    for i, ch in enumerate(token):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0 and i != len(token) - 1:
                return None
    return token[1:-1]


def _first_words(src: str) -> tuple[set[str], set[str]] | None:
    """Words (and word prefixes) one of which must start any match; None when that is unknown.

    Used only to skip patterns that cannot match a turn, so None is always safe.
    """
    words: set[str] = set()
    prefixes: set[str] = set()
    for token in _split_top(src):
        if token in _DEFAULT_ANCHORS:
            continue
        if token in _WILDCARDS:
            return None
        optional = False
        group = _outer_group(token)
        if token.startswith("[") and token.endswith("]") and len(token) > 2:
            group = (token[1:-1], "?")
        body = group[0] if group else _whole_group(token)
        if group:
            optional = group[1] in "?*"
        if body is not None:
            if body.startswith("?"):
                return None
            for alt in _split_bar(body):
                found = _first_words(alt.strip())
                if found is None:
                    return None
                words |= found[0]
                prefixes |= found[1]
        else:
            m = _LEAD_WORD.match(token)
            if not m or not m.group(1).strip("'"):
                return None
            word = m.group(1).strip("'")
            if m.group(2) or (m.end() < len(token) and token[m.end()] not in "-'("):
                prefixes.add(word)
            else:
                words.add(word)
        if not optional:
            return words, prefixes
    return None


class _Words:
    """The words of one text and where they start, for the first-word filter."""

    def __init__(self, text: str) -> None:
        self.at: dict[str, list[int]] = {}
        for m in _TOKEN.finditer(text):
            self.at.setdefault(m.group(), []).append(m.start())
        self.ordered = sorted(self.at)

    def starts(self, words: Iterable[str], prefixes: Iterable[str]) -> list[int]:
        """Where any of the words, or a word with one of the prefixes, starts."""
        found: set[int] = set()
        for w in words:
            found.update(self.at.get(w, ()))
        for pre in prefixes:
            i = bisect.bisect_left(self.ordered, pre)
            while i < len(self.ordered) and self.ordered[i].startswith(pre):
                found.update(self.at[self.ordered[i]])
                i += 1
        return sorted(found)

    def has_prefix(self, prefix: str) -> bool:
        i = bisect.bisect_left(self.ordered, prefix)
        return i < len(self.ordered) and self.ordered[i].startswith(prefix)


@lru_cache(maxsize=32)
def _words_of(text: str) -> _Words:
    return _Words(text)


_Candidate = tuple[re.Pattern[str], list[int] | None]
_SCAN_BELOW = 600  # characters: shorter texts are scanned whole, longer ones only where a first word starts


class _PatternSet:
    """Patterns of one rule list, each compiled alone and tried only where its first word occurs.

    Quacks like a compiled regex (search/match/finditer) so the rule logic reads the same, but a
    turn only pays for the few patterns that could match it, at the few places they could start:
    this keeps a typical turn well under 1 ms and a 10,000-character turn bounded.
    """

    def __init__(self, entries: list[tuple[re.Pattern[str], tuple[set[str], set[str]] | None]]) -> None:
        self._entries = entries
        self._always: list[int] = []
        self._by_word: dict[str, list[int]] = {}
        self._by_prefix: list[tuple[str, int]] = []
        for i, (_, first) in enumerate(entries):
            if first is None:
                self._always.append(i)
                continue
            for w in first[0]:
                self._by_word.setdefault(w, []).append(i)
            for pre in first[1]:
                self._by_prefix.append((pre, i))
        self._memo: tuple[str, list[_Candidate]] | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def candidates(self, text: str) -> list[_Candidate]:
        """(pattern, start positions) for the patterns that can match; None = try everywhere."""
        if self._memo is not None and self._memo[0] is text:
            return self._memo[1]
        words = _words_of(text)
        chosen = set(self._always)
        for w in words.at:
            chosen.update(self._by_word.get(w, ()))
        for pre, i in self._by_prefix:
            if i not in chosen and words.has_prefix(pre):
                chosen.add(i)
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


def _compile_many(
    patterns: Iterable[str], classes: Mapping[str, str], where: str, anchors: Mapping[str, str] = _DEFAULT_ANCHORS
) -> _PatternSet | None:
    """Compile one rule list; a bad pattern is reported with its place in the data file."""
    entries: list[tuple[re.Pattern[str], tuple[set[str], set[str]] | None]] = []
    for i, pattern in enumerate(patterns):
        if not isinstance(pattern, str):
            raise ValueError(f"{RULES_PATH.name}: {where}[{i}] is not a text pattern: {pattern!r}")
        src = _prepare(pattern, classes)
        try:
            rx = re.compile(r"(?<!\w)(?:" + _sequence(src, anchors) + r")(?!\w)", re.M)
        except re.error as err:
            raise ValueError(f"{RULES_PATH.name}: {where}[{i}] {pattern!r}: {err}") from err
        entries.append((rx, _first_words(src)))
    return _PatternSet(entries) if entries else None


def _compile_raw(patterns: Iterable[str], where: str) -> re.Pattern[str] | None:
    sources = [fold(str(p)) for p in patterns]
    if not sources:
        return None
    try:
        return re.compile("|".join(f"(?:{s})" for s in sources), re.M)
    except re.error as err:
        raise ValueError(f"{RULES_PATH.name}: {where}: {err}") from err


# ---------------------------------------------------------------- the rule set


_Matcher = _PatternSet | re.Pattern[str]


@dataclass(frozen=True)
class _CodeRule:
    cues: _Matcher | None
    unless: _Matcher | None  # checked in the sentence of the hit
    unless_clause: _Matcher | None  # checked from the clause start up to the hit
    context_cues: _Matcher | None  # cues that only count when `context` occurs in the turn
    context: _Matcher | None


@dataclass(frozen=True)
class _WordClass:
    """A lemma class: words or lemmas, word prefixes ("filme*") and multi-word phrases."""

    words: frozenset[str]
    prefixes: tuple[str, ...]
    phrases: re.Pattern[str] | None


@dataclass(frozen=True)
class _Combo:
    """Word classes that together code a turn when they co-occur in one clause/sentence/turn, in any order."""

    code: str
    scope: str  # clause | sentence | turn
    all: tuple[str, ...]
    none: tuple[str, ...]
    first: tuple[str, ...]  # one of these must hold the scope's first word
    question: bool | None  # True: only in a question; False: never in a question


@dataclass(frozen=True)
class _Rules:
    abbreviations: tuple[str, ...]
    never_names: frozenset[str]
    clause_split: re.Pattern[str]
    hesitation: re.Pattern[str]
    fillers: _Matcher | None
    open_starts: _Matcher | None
    closed_starts: _Matcher | None
    not_questions: _Matcher | None
    open_cues: _Matcher | None
    open_cues_unless: _Matcher | None
    why: _Matcher | None
    why_statements: _Matcher | None
    leading: _Matcher | None
    leading_particles: _Matcher | None
    parentheticals: _Matcher | None
    finite_verbs: frozenset[str]
    subjects: frozenset[str]
    para_strong: _Matcher | None
    para_weak: _Matcher | None
    para_not: _Matcher | None
    para_not_weak: _Matcher | None
    para_weak_off: frozenset[str]
    para_off: frozenset[str]
    synonyms: Mapping[str, str]
    min_overlap_strong: int
    min_overlap_weak: int
    echo_min_overlap: int
    echo_min_share: float
    echo_allowed_with: frozenset[str]
    summary_cues: _Matcher | None
    enumeration: _Matcher | None
    summary_min_turns: int
    summary_min_overlap: int
    feeling_terms: _Matcher | None
    feeling_frame_terms: _Matcher | None
    feeling_tail: re.Pattern[str]
    feeling_frames: _Matcher | None
    perception_frames: _Matcher | None
    perception_terms: _Matcher | None
    experiencer: re.Pattern[str]
    other_experiencer: frozenset[str]
    experiencer_after: frozenset[str]
    transparent_after: frozenset[str]
    feeling_blockers: _Matcher | None
    feeling_blockers_before: _Matcher | None
    jargon_terms: _Matcher | None
    jargon_explained: _Matcher | None
    jargon_window: int
    code_rules: Mapping[str, _CodeRule]
    drops: Mapping[str, tuple[str, ...]]
    stop_words: frozenset[str]
    word_classes: Mapping[str, _WordClass]
    combos: tuple[_Combo, ...]
    echo_anchor: tuple[str, ...]
    echo_block: tuple[str, ...]
    perspective_verbs: str | None
    summary_weak_cues: _Matcher | None


def _section(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, Mapping):
        raise ValueError(f"{RULES_PATH.name}: '{key}' must be a mapping")
    return value


def _words(values: Iterable[Any]) -> frozenset[str]:
    return frozenset(fold(str(v)) for v in values)


def _synonym_map(groups: Iterable[Any]) -> dict[str, str]:
    """Every word of a synonym group -> the group's first word (its canonical form)."""
    out: dict[str, str] = {}
    for group in groups:
        words = [fold(str(w)).strip() for w in (group or [])]
        for w in words:
            if w:
                out.setdefault(w, words[0])
    return out


def _word_classes(raw: Mapping[str, Any]) -> dict[str, _WordClass]:
    out: dict[str, _WordClass] = {}
    for name, values in raw.items():
        words: set[str] = set()
        prefixes: list[str] = []
        phrases: list[str] = []
        for v in values or []:
            w = fold(str(v)).strip()
            if " " in w:
                phrases.append(r"(?<!\w)" + re.escape(w).replace(r"\ ", r"\s+") + r"(?!\w)")
            elif w.endswith("*"):
                prefixes.append(w[:-1])
            elif w:
                words.add(w)
        out[str(name)] = _WordClass(
            frozenset(words), tuple(prefixes), re.compile("|".join(phrases)) if phrases else None
        )
    return out


def _combos(raw: Mapping[str, Any], classes: Mapping[str, _WordClass]) -> tuple[_Combo, ...]:
    out: list[_Combo] = []
    for code, entries in raw.items():
        if code not in ALL_CODES:
            raise ValueError(f"{RULES_PATH.name}: combos mentions unknown code {code!r}")
        for i, entry in enumerate(entries or []):
            names = [*(entry.get("all") or []), *(entry.get("none") or []), *(entry.get("first") or [])]
            for n in names:
                if n not in classes and n not in _PSEUDO_CLASSES:
                    raise ValueError(f"{RULES_PATH.name}: combos.{code}[{i}] unknown word class {n!r}")
            q = entry.get("question")
            out.append(
                _Combo(
                    str(code),
                    str(entry.get("scope", "sentence")),
                    tuple(entry.get("all") or ()),
                    tuple(entry.get("none") or ()),
                    tuple(entry.get("first") or ()),
                    None if q is None else bool(q),
                )
            )
    return tuple(out)


def load_rules(path: Path = RULES_PATH) -> _Rules:
    """Read and compile the rule file; raises ValueError naming the bad pattern."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    classes = {str(k): fold(str(v)) for k, v in _section(data, "classes").items()}
    anchors = _anchors(str(w) for w in data.get("clause_start_words") or [])

    def many(section: Mapping[str, Any], key: str, where: str) -> _Matcher | None:
        return _compile_many(section.get(key) or [], classes, f"{where}.{key}", anchors)

    q = _section(data, "questions")
    para = _section(data, "paraphrase")
    summ = _section(data, "summary")
    feel = _section(data, "feeling")
    jar = _section(data, "jargon")
    fillers = sorted((fold(str(f)) for f in data.get("question_fillers") or []), key=len, reverse=True)
    filler_rx = (
        re.compile(r"^(?:(?:" + "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in fillers) + r")(?:[\s,]+|$))+")
        if fillers
        else None
    )
    code_rules = {}
    for code in _PATTERN_CODES:
        sec = _section(data, code)
        code_rules[code] = _CodeRule(
            many(sec, "cues", code),
            many(sec, "unless", code),
            many(sec, "unless_clause", code),
            many(sec, "context_cues", code),
            many(sec, "context", code),
        )
    drops_raw = _section(data, "drops")
    drops = {str(k): tuple(str(c) for c in (v or [])) for k, v in drops_raw.items()}
    for key, dropped in drops.items():
        for code in (key, *dropped):
            if code not in ALL_CODES:
                raise ValueError(f"{RULES_PATH.name}: drops mentions unknown code {code!r}")
    openers = "|".join(re.escape(fold(str(w))) for w in data.get("clause_openers") or []) or "(?!)"
    hesitations = "|".join(re.escape(fold(str(w))).replace(r"\ ", r"\s+") for w in data.get("hesitations") or [])
    word_classes = _word_classes(_section(data, "word_classes"))
    return _Rules(
        word_classes=word_classes,
        combos=_combos(_section(data, "combos"), word_classes),
        echo_anchor=tuple(str(c) for c in para.get("echo_anchor") or []),
        echo_block=tuple(str(c) for c in para.get("echo_block") or []),
        perspective_verbs=str(para["perspective_verbs"]) if para.get("perspective_verbs") else None,
        summary_weak_cues=many(summ, "weak_cues", "summary"),
        abbreviations=tuple(fold(str(a)) for a in data.get("abbreviations") or []),
        never_names=_words(data.get("never_names") or []),
        clause_split=re.compile(rf"[,:;]|\s(?=(?:{openers})\b)|\s-\s"),
        hesitation=re.compile(rf",(\s*(?:{hesitations or '(?!)'})\s*),"),
        fillers=filler_rx,
        open_starts=many(q, "open_starts", "questions"),
        closed_starts=many(q, "closed_starts", "questions"),
        not_questions=many(q, "not_questions", "questions"),
        open_cues=many(q, "open_cues", "questions"),
        open_cues_unless=many(q, "open_cues_unless", "questions"),
        why=many(q, "why", "questions"),
        why_statements=many(q, "why_statements", "questions"),
        leading=many(q, "leading", "questions"),
        leading_particles=_compile_raw(
            [rf"(?<!\w){p}(?!\w)" for p in q.get("leading_particles") or []], "questions.leading_particles"
        ),
        parentheticals=many(q, "parentheticals", "questions"),
        finite_verbs=_words(data.get("finite_verbs") or []),
        subjects=_words(data.get("subjects") or []),
        para_strong=many(para, "strong_cues", "paraphrase"),
        para_weak=many(para, "weak_cues", "paraphrase"),
        para_not=many(para, "not_paraphrase", "paraphrase"),
        para_not_weak=many(para, "not_weak_paraphrase", "paraphrase"),
        para_weak_off=frozenset(str(c) for c in para.get("weak_cues_off_with") or []),
        para_off=frozenset(str(c) for c in para.get("off_with") or []),
        synonyms=_synonym_map(data.get("synonyms") or []),
        min_overlap_strong=int(para.get("min_overlap_strong", 1)),
        min_overlap_weak=int(para.get("min_overlap_weak", 2)),
        echo_min_overlap=int(para.get("echo_min_overlap", 0)),
        echo_min_share=float(para.get("echo_min_share", 1.0)),
        echo_allowed_with=frozenset(str(c) for c in para.get("echo_allowed_with") or []),
        summary_cues=many(summ, "cues", "summary"),
        enumeration=_compile_raw(summ.get("enumeration") or [], "summary.enumeration"),
        summary_min_turns=int(summ.get("min_parent_turns", 2)),
        summary_min_overlap=int(summ.get("min_total_overlap", 3)),
        feeling_terms=many(feel, "terms", "feeling"),
        feeling_frame_terms=many(feel, "frame_terms", "feeling"),
        feeling_tail=re.compile(fold(str(feel.get("frame_term_tail") or r"^\s*[.!?]*\s*$"))),
        feeling_frames=many(feel, "empathy_frames", "feeling"),
        perception_frames=many(feel, "perception_frames", "feeling"),
        perception_terms=many(feel, "perception_terms", "feeling"),
        experiencer=re.compile(to_regex(str(feel.get("experiencer") or "(u|uw)"), classes)),
        other_experiencer=_words(feel.get("other_experiencer") or []),
        experiencer_after=_words(feel.get("experiencer_after") or []),
        transparent_after=_words(feel.get("transparent_after") or []),
        feeling_blockers=many(feel, "blockers", "feeling"),
        feeling_blockers_before=many(feel, "blockers_before", "feeling"),
        jargon_terms=many(jar, "terms", "jargon"),
        jargon_explained=many(jar, "explained_by", "jargon"),
        jargon_window=int(jar.get("explain_window", 90)),
        code_rules=code_rules,
        drops=drops,
        stop_words=_words(data.get("stop_words") or []),
    )


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    """The rules, loaded once per process."""
    return load_rules()


# ---------------------------------------------------------------- text structure

_SENT_END = re.compile(r"[?!]+[.!?]*[\"')\]]*|\.+[\"')\]]*(?=\s|$)|[;\n]")
_TOKEN = re.compile(r"\w+(?:'\w+)*")
_ALNUM = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class _Token:
    text: str  # folded
    start: int
    end: int
    name: bool  # capitalised inside a sentence: a name, not content


class _Turn:
    """A teacher turn in the shapes the rules need: folded text, sentences, clauses, tokens."""

    def __init__(self, text: str, rules: _Rules) -> None:
        self.text = text
        self.norm = fold(text)
        masked = self.norm
        for abbr in rules.abbreviations:
            if abbr in masked:
                masked = masked.replace(abbr, abbr.replace(".", "_"))
        self.sentences = _spans(masked, _SENT_END, 0, len(masked))
        # "ik zie dat u, eh, boos bent": hesitation between commas does not split a clause
        self.clause_text = rules.hesitation.sub(lambda m: " " + m.group(1) + " ", self.norm)
        self._clause_split = rules.clause_split
        self.tokens = self._tokenise(rules)
        self.token_starts = [t.start for t in self.tokens]

    def _tokenise(self, rules: _Rules) -> list[_Token]:
        starts = {s for s, _ in self.sentences}
        out: list[_Token] = []
        for m in _TOKEN.finditer(self.norm):
            original = self.text[m.start() : m.end()]
            sentence_initial = m.start() in starts or not self.norm[: m.start()].strip()
            is_name = (
                original[:1].isupper()
                and not original.isupper()
                and not sentence_initial
                and m.group() not in rules.never_names
            )
            out.append(_Token(m.group(), m.start(), m.end(), is_name))
        return out

    def tokens_in(self, start: int, end: int) -> list[_Token]:
        return [t for t in self.tokens if t.start >= start and t.end <= end]

    def clauses(self, start: int, end: int) -> list[tuple[int, int]]:
        return _spans(self.clause_text, self._clause_split, start, end, keep_delimiter=False)

    def clause_of(self, pos: int) -> tuple[int, int]:
        s, e = self.sentence_of(pos)
        for cs, ce in self.clauses(s, e):
            if cs <= pos < ce:
                return cs, ce
        return s, e

    def sentence_of(self, pos: int) -> tuple[int, int]:
        for s, e in self.sentences:
            if s <= pos < e:
                return s, e
        return 0, len(self.norm)


def _spans(
    text: str, splitter: re.Pattern[str], start: int, end: int, keep_delimiter: bool = True
) -> list[tuple[int, int]]:
    """Split text[start:end] at the splitter; trimmed spans that hold at least one letter or digit."""
    raw: list[tuple[int, int]] = []
    pos = start
    for m in splitter.finditer(text, start, end):
        raw.append((pos, m.end() if keep_delimiter else m.start()))
        pos = m.end()
    raw.append((pos, end))
    out: list[tuple[int, int]] = []
    for s, e in raw:
        while s < e and text[s] in " \n\"'-(":
            s += 1
        while e > s and text[e - 1] in " \n":
            e -= 1
        if e > s and _ALNUM.search(text, s, e):
            out.append((s, e))
    return out


def _search(rx: _Matcher | None, text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
    if rx is None:
        return None
    return rx.search(text, start, len(text) if end is None else end)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " ,;:\n\"'":
        start += 1
    while end > start and text[end - 1] in " ,;:\n":
        end -= 1
    return start, end


def _act(code: str, turn: _Turn, start: int, end: int) -> Act:
    start, end = _trimmed(turn.text, start, end)
    return Act(code, turn.text[start:end], start, end)


# ---------------------------------------------------------------- questions


def _strip_fillers(rules: _Rules, norm: str, start: int, end: int) -> int:
    if rules.fillers is None:
        return start
    m = rules.fillers.match(norm[start:end])
    return start + m.end() if m else start


def _is_finite_verb(rules: _Rules, word: str) -> bool:
    if word in rules.finite_verbs:
        return True
    lem = lemma(word)
    return lem != word and lem.endswith("en") and word.endswith(("t", "de", "te"))


def _clause_question_type(rules: _Rules, turn: _Turn, start: int, end: int, asked: bool) -> str | None:
    """The kind of question one clause asks, if any. `asked`: the sentence ends in '?'."""
    norm = turn.norm
    s = _strip_fillers(rules, norm, start, end)
    if s >= end or _match_at(rules.parentheticals, norm, s, end):
        return None
    if _search(rules.why, norm, s, end):
        return "why_question"
    if asked and (_search(rules.leading, norm, s, end) or _leading_particle(rules, norm, s, end)):
        return "leading_question"
    head = rules.not_questions.match(norm, s, end) if rules.not_questions else None
    if head:
        return "open_question" if _search(rules.open_cues, norm, s, end) else None
    words = turn.tokens_in(s, end)
    verb_next = len(words) > 1 and _is_finite_verb(rules, words[1].text)
    wh_open = _match_at(rules.open_starts, norm, s, end)
    wh_closed = _match_at(rules.closed_starts, norm, s, end)
    if wh_open and wh_open.group().strip().startswith("waar") and not norm.startswith("waarom", s):
        return "open_question" if (asked or verb_next) else None
    if wh_closed:
        return "closed_question" if (asked or verb_next) else None
    if wh_open:
        return "open_question" if (asked or verb_next) else None
    if _search(rules.open_cues, norm, s, end) and not _search(rules.open_cues_unless, norm, *turn.sentence_of(s)):
        return "open_question"
    if not asked:
        return None
    if words and _is_finite_verb(rules, words[0].text) and len(words) > 1:
        second = words[1]
        if second.text in rules.subjects or second.name:
            return "closed_question"
    return None


def _match_at(rx: _Matcher | None, text: str, start: int, end: int) -> re.Match[str] | None:
    return rx.match(text, start, end) if rx is not None else None


def _leading_particle(rules: _Rules, norm: str, start: int, end: int) -> bool:
    m = _search(rules.leading_particles, norm, start, end)
    return bool(m and m.start() > start)


def _questions(rules: _Rules, turn: _Turn, feeling: Act | None) -> dict[str, Act]:
    """Question types per clause; an untyped question sentence is closed ("U bent het niet eens?"),
    unless it is a tentative feeling reflection ("Ik zie dat u boos bent misschien?")."""
    found: dict[str, Act] = {}

    def add(code: str, s: int, e: int) -> None:
        if code not in found:
            found[code] = _act(code, turn, s, e)

    for s, e in turn.sentences:
        asked = "?" in turn.norm[s:e]
        if not asked:
            m = _search(rules.why_statements, turn.norm, s, e)
            if m:
                add("why_question", s, e)
        typed = False
        for cs, ce in turn.clauses(s, e):
            kind = _clause_question_type(rules, turn, cs, ce, asked)
            if kind:
                add(kind, cs, min(e, ce + 1) if asked and ce < e and turn.norm[ce] == "?" else ce)
                typed = True
        reflects = feeling is not None and s <= feeling.start < e
        if asked and not typed and not reflects and turn.tokens_in(s, e):
            add("closed_question", s, e)
    return found


# ---------------------------------------------------------------- feelings


def _between_ok(rules: _Rules, turn: _Turn, a: int, b: int) -> bool:
    """No other person named between positions a and b (so the feeling stays the parent's)."""
    lo, hi = min(a, b), max(a, b)
    between = turn.tokens_in(lo, hi)
    if len(between) > 8:
        return False
    for i, t in enumerate(between):
        if i and between[i - 1].text in rules.transparent_after:
            continue
        if t.text in rules.other_experiencer or t.name:
            return False
    return True


def _blocked_before(rules: _Rules, turn: _Turn, cs: int, pos: int) -> bool:
    """A conditional ("als u ...") before the feeling word turns it into a condition, not a reflection."""
    m = _search(rules.feeling_blockers_before, turn.norm, cs, pos)
    return m is not None


def _feeling(rules: _Rules, turn: _Turn) -> Act | None:
    """A feeling word attributed to the parent, or framed with empathy ("Dat moet schrikken zijn")."""
    norm = turn.norm
    for s, e in turn.sentences:
        for cs, ce in turn.clauses(s, e):
            if _search(rules.feeling_blockers, norm, cs, ce):
                continue
            frame = _search(rules.feeling_frames, norm, cs, ce)
            perception = _search(rules.perception_frames, norm, cs, ce)
            parent_named = _search(rules.experiencer, norm, cs, ce) is not None
            if perception and parent_named and (frame is None or perception.start() < frame.start()):
                frame = perception
            if perception and not parent_named:
                m = _search(rules.perception_terms, norm, perception.end(), ce)
                if m and _between_ok(rules, turn, perception.end(), m.start()):
                    return _act("feeling_reflection", turn, perception.start(), m.end())
            if rules.feeling_terms is not None:
                for m in rules.feeling_terms.finditer(norm, cs, ce):
                    if _blocked_before(rules, turn, cs, m.start()):
                        continue
                    if frame and frame.start() <= m.start():
                        gap_from = frame.end() if frame.end() <= m.start() else frame.start()
                        if _between_ok(rules, turn, gap_from, m.start()):
                            return _act("feeling_reflection", turn, frame.start(), max(m.end(), frame.end()))
                    for p in rules.experiencer.finditer(norm, cs, ce):
                        inside = p.start() >= m.start() and p.end() <= m.end()
                        if inside or (p.end() <= m.start() and _between_ok(rules, turn, p.end(), m.start())):
                            return _act("feeling_reflection", turn, min(p.start(), m.start()), m.end())
                        if p.start() >= m.end() and norm[m.end() : p.start()].strip() in rules.experiencer_after:
                            return _act("feeling_reflection", turn, m.start(), p.end())
            if frame and rules.feeling_frame_terms is not None:
                for m in rules.feeling_frame_terms.finditer(norm, frame.start(), ce):
                    if _blocked_before(rules, turn, cs, m.start()):
                        continue
                    gap_from = frame.end() if frame.end() <= m.start() else frame.start()
                    if rules.feeling_tail.match(norm[m.end() : ce]) and _between_ok(rules, turn, gap_from, m.start()):
                        return _act("feeling_reflection", turn, frame.start(), max(m.end(), frame.end()))
    return None


# ---------------------------------------------------------------- paraphrase and summary


def _content(rules: _Rules, tokens: Iterable[_Token], skip: Sequence[tuple[int, int]] = ()) -> list[tuple[str, _Token]]:
    """(lemma, token) for the content words: no stop words, no names, nothing inside `skip` spans."""
    out: list[tuple[str, _Token]] = []
    for t in tokens:
        if t.name or len(t.text) < 3 or t.text in rules.stop_words or t.text.isdigit():
            continue
        if any(a <= t.start < b for a, b in skip):
            continue
        lem = lemma(t.text)
        if lem in rules.stop_words or len(lem) < 3:
            continue
        out.append((rules.synonyms.get(t.text) or rules.synonyms.get(lem) or lem, t))
    return out


class _Vocabulary:
    """Content lemmas of a parent turn, indexed for fast fuzzy lookup."""

    def __init__(self, lemmas: Iterable[str]) -> None:
        self.exact = set(lemmas)
        self.by_head: dict[str, list[str]] = {}
        for w in self.exact:
            self.by_head.setdefault(w[:4], []).append(w)

    def __contains__(self, word: str) -> bool:
        if word in self.exact:
            return True
        return any(_related(word, other) for other in self.by_head.get(word[:4], ()))


def _related(a: str, b: str) -> bool:
    """Same word family: one is a prefix of the other, or they share most of their stem."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 4 and long_.startswith(short):
        return True
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= 5 and common >= 0.7 * len(short)


def _parent_texts(parent_before: str | None, history: Sequence[tuple[str, str]]) -> list[str]:
    """Earlier parent turns, oldest first; parent_before counts as the last one."""
    texts = [t for speaker, t in history if speaker == "parent" and t]
    if parent_before and (not texts or fold(texts[-1]).strip() != fold(parent_before).strip()):
        texts.append(parent_before)
    return texts


def _parent_vocab(rules: _Rules, text: str) -> _Vocabulary:
    if rules is _rules():
        return _cached_parent_vocab(text)
    parent = _Turn(text, rules)
    return _Vocabulary(lem for lem, _ in _content(rules, parent.tokens))


@lru_cache(maxsize=256)
def _cached_parent_vocab(text: str) -> _Vocabulary:
    """Parent turns come back in every later turn's history, so their words are read once."""
    rules = _rules()
    return _Vocabulary(lem for lem, _ in _content(rules, _Turn(text, rules).tokens))


def _feeling_spans(rules: _Rules, turn: _Turn, s: int, e: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for rx in (rules.feeling_terms, rules.feeling_frame_terms):
        if rx is not None:
            spans.extend(m.span() for m in rx.finditer(turn.norm, s, e))
    return spans


def _overlap_evidence(turn: _Turn, words: list[_Token]) -> str:
    seen: list[str] = []
    for t in sorted(words, key=lambda t: t.start):
        w = turn.text[t.start : t.end]
        if w.lower() not in (x.lower() for x in seen):
            seen.append(w)
    return ", ".join(seen[:8])


def _paraphrase(rules: _Rules, turn: _Turn, parent: str, feeling: bool, codes: set[str]) -> Act | None:
    """Content words of the parent's last turn said back, marked by a cue.

    A strong cue ("Als ik u goed begrijp") needs one shared content word, a weak one ("U ...",
    "Dus ...") two. In a sentence that reflects a feeling, the feeling frame often doubles as the
    cue, so two shared words are needed there too. A turn that sets a boundary describes the
    parent's behaviour ("U roept, en dat gaat mij te ver"): that is not saying back, so weak cues
    are off there.

    Without any cue, a sentence can still be an echo of the parent's turn: most of its content
    words come from that turn ("Ze oefent thuis hard, en toch is haar rapport achteruitgegaan").
    That only counts in a turn that does nothing else (no boundary, no defence, no question word)
    and not in a sentence spoken from the school's side.
    """
    vocab = _parent_vocab(rules, parent)
    if not vocab.exact or codes & rules.para_off:
        return None
    norm = turn.norm
    for s, e in turn.sentences:
        if _match_at(rules.para_not, norm, s, e):
            continue
        strong_m = _search(rules.para_strong, norm, s, e)
        strong = strong_m.span() if strong_m else None
        if strong is None and not codes & rules.para_weak_off:
            strong = _perspective_cue(rules, turn, s, e)
        feeling_spans = _feeling_spans(rules, turn, s, e)
        skip = [*feeling_spans, strong] if strong else feeling_spans
        hits = [t for lem, t in _content(rules, turn.tokens_in(s, e), skip) if lem in vocab]
        distinct = {lem for lem, t in _content(rules, hits)}
        felt = feeling and bool(feeling_spans)
        if strong and len(distinct) >= (rules.min_overlap_weak if felt else rules.min_overlap_strong):
            return Act("paraphrase", _overlap_evidence(turn, hits))
        if strong or not _search(rules.para_weak, norm, s, e) or codes & rules.para_weak_off:
            continue
        if _match_at(rules.para_not_weak, norm, s, e):
            continue
        wh = bool(codes & {"open_question", "why_question", "leading_question"}) and "?" in norm[s:e]
        if not wh and len(distinct) >= rules.min_overlap_weak:
            return Act("paraphrase", _overlap_evidence(turn, hits))
    if rules.echo_min_overlap <= 0 or codes - rules.echo_allowed_with:
        return None
    for s, e in turn.sentences:
        if _match_at(rules.para_not, norm, s, e) or _match_at(rules.para_not_weak, norm, s, e):
            continue
        if rules.echo_anchor or rules.echo_block:
            present, _ = _classes_in(rules, turn, s, e)
            if rules.echo_anchor and not any(c in present for c in rules.echo_anchor):
                continue
            if any(c in present for c in rules.echo_block):
                continue
        content = _content(rules, turn.tokens_in(s, e), _feeling_spans(rules, turn, s, e))
        own = {lem for lem, _ in content}
        shared = {lem for lem in own if lem in vocab}
        if len(shared) >= rules.echo_min_overlap and len(shared) >= rules.echo_min_share * len(own):
            return Act("paraphrase", _overlap_evidence(turn, [t for lem, t in content if lem in shared]))
    return None


def _perspective_cue(rules: _Rules, turn: _Turn, s: int, e: int) -> tuple[int, int] | None:
    """The parent (u/je/jullie) within three words of a perception/report verb, in a statement
    not spoken from the teacher's side: "U had het gevoel dat ...", "Wat ze u thuis vertelt"."""
    if rules.perspective_verbs is None or "?" in turn.norm[s:e]:
        return None
    toks = [t for t in _span_tokens(turn, s, e) if t.end <= e]
    if not toks or toks[0].text in ("ik", "wij", "we"):
        return None
    for i, t in enumerate(toks):
        if t.text not in _ADDRESSEES:
            continue
        for j in range(max(0, i - 3), min(len(toks), i + 4)):
            if j != i and rules.perspective_verbs in _token_classes(rules, toks[j].text):
                a, b = sorted((t, toks[j]), key=lambda x: x.start)
                return a.start, b.end
    return None


def _summary(rules: _Rules, turn: _Turn, parents: list[str]) -> Act | None:
    norm = turn.norm
    cue = _search(rules.summary_cues, norm)
    recent = parents[-6:]
    vocabs = [_parent_vocab(rules, p) for p in recent]
    content = _content(rules, turn.tokens, _feeling_spans(rules, turn, 0, len(norm)))
    owner: dict[str, int] = {}
    hits: list[_Token] = []
    for lem, tok in content:
        for i in range(len(vocabs) - 1, -1, -1):
            if lem in vocabs[i]:
                owner.setdefault(lem, i)
                hits.append(tok)
                break
    turns_hit = len(set(owner.values()))
    after = norm[cue.end() :] if cue else norm
    enumerated = bool(rules.enumeration and rules.enumeration.search(after))
    if cue:
        if enumerated or turns_hit >= rules.summary_min_turns:
            if hits:
                return Act("summary", _overlap_evidence(turn, hits))
            return _act("summary", turn, *cue.span())
        return None
    if len(recent) < rules.summary_min_turns or turns_hit < rules.summary_min_turns:
        return None
    weak = _search(rules.summary_weak_cues, norm)
    if weak and hits:
        return Act("summary", _overlap_evidence(turn, hits))
    if len(owner) < rules.summary_min_overlap or not enumerated:
        return None
    framed = any(
        not _match_at(rules.para_not, norm, s, e)
        and (
            _search(rules.para_strong, norm, s, e)
            or (_search(rules.para_weak, norm, s, e) and not _match_at(rules.para_not_weak, norm, s, e))
        )
        for s, e in turn.sentences
    )
    return Act("summary", _overlap_evidence(turn, hits)) if framed else None


# ---------------------------------------------------------------- jargon and pattern codes


def _jargon(rules: _Rules, turn: _Turn) -> Act | None:
    if rules.jargon_terms is None:
        return None
    norm = turn.norm
    w = rules.jargon_window
    for m in rules.jargon_terms.finditer(norm):
        before = _search(rules.jargon_explained, norm, max(0, m.start() - w), m.start())
        after = _search(rules.jargon_explained, norm, m.end(), min(len(norm), m.end() + w))
        if after and after.group() in (":", "(", " - ") and after.start() > m.end() + 3:
            after = None
        if before and before.group() in (":", "(", " - "):
            before = None
        if not before and not after:
            return _act("jargon", turn, *m.span())
    return None


def _pattern_code(rule: _CodeRule, turn: _Turn) -> tuple[int, int] | None:
    """The span of the first cue hit that no `unless` rule cancels."""
    candidates: list[re.Match[str]] = []
    if rule.cues is not None:
        candidates.extend(rule.cues.finditer(turn.norm))
    if rule.context_cues is not None and rule.context is not None and rule.context.search(turn.norm):
        candidates.extend(rule.context_cues.finditer(turn.norm))
    for m in sorted(candidates, key=lambda m: m.start()):
        if m.end() == m.start():
            continue
        if rule.unless is not None:
            s, e = turn.sentence_of(m.start())
            if rule.unless.search(turn.norm, s, e):
                continue
        if rule.unless_clause is not None:
            cs, _ = turn.clause_of(m.start())
            if rule.unless_clause.search(turn.norm, cs, m.end()):
                continue
        return m.span()
    return None


# ---------------------------------------------------------------- word-class combinations

_PSEUDO_CLASSES = frozenset({"imperative", "fronted_verb_u"})
_ADDRESSEES = frozenset({"u", "je", "jij", "jullie"})
_NOT_AFTER_IMPERATIVE = frozenset({"u", "je", "jij", "ik", "we", "wij", "jullie", "hij", "het", "dat", "er", "dit"})
_CLASS_CACHE: dict[tuple[int, str], frozenset[str]] = {}


def _token_classes(rules: _Rules, word: str) -> frozenset[str]:
    """The word classes one folded word belongs to, by the word itself or its lemma."""
    key = (id(rules.word_classes), word)
    hit = _CLASS_CACHE.get(key)
    if hit is not None:
        return hit
    lem = lemma(word)
    found = frozenset(
        name
        for name, wc in rules.word_classes.items()
        if word in wc.words or lem in wc.words or any(word.startswith(p) or lem.startswith(p) for p in wc.prefixes)
    )
    if len(_CLASS_CACHE) > 50_000:
        _CLASS_CACHE.clear()
    _CLASS_CACHE[key] = found
    return found


_LENGTHEN = re.compile(r"^(.*?)([aeou])([^aeiouy])$")


def _is_stem(word: str, lem: str) -> bool:
    """Is the word the bare stem of its verb lemma ("neem" of "nemen", "zet" of "zetten")?"""
    if lem == word or not lem.endswith("en") or len(lem) < 4:
        return False
    stem = lem[:-2]
    forms = {stem, lem[:-1]}
    if len(stem) > 1 and stem[-1] == stem[-2]:
        forms.add(stem[:-1])
    for f in list(forms):
        forms.add(f[:-1] + {"v": "f", "z": "s"}.get(f[-1:], f[-1:]))
    for f in list(forms):
        m = _LENGTHEN.match(f)
        if m and not m.group(1).endswith(m.group(2)) and not re.search(r"[aeiou]$", m.group(1)):
            forms.add(m.group(1) + m.group(2) * 2 + m.group(3))
    return word in forms


def _span_tokens(turn: _Turn, start: int, end: int) -> list[_Token]:
    starts = turn.token_starts
    return turn.tokens[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]


def _classes_in(rules: _Rules, turn: _Turn, start: int, end: int) -> tuple[set[str], frozenset[str]]:
    """(classes anywhere in the span, classes of its first word)."""
    toks = [t for t in _span_tokens(turn, start, end) if t.end <= end]
    found: set[str] = set()
    for t in toks:
        found |= _token_classes(rules, t.text)
    seg = turn.norm[start:end]
    for name, wc in rules.word_classes.items():
        if wc.phrases is not None and wc.phrases.search(seg):
            found.add(name)
    first: frozenset[str] = _token_classes(rules, toks[0].text) if toks else frozenset()
    if len(toks) > 1:
        w0, w1 = toks[0].text, toks[1].text
        lem = lemma(w0)
        pseudo: set[str] = set()
        if _is_stem(w0, lem) and w0 not in rules.subjects and w1 not in _NOT_AFTER_IMPERATIVE:
            pseudo.add("imperative")
        if w1 in _ADDRESSEES and _is_finite_verb(rules, w0):
            pseudo.add("fronted_verb_u")
        if pseudo:
            found |= pseudo
            first = first | pseudo
    return found, first


def _combo_codes(rules: _Rules, turn: _Turn, found: Mapping[str, Act]) -> dict[str, Act]:
    """Codes whose word classes co-occur in one clause, sentence or turn, in any order."""
    out: dict[str, Act] = {}
    memo: dict[tuple[int, int], tuple[set[str], frozenset[str]]] = {}
    spans: dict[str, list[tuple[int, int]]] = {}
    for combo in rules.combos:
        if combo.code in found or combo.code in out:
            continue
        if combo.scope not in spans:
            if combo.scope == "turn":
                spans["turn"] = [(0, len(turn.norm))]
            elif combo.scope == "clause":
                spans["clause"] = [c for s, e in turn.sentences for c in turn.clauses(s, e)]
            else:
                spans[combo.scope] = list(turn.sentences)
        for s, e in spans[combo.scope]:
            if combo.question is not None and (("?" in turn.norm[s:e]) != combo.question):
                continue
            if (s, e) not in memo:
                memo[(s, e)] = _classes_in(rules, turn, s, e)
            present, first = memo[(s, e)]
            if not all(c in present for c in combo.all) or any(c in present for c in combo.none):
                continue
            if combo.first and not any(c in first for c in combo.first):
                continue
            out[combo.code] = _act(combo.code, turn, s, e)
            break
    return out


# ---------------------------------------------------------------- public interface


def _clean_history(history: Any) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if not history or isinstance(history, str | bytes):
        return out
    try:
        items = list(history)
    except TypeError:
        return out
    for item in items:
        speaker: Any = None
        text: Any = None
        if isinstance(item, Mapping):
            speaker = item.get("speaker", item.get("role"))
            text = item.get("text", item.get("content"))
        elif isinstance(item, Sequence) and not isinstance(item, str | bytes) and len(item) >= 2:
            speaker, text = item[0], item[1]
        if isinstance(speaker, str) and isinstance(text, str):
            out.append((speaker.strip().lower(), text))
    return out


def history_from_json(value: Any) -> list[tuple[str, str]]:
    """History from JSON: a list of [speaker, text] pairs or {"speaker", "text"} objects."""
    return _clean_history(value)


def recognise(text: str, parent_before: str | None = None, history: Sequence[tuple[str, str]] = ()) -> list[Act]:
    """The acts in one teacher turn, at most one per code, in `ALL_CODES` order.

    history = the (speaker, text) turns BEFORE this teacher turn; speaker is 'teacher' or
    'parent'. If parent_before is None, the last parent turn in history is used.
    """
    if not isinstance(text, str) or not text.strip():
        return []
    rules = _rules()
    turn = _Turn(text, rules)
    hist = _clean_history(history)
    parent = parent_before if isinstance(parent_before, str) and parent_before.strip() else None
    parents = _parent_texts(parent, hist)
    if parent is None and parents:
        parent = parents[-1]

    feeling = _feeling(rules, turn)
    found: dict[str, Act] = dict(_questions(rules, turn, feeling))
    if feeling:
        found["feeling_reflection"] = feeling
    for code, rule in rules.code_rules.items():
        span = _pattern_code(rule, turn)
        if span:
            found[code] = _act(code, turn, *span)
    combo = _combo_codes(rules, turn, found)
    lead, closed = combo.get("leading_question"), found.get("closed_question")
    if lead and closed and lead.start <= closed.start < lead.end:  # one type per question
        del found["closed_question"]
    found.update(combo)
    # A paraphrase reflects; a turn that advises, defends, limits or attacks is not a reflection,
    # even when it reuses the parent's words (the codebook and every labelled set agree).
    if parent and not set(found) - REFLECTION_COMPANIONS:
        para = _paraphrase(rules, turn, parent, feeling is not None, set(found))
        if para:
            found["paraphrase"] = para
    summary = _summary(rules, turn, parents)
    if summary:
        found["summary"] = summary
    jargon = _jargon(rules, turn)
    if jargon:
        found["jargon"] = jargon
    for winner, losers in rules.drops.items():
        if winner in found:
            for loser in losers:
                found.pop(loser, None)
    return [found[c] for c in ALL_CODES if c in found]


def codes_of(acts: Iterable[Act]) -> list[str]:
    """Just the codes, in order: what the engine's effect tables and the gold set compare."""
    return [a.code for a in acts]
