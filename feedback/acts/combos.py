"""Word classes and their combinations: codes that need several kinds of word in one clause.

"Het advies blijft staan" is holds_position because a decision word and a staying verb meet in
one sentence, in any order; listing every order as a pattern would be endless.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from feedback.acts.rules import Rules
from feedback.acts.turn import Act, Token, Turn, act, is_finite_verb
from feedback.text import lemma

ADDRESSEES = frozenset({"u", "je", "jij", "jullie"})
_NOT_AFTER_IMPERATIVE = frozenset({"u", "je", "jij", "ik", "we", "wij", "jullie", "hij", "het", "dat", "er", "dit"})
_CLASS_CACHE: dict[tuple[int, str], frozenset[str]] = {}
_LENGTHEN = re.compile(r"^(.*?)([aeou])([^aeiouy])$")


def token_classes(rules: Rules, word: str) -> frozenset[str]:
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


def is_stem(word: str, lem: str) -> bool:
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


def classes_in(rules: Rules, turn: Turn, start: int, end: int) -> tuple[set[str], frozenset[str]]:
    """(classes anywhere in the span, classes of its first word)."""
    toks: list[Token] = turn.tokens_in(start, end)
    found: set[str] = set()
    for t in toks:
        found |= token_classes(rules, t.text)
    seg = turn.norm[start:end]
    for name, wc in rules.word_classes.items():
        if wc.phrases is not None and wc.phrases.search(seg):
            found.add(name)
    first: frozenset[str] = token_classes(rules, toks[0].text) if toks else frozenset()
    if len(toks) > 1:
        w0, w1 = toks[0].text, toks[1].text
        pseudo: set[str] = set()
        if is_stem(w0, lemma(w0)) and w0 not in rules.subjects and w1 not in _NOT_AFTER_IMPERATIVE:
            pseudo.add("imperative")
        if w1 in ADDRESSEES and is_finite_verb(rules, w0):
            pseudo.add("fronted_verb_u")
        if pseudo:
            found |= pseudo
            first = first | pseudo
    return found, first


def combo_codes(rules: Rules, turn: Turn, found: Mapping[str, Act]) -> dict[str, Act]:
    """Codes whose word classes co-occur in one clause, sentence or turn, in any order."""
    out: dict[str, Act] = {}
    memo: dict[tuple[int, int], tuple[set[str], frozenset[str]]] = {}
    scopes: dict[str, list[tuple[int, int]]] = {}
    for combo in rules.combos:
        if combo.code in found or combo.code in out:
            continue
        if combo.scope not in scopes:
            if combo.scope == "turn":
                scopes["turn"] = [(0, len(turn.norm))]
            elif combo.scope == "clause":
                scopes["clause"] = [c for s, e in turn.sentences for c in turn.clauses(s, e)]
            else:
                scopes[combo.scope] = list(turn.sentences)
        for s, e in scopes[combo.scope]:
            if combo.question is not None and (("?" in turn.norm[s:e]) != combo.question):
                continue
            if (s, e) not in memo:
                memo[(s, e)] = classes_in(rules, turn, s, e)
            present, first = memo[(s, e)]
            if not all(c in present for c in combo.all) or any(c in present for c in combo.none):
                continue
            if combo.first and not any(c in first for c in combo.first):
                continue
            out[combo.code] = act(combo.code, turn, s, e)
            break
    return out
