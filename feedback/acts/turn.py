"""A teacher turn in the shapes the rules need: folded text, sentences, clauses, word tokens."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from feedback.acts.rules import Rules
from feedback.text import SENTENCE_END_RE, WORD_RE, fold, lemma, spans


@dataclass(frozen=True)
class Act:
    """One recognised conversation act and the words that triggered it."""

    code: str
    evidence: str
    start: int = -1
    end: int = -1


@dataclass(frozen=True)
class Token:
    text: str  # folded
    start: int
    end: int
    name: bool  # capitalised inside a sentence: a name, not content


class Turn:
    """One text, cut once: folded text, sentence spans, clause spans on demand, tokens."""

    def __init__(self, text: str, rules: Rules) -> None:
        self.text = text
        self.norm = fold(text)
        masked = self.norm
        for abbr in rules.abbreviations:
            if abbr in masked:
                masked = masked.replace(abbr, abbr.replace(".", "_"))
        self.sentences = spans(masked, SENTENCE_END_RE, 0, len(masked))
        # "ik zie dat u, eh, boos bent": hesitation between commas does not split a clause
        self.clause_text = rules.hesitation.sub(lambda m: " " + m.group(1) + " ", self.norm)
        self._clause_split = rules.clause_split
        self.tokens = self._tokenise(rules)
        self.token_starts = [t.start for t in self.tokens]
        self._clauses: dict[tuple[int, int], list[tuple[int, int]]] = {}

    def _tokenise(self, rules: Rules) -> list[Token]:
        starts = {s for s, _ in self.sentences}
        out: list[Token] = []
        for m in WORD_RE.finditer(self.norm):
            original = self.text[m.start() : m.end()]
            sentence_initial = m.start() in starts or not self.norm[: m.start()].strip()
            is_name = (
                original[:1].isupper()
                and not original.isupper()
                and not sentence_initial
                and m.group() not in rules.never_names
            )
            out.append(Token(m.group(), m.start(), m.end(), is_name))
        return out

    def tokens_in(self, start: int, end: int) -> list[Token]:
        """Tokens wholly inside [start, end)."""
        i = bisect.bisect_left(self.token_starts, start)
        j = bisect.bisect_left(self.token_starts, end)
        return [t for t in self.tokens[i:j] if t.end <= end]

    def clauses(self, start: int, end: int) -> list[tuple[int, int]]:
        key = (start, end)
        if key not in self._clauses:
            self._clauses[key] = spans(self.clause_text, self._clause_split, start, end, keep_delimiter=False)
        return self._clauses[key]

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


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " ,;:\n\"'":
        start += 1
    while end > start and text[end - 1] in " ,;:\n":
        end -= 1
    return start, end


def act(code: str, turn: Turn, start: int, end: int) -> Act:
    """An act whose evidence is the teacher's own words in [start, end)."""
    start, end = trimmed(turn.text, start, end)
    return Act(code, turn.text[start:end], start, end)


def content(rules: Rules, tokens: Iterable[Token], skip: Sequence[tuple[int, int]] = ()) -> list[tuple[str, Token]]:
    """(lemma, token) for the content words: no stop words, no names, nothing inside `skip` spans."""
    out: list[tuple[str, Token]] = []
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


def is_finite_verb(rules: Rules, word: str) -> bool:
    if word in rules.finite_verbs:
        return True
    lem = lemma(word)
    return lem != word and lem.endswith("en") and word.endswith(("t", "de", "te"))
