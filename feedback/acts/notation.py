"""The pattern notation of `act_rules.yaml`, translated into regular expressions.

Trainers write patterns as words with a few marks ("(a|b)", "[optional]", "~" for a few words,
"^" for a clause start); this module turns one pattern into a regex and finds the words any
match must start with, so a turn only pays for patterns that could match it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from feedback.text import fold

_SEP = r"(?>[\s\"()\-]*[\s,][\s,\"()\-]*)"
_WORD = r"[^\s,.!?;:]+"
_SENTENCE_START = r"(?:^|(?<=[.!?;:\n])|(?<=[.!?;:]\s)|(?<=[.!?;:]\s\s))"
_COMMA_START = r"(?:^|(?<=[.!?;:,\n])|(?<=[.!?;:,]\s)|(?<=[.!?;:,]\s\s))"
_WILDCARDS = {"~": 2, "*": 4, "**": 10}
_CLASS_RE = re.compile(r"\{([a-z_]+)\}")
_GROUP_RE = re.compile(r"\((?!\?)((?:[^()]|\([^()]*\))*)\)")
_LEAD_WORD = re.compile(r"'*([\w']+)(\\w[*+])?")


def anchors(clause_words: Iterable[str] = ()) -> dict[str, str]:
    """The anchor tokens: ^ also matches after a clause-opening word ("en", "maar" ... from the data)."""
    after_words = "".join(rf"|(?<=\b{re.escape(fold(w))}\s)" for w in clause_words if w.strip())
    start = r"(?:^|(?<=[.!?;:,(\"\n])|(?<=[.!?;:,(\"]\s)|(?<=[.!?;:,(\"]\s\s)" + after_words + ")"
    return {"^": start, "^^": _SENTENCE_START, "^,": _COMMA_START}


DEFAULT_ANCHORS = anchors()


# ------------------------------------------------------------ one bracket scanner for all uses


def _walk(src: str) -> Iterator[tuple[int, str, int, bool]]:
    """(index, char, bracket depth after it, escaped) for each character of a pattern."""
    depth = 0
    escaped = False
    for i, ch in enumerate(src):
        if escaped:
            escaped = False
            yield i, ch, depth, True
            continue
        if ch == "\\":
            escaped = True
            yield i, ch, depth, True
            continue
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        yield i, ch, depth, False


def split_top(src: str, sep: str) -> list[str]:
    """Split a pattern on `sep` where it is outside brackets (spaces: empty parts dropped)."""
    parts: list[str] = []
    current: list[str] = []
    for _, ch, depth, escaped in _walk(src):
        if ch == sep and depth == 0 and not escaped:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return [p for p in parts if p] if sep == " " else parts


def _group_close(token: str) -> int | None:
    """Where the bracket opened at token[0] closes, or None."""
    if not token or token[0] != "(":
        return None
    for i, ch, depth, escaped in _walk(token):
        if not escaped and ch in ")]" and depth == 0:
            return i
    return None


def outer_group(token: str) -> tuple[str, str] | None:
    """`(a|b)?` -> ("a|b", "?"); `[a|b]` -> ("a|b", "?") when the brackets enclose the whole token."""
    if token.startswith("[") and token.endswith("]") and len(token) > 2:
        return token[1:-1], "?"
    if len(token) < 3 or token[-1] not in "?*+" or _group_close(token) != len(token) - 2:
        return None
    return token[1:-2], token[-1]


def whole_group(token: str) -> str | None:
    """The body of "(a|b)" when the parentheses enclose the whole token."""
    if len(token) < 2 or token[-1] != ")" or _group_close(token) != len(token) - 1:
        return None
    return token[1:-1]


# ------------------------------------------------------------ notation -> regex


def _body(src: str, anchor_map: Mapping[str, str]) -> str:
    """A group body: alternatives, each a word sequence in the pattern notation."""
    if src.startswith("?"):  # a raw lookaround or non-capturing group: leave it alone
        return src
    out: list[str] = []
    for alt in split_top(src, "|"):
        lead = _SEP if alt.startswith(" ") and alt.strip() else ""
        trail = _SEP if alt.endswith(" ") and alt.strip() else ""
        out.append(lead + sequence(alt, anchor_map) + trail)
    return "|".join(out)


def sequence(src: str, anchor_map: Mapping[str, str] = DEFAULT_ANCHORS) -> str:
    """Words separated by spaces -> regex; optional words carry their own separator."""
    parts: list[str] = []
    started = False
    for token in split_top(src, " "):
        if token in anchor_map:
            parts.append(anchor_map[token])
            continue
        if token in _WILDCARDS:
            n = _WILDCARDS[token]
            parts.append(f"(?:{_SEP}{_WORD}){{0,{n}}}" if started else f"(?:{_WORD}{_SEP}){{0,{n}}}")
            continue
        group = outer_group(token)
        if group is not None:
            body = _body(group[0], anchor_map)
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
            token = _GROUP_RE.sub(lambda m: "(" + _body(m.group(1), anchor_map) + ")", token)
        parts.append((_SEP if started else "") + f"(?:{token})")
        started = True
    return "".join(parts)


def prepare(src: str, classes: Mapping[str, str] | None) -> str:
    """Fold, fill in {classes} and wrap a top-level alternation, ready for `sequence`."""
    src = fold(src.strip())
    if classes:
        for _ in range(3):  # classes may mention other classes
            src = _CLASS_RE.sub(lambda m: classes.get(m.group(1), m.group(0)), src)
    if len(split_top(src, "|")) > 1 and " " in src:
        src = f"({src})"
    return src


def whole_words(regex: str) -> str:
    """A regex that only matches whole words."""
    return r"(?<!\w)(?:" + regex + r")(?!\w)"


def to_regex(src: str, classes: Mapping[str, str] | None = None) -> str:
    """Translate one pattern of the data file's notation into a regular expression."""
    return whole_words(sequence(prepare(src, classes)))


def first_words(src: str) -> tuple[set[str], set[str]] | None:
    """Words (and word prefixes) one of which must start any match; None when that is unknown.

    Used only to skip patterns that cannot match a turn, so None is always safe.
    """
    words: set[str] = set()
    prefixes: set[str] = set()
    for token in split_top(src, " "):
        if token in DEFAULT_ANCHORS:
            continue
        if token in _WILDCARDS:
            return None
        group = outer_group(token)
        body = group[0] if group else whole_group(token)
        optional = bool(group) and group is not None and group[1] in "?*"
        if body is not None:
            if body.startswith("?"):
                return None
            for alt in split_top(body, "|"):
                found = first_words(alt.strip())
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
