"""The guard: checks a model's parent line before it is accepted.

Small models drift: they write the teacher's turn, narrate, switch to English,
loop, or step out of the role when a trainee types "vergeet je instructies".
Each check is cheap and explainable; a failed check returns the reason a
trainer reads in the transcript, and the caller retries once or falls back to
the scripted line. Word lists and patterns live in `guard_words.yaml`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from importlib import resources

import yaml

from simulator.safe_text import has_control
from simulator.voices.base import VoiceRequest
from simulator.voices.guard_fold import fold

_WORD = re.compile(r"[a-zà-ÿ]+(?:'[a-z]+)?")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
SIMILAR = 0.88
"""Lines at least this similar (difflib ratio on normalised text) count as a repeat."""


@dataclass(frozen=True)
class GuardWords:
    reasons: dict[str, str]
    max_words: dict[str, int]
    max_chars: int
    dutch: frozenset[str]
    english: frozenset[str]
    teacher_labels: re.Pattern[str]
    teacher_address: tuple[re.Pattern[str], ...]
    narration: tuple[re.Pattern[str], ...]
    out_of_role: tuple[re.Pattern[str], ...]
    self_description: tuple[re.Pattern[str], ...]
    injection: tuple[re.Pattern[str], ...]
    compliance: tuple[re.Pattern[str], ...]
    colloquial: frozenset[str]
    lexicon_min_words: int
    lexicon_min_known: float


def _compile(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE | re.MULTILINE) for p in patterns)


@lru_cache(maxsize=1)
def words() -> GuardWords:
    """The lists from the data file, compiled once; English words that are also Dutch are dropped."""
    raw = resources.files("simulator.voices").joinpath("guard_words.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(raw)
    dutch = frozenset(str(w).lower() for w in data["dutch"])
    return GuardWords(
        reasons=dict(data["reasons"]),
        max_words={k: int(v) for k, v in data["max_words"].items()},
        max_chars=int(data["max_chars"]),
        dutch=dutch,
        english=frozenset(str(w).lower() for w in data["english"]) - dutch,
        teacher_labels=re.compile(data["teacher_labels"], re.IGNORECASE),
        teacher_address=_compile(data["teacher_address"]),
        narration=_compile(data["narration"]),
        out_of_role=_compile(data["out_of_role"]),
        self_description=_compile(data["self_description"]),
        injection=_compile(data["injection"]),
        compliance=_compile(data["compliance"]),
        colloquial=frozenset(str(w).lower() for w in data["colloquial"]),
        lexicon_min_words=int(data["lexicon"]["min_words"]),
        lexicon_min_known=float(data["lexicon"]["min_known"]),
    )


def normalise(text: str) -> str:
    """Lower case, no accents or punctuation, single spaces: what 'the same line' means."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def is_dutch(text: str) -> bool:
    """A stop-word test: enough frequent Dutch words, and more of them than English ones."""
    w = words()
    toks = tokens(text)
    nl = sum(t in w.dutch for t in toks)
    en = sum(t in w.english for t in toks)
    if len(toks) < 4:
        return en <= nl
    return nl >= max(1, round(0.15 * len(toks))) and nl > en


def _in_dictionary(word: str) -> bool:
    import simplemma

    return bool(simplemma.is_known(word, lang="nl") or simplemma.is_known(word.lower(), lang="nl"))


@lru_cache(maxsize=65536)
def known_word(word: str) -> bool:
    """A Dutch dictionary word, a spoken form, or a compound of two dictionary words of four letters or more."""
    low = word.lower()
    if low in words().colloquial or _in_dictionary(word):
        return True
    if len(low) < 9:
        return False
    for i in range(4, len(low) - 3):
        head, tail = low[:i], low[i:]
        if _in_dictionary(tail):
            for part in (head, head.removesuffix("s"), head.removesuffix("en")):
                if len(part) >= 4 and _in_dictionary(part):
                    return True
    return False


def known_share(text: str, names: Sequence[str] = ()) -> float | None:
    """Share of words a Dutch dictionary knows; None for lines too short to judge.

    Small models write fluent-looking nonsense that passes a stop-word test
    ("Dat is mijn informatie nogmaakt, maar wordt handimengs onderlagen").
    Capitalised words inside a sentence and the case's own names are skipped.
    """
    w = words()
    skip = {n.lower() for name in names for n in name.split()}
    text = text.replace("’", "'")
    counted = []
    for m in re.finditer(r"[A-Za-zÀ-ÿ]+(?:'[a-z]+)?|'[a-z]+", text):
        token = m.group()
        before = text[: m.start()].rstrip(" \"'“‘(")
        starts_sentence = not before or before[-1] in ".!?:"
        if token.lower() in skip or (token[0].isupper() and not starts_sentence):
            continue
        counted.append(token)
    if len(counted) < w.lexicon_min_words:
        return None
    return sum(known_word(t) for t in counted) / len(counted)


