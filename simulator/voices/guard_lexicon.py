"""Made-up words: a small model writes fluent Dutch with words that do not exist.

"Ze slaart heel lang" or "een spreekbedrijfspaar" read as Dutch and sit close in meaning to a
curated line, so neither the share of dictionary words nor the embedding catches them. One
invented word is enough to break the illusion, so the check asks of every word: does a Dutch word
list know it (wordfreq's 300k Dutch words, then simplemma's dictionary), is it a compound of two
known words ("doorstroomtoets"), or did the case file or the conversation use it?

simplemma alone is too sparse for this (it misses "erin", "hierdoor", "kerst"), so without wordfreq
(the `lm` extra installs it) the check is off and the guard's dictionary-share check remains.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from functools import lru_cache
from importlib import resources

import yaml

from simulator.voices.guard_fold import fold

_TOKEN = re.compile(r"[^\W\d_]+(?:'[a-z]+)?")  # any script's letters: "Şeyma" and "Łukasz" stay whole
_SENTENCE_END = ".!?:;\"'“”‘’„(…-–—"


@lru_cache(maxsize=1)
def _settings() -> dict[str, float]:
    raw = resources.files("simulator.voices").joinpath("guard_words.yaml").read_text(encoding="utf-8")
    return {k: float(v) for k, v in yaml.safe_load(raw)["made_up"].items()}


@lru_cache(maxsize=1)
def frequencies() -> dict[str, float] | None:
    """wordfreq's Dutch word frequencies (loaded once, about 0.2 s), or None where it is not installed."""
    try:
        import wordfreq
    except ImportError:
        return None
    return wordfreq.get_frequency_dict("nl", wordlist="large")


def available() -> bool:
    return frequencies() is not None


def _zipf(word: str) -> float:
    """Zipf frequency: log10 of occurrences per billion words (the rarest listed words are at 1)."""
    freq = (frequencies() or {}).get(word, 0.0)
    return math.log10(freq * 1e9) if freq > 0 else 0.0


@lru_cache(maxsize=65536)
def _part(word: str) -> bool:
    """A word common enough to be half of a compound."""
    from simulator.voices.guard import known_word

    return _zipf(word) >= _settings()["part_min_zipf"] or known_word(word)


@lru_cache(maxsize=65536)
def real_word(word: str) -> bool:
    """Listed, known to the dictionary, or a compound of two common parts (a linking -s-, -e- or -en- allowed)."""
    from simulator.voices.guard import known_word

    if word in (frequencies() or {}) or known_word(word):
        return True
    s = _settings()
    shortest = int(s["compound_part_letters"])
    if len(word) < s["compound_min_letters"]:
        return False
    for i in range(shortest, len(word) - shortest + 1):
        head, tail = word[:i], word[i:]
        heads = (head, head.removesuffix("s"), head.removesuffix("e"), head.removesuffix("en"))
        if _part(tail) and any(len(h) >= shortest and _part(h) for h in heads):
            return True
    return False


def made_up_words(line: str, known: Collection[str]) -> list[str]:
    """Words in the line that exist nowhere: not listed, not a compound, not in the case or the conversation.

    Capitalised words inside a sentence are names and are left to the fact check. `known` holds the
    folded words of the case file and the conversation.
    """
    if not available():
        return []
    out = []
    for m in _TOKEN.finditer(line):
        word = m.group()
        opens = not line[: m.start()].strip() or line[: m.start()].rstrip()[-1] in _SENTENCE_END
        if word[:1].isupper() and not opens:
            continue
        low = word.lower()
        if len(low) < _settings()["min_letters"] or fold(low) in known or real_word(low):
            continue
        out.append(word)
    return out
