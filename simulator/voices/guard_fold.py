"""Fold a line to the form the guard's role patterns match on, so spelling tricks do not get past them.

"A.I.", "A-I", "a i", "A\u200bI", Cyrillic "АІ", full-width "ＡＩ" and "r0b0t" all fold to
the same letters. The folded form is only matched, never shown.
"""

from __future__ import annotations

import re
import unicodedata

from simulator.safe_text import clean

# Cyrillic and Greek letters that look like Latin ones (upper and lower case), and a few symbols.
_PAIRS = (
    "аa Аa вb Вb еe Еe ёe Ёe зz Зz іi Іi їi Їi јj Јj кk Кk мm Мm нh Нh оo Оo рp Рp сc Сc тt Тt уy Уy хx Хx "
    "ѕs Ѕs һh Һh ԁd ӏl ɑa ɡg ıi łl ŀl "
    "αa Αa βb Βb εe Εe ζz Ζz ηn Ηh ιi Ιi κk Κk μu Μm νv Νn οo Οo ρp Ρp τt Τt υu Υy χx Χx ϲc ϳj"
)
_LOOKALIKE = str.maketrans({pair[0]: pair[1] for pair in _PAIRS.split()})
# Digits and signs used as letters, only where they stand between letters ("r0b0t", "c0mputer", "t@almodel").
_LEET = str.maketrans("0134578@$", "oieastbas")
_LEET_RUN = re.compile(r"(?<=[a-z])[0134578@$]+(?=[a-z])")
# Punctuation and separators inside a word: "A.I.", "A-I", "a_i", "A·I".
_INNER = re.compile(r"(?<=\w)[.\-_·•'’*/\\|~^]+(?=\w)")
_TRAILING_DOTS = re.compile(r"\b([a-z])\.(?=\s|$)")
_SINGLES = re.compile(r"\b[a-z](?:[ .\-_]+[a-z]\b)+")


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower-case ASCII-ish letters, look-alikes folded, no punctuation inside words, single letters joined."""
    text = unicodedata.normalize("NFKC", clean(text))
    text = text.translate(_LOOKALIKE).lower()
    text = _strip_accents(text)
    text = _LEET_RUN.sub(lambda m: m.group().translate(_LEET), text)
    text = _INNER.sub("", text)
    text = _TRAILING_DOTS.sub(r"\1", text)
    # "a i", "r o b o t": runs of single letters are one word.
    text = _SINGLES.sub(lambda m: re.sub(r"[ .\-_]+", "", m.group()), text)
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())