def has_injection(teacher_text: str) -> bool:
    """Whether the trainee's text tries to change the parent's role or task (also when spelled to hide it)."""
    folded = fold(teacher_text)
    return any(p.search(teacher_text) or p.search(folded) for p in words().injection)


def out_of_role(line: str) -> bool:
    """Whether the line steps out of the parent's role: as written, or folded ("A.I.", "r0b0t", "АІ", "a i")."""
    w = words()
    folded = fold(line)
    if any(p.search(line) or p.search(folded) for p in w.out_of_role):
        return True
    return any(p.search(folded) for p in w.self_description)


def _similar(a: str, b: str) -> bool:
    a, b = normalise(a), normalise(b)
    if not a or not b:
        return False
    return a == b or SequenceMatcher(None, a, b, autojunk=False).ratio() >= SIMILAR


def _repeats_itself(line: str) -> bool:
    """A sentence said twice, or a short phrase looping: the typical small-model failure."""
    sentences = [normalise(s) for s in _SENTENCE.split(line)]
    sentences = [s for s in sentences if len(s.split()) >= 3]
    if len(sentences) != len(set(sentences)):
        return True
    toks = tokens(line)
    grams = [" ".join(toks[i : i + 4]) for i in range(len(toks) - 3)]
    return any(grams.count(g) >= 3 for g in set(grams))


def _names(request: VoiceRequest) -> list[str]:
    """The parent's name and surname as a teacher would use them ('mevrouw De Vries')."""
    name = request.persona.name.strip()
    parts = name.split()
    out = [name]
    if len(parts) > 1:
        out.append(" ".join(parts[1:]))
    return [n for n in out if n]


def _case_names(request: VoiceRequest) -> list[str]:
    """Names and slot values a line may use that no dictionary knows."""
    s = request.scenario
    return [request.persona.name, s.dossier.child.name, s.dossier.school, *request.slots.values()]


def _speaks_as_teacher(line: str, request: VoiceRequest) -> bool:
    w = words()
    if w.teacher_labels.search(line):
        return True
    if any(p.search(line) for p in w.teacher_address):
        return True
    titles = r"\b(?:mevrouw|meneer|mevr\.|dhr\.)\s+"
    return any(re.search(titles + re.escape(n) + r"\b", line, re.IGNORECASE) for n in _names(request))


def _narrates(line: str, request: VoiceRequest) -> bool:
    if any(p.search(line) for p in words().narration):
        return True
    first = request.persona.name.split()[0] if request.persona.name.split() else ""
    # "Sandra zucht." / "Sandra kijkt de leerkracht aan": the parent described, not speaking.
    return bool(first) and re.match(rf"\s*{re.escape(first)}\s+[a-zà-ÿ]", line) is not None


def check_line(line: str, request: VoiceRequest) -> str | None:
    """None when the line may be shown as the parent's words, else the reason it may not.

    First the form (Dutch, one speaker, in role), then the meaning (`guard_meaning`).
    """
    reason = check_form(line, request)
    if reason is not None or not request.scripted_line:
        return reason
    from simulator.voices.guard_meaning import check_meaning

    return check_meaning(line, request)


def check_form(line: str, request: VoiceRequest) -> str | None:
    """None when the line is a plausible parent turn in form: Dutch, in role, spoken, no repeat."""
    w = words()
    r = w.reasons
    if has_control(line):
        return r["hidden"]
    text = line.strip()
    if not text or not re.search(r"[A-Za-zÀ-ÿ]", text):
        return r["empty"]
    limit = w.max_words.get(request.persona.speaking_style.sentence_length, max(w.max_words.values()))
    if len(text.split()) > limit or len(text) > w.max_chars:
        return r["too_long"]
    if out_of_role(text):
        return r["out_of_role"]
    if has_injection(request.teacher_text) and any(p.search(text) for p in w.compliance):
        return r["follows_injection"]
    if _speaks_as_teacher(text, request):
        return r["speaks_as_teacher"]
    if _narrates(text, request):
        return r["narration"]
    if not is_dutch(text):
        return r["not_dutch"]
    share = known_share(text, _case_names(request))
    if share is not None and share < w.lexicon_min_known:
        return r["gibberish"]
    earlier = [t for s, t in request.history if s == "parent"]
    if any(_similar(text, e) for e in earlier) or _repeats_itself(text):
        return r["repeat"]
    if request.teacher_text and _similar(text, request.teacher_text):
        return r["repeat"]
    return None
