"""The meaning check: a generated line must say roughly what the engine meant, as this parent.

The form checks in `guard.py` let through fluent lines that break the illusion:
thanks after bad news, the parent naming himself in the third person, "hem" for
a girl, an advice level nobody mentioned, a line said twice. Here each of those
is a cheap check with a reason a trainer can read; meaning itself is the cosine
of sentence embeddings (`feedback.embed`) with the engine's chosen curated line
and the intent's other lines, or lemma overlap when no semantic embedder is
installed. Thresholds and word lists live in `guard_words.yaml` under `meaning`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from simulator.voices.base import VoiceRequest
from simulator.voices.guard_fold import fold
from simulator.voices.guard_lexicon import made_up_words

QUOTES = "\"'“”‘’„‚«»`"
_WORD = re.compile(r"[a-z0-9]+")
_NAME = re.compile(r"\b[A-ZÀ-Ý][a-zà-ÿ]{2,}\b")


@dataclass(frozen=True)
class MeaningWords:
    reasons: dict[str, str]
    min_similarity: float
    min_margin: float
    top_k: int
    contrary: dict[str, tuple[str, ...]]
    min_overlap: float
    max_repeat: float
    max_echo: float
    worried: frozenset[str]
    accepting: frozenset[str]
    leaving: frozenset[str]
    satisfied: tuple[re.Pattern[str], ...]
    demand: tuple[re.Pattern[str], ...]
    wish: tuple[re.Pattern[str], ...]
    agreement: tuple[re.Pattern[str], ...]
    teacher_role: tuple[re.Pattern[str], ...]
    greeting: tuple[re.Pattern[str], ...]
    greeting_intents: frozenset[str]
    fact_words: frozenset[str]
    male_people: frozenset[str]
    female_people: frozenset[str]


@lru_cache(maxsize=1)
def meaning_words() -> MeaningWords:
    raw = resources.files("simulator.voices").joinpath("guard_words.yaml").read_text(encoding="utf-8")
    m = yaml.safe_load(raw)["meaning"]

    def comp(key: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in m[key])

    return MeaningWords(
        reasons=dict(m["reasons"]),
        min_similarity=float(m["min_similarity"]),
        min_margin=float(m["min_margin"]),
        top_k=int(m["top_k"]),
        contrary={k: tuple(v) for k, v in m["contrary"].items()},
        min_overlap=float(m["min_overlap"]),
        max_repeat=float(m["max_repeat"]),
        max_echo=float(m["max_echo"]),
        worried=frozenset(m["worried_intents"]),
        accepting=frozenset(m["accepting_intents"]),
        leaving=frozenset(m["leaving_intents"]),
        satisfied=comp("satisfied"),
        demand=comp("demand"),
        wish=comp("wish"),
        agreement=comp("agreement"),
        teacher_role=comp("teacher_role"),
        greeting=comp("greeting"),
        greeting_intents=frozenset(m["greeting_intents"]),
        fact_words=frozenset(m["fact_words"]),
        male_people=frozenset(m["male_people"]),
        female_people=frozenset(m["female_people"]),
    )


# --- what the parent may know ------------------------------------------------------------------


def _strings(value: Any, skip: frozenset[str]) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in skip:
                yield str(key)
                yield from _strings(item, skip)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item, skip)


@dataclass(frozen=True)
class Known:
    """What the parent may mention: the folded words, and each number with the words beside it."""

    words: frozenset[str]
    numbers: dict[str, frozenset[str]]


def _numbers(words: Sequence[str]) -> dict[str, frozenset[str]]:
    """Each number with the words just before and after it ('groep 5', 'een 9', '10 minuten')."""
    found: dict[str, set[str]] = {}
    for i, word in enumerate(words):
        if word.isdigit():
            found.setdefault(word, set()).update(words[j] for j in (i - 1, i + 1) if 0 <= j < len(words))
    return {n: frozenset(x) for n, x in found.items()}


def _known(text: str) -> Known:
    words = _WORD.findall(fold(text))
    return Known(frozenset(words), _numbers(words))


_FILE_WORDS: dict[tuple[int, int], tuple[Any, Any, Known]] = {}


def _file_known(scenario: Any, persona: Any) -> Known:
    """What the case file and the persona say (never what the parent does not know); cached per pair."""
    key = (id(scenario), id(persona))
    hit = _FILE_WORDS.get(key)
    if hit is not None and hit[0] is scenario and hit[1] is persona:
        return hit[2]
    skip = frozenset({"parent_does_not_know", "learning_goals", "effects"})
    texts = [*_strings(scenario.model_dump(), skip), *_strings(persona.model_dump(), skip)]
    found = _known(" \n ".join(texts))
    if len(_FILE_WORDS) > 64:
        _FILE_WORDS.clear()
    _FILE_WORDS[key] = (scenario, persona, found)
    return found


def _file_words(scenario: Any, persona: Any) -> frozenset[str]:
    return _file_known(scenario, persona).words


def known(request: VoiceRequest) -> Known:
    """The case file plus everything said or meant in this conversation."""
    said = " \n ".join([request.teacher_text, request.scripted_line, *request.style_examples, *request.slots.values()])
    said = _known(said + " \n " + " \n ".join(t for _, t in request.history))
    base = _file_known(request.scenario, request.persona)
    numbers = dict(base.numbers)
    for n, beside in said.numbers.items():
        numbers[n] = numbers.get(n, frozenset()) | beside
    return Known(base.words | said.words, numbers)


def _new_number(number: str, beside: frozenset[str], facts: Known) -> bool:
    """A number nobody said, or said about something else: '9' in the file as 't/m 9', in the line as 'een 9'."""
    if number not in facts.numbers:
        return True
    return bool(beside) and not beside & facts.numbers[number]


def invented_facts(line: str, facts: Known) -> list[str]:
    """Numbers, advice levels, months, weekdays and names in the line that nobody mentioned."""
    folded = fold(line)
    words = _WORD.findall(folded)
    out = [n for n, beside in _numbers(words).items() if _new_number(n, beside, facts)]
    out += [w for w in words if w in meaning_words().fact_words and w not in facts.words]
    for name in _NAME.findall(line):
        low = fold(name)
        if low not in facts.words and not _dictionary_word(name):
            out.append(name)
    return out


def _dictionary_word(word: str) -> bool:
    from simulator.voices.guard import known_word

    return known_word(word.lower())


# --- who speaks, about whom ---------------------------------------------------------------------


def names_self(line: str, request: VoiceRequest) -> bool:
    """The parent uses their own first name or full name: speaking about themselves in the third person."""
    folded = f" {fold(line)} "
    parts = fold(request.persona.name).split()
    if not parts:
        return False
    child = fold(request.scenario.dossier.child.name)
    names = {" ".join(parts)} | ({parts[0]} if parts[0] != child else set())
    return any(f" {n} " in folded for n in names)


def wrong_child(line: str, request: VoiceRequest) -> bool:
    """Son for a daughter, 'hij' for a girl, 'zij'/'haar' for a boy: the child is not this child.

    A pronoun may be about someone else: someone of that gender the teacher's last turn named, or
    whom the line named before the pronoun (a pronoun points back: in "nu zij erbij zit. ... oma is
    ziek" the 'zij' cannot be oma). A person is a word like 'vader' or 'juf', or a name.
    """
    w = meaning_words()
    girl = request.scenario.dossier.child.gender == "meisje"
    words = _WORD.findall(fold(line))
    wrong_noun = ("zoon", "jongen", "zoontje") if girl else ("dochter", "meisje", "dochtertje")
    if any(n in words and n not in _file_words(request.scenario, request.persona) for n in wrong_noun):
        return True
    pronouns = ("hij", "hem") if girl else ("zij", "haar")
    others = w.male_people if girl else w.female_people
    teacher = set(_WORD.findall(fold(request.teacher_text)))
    if teacher & others or teacher & set(pronouns) or _other_names(request.teacher_text, request):
        return False
    tokens = _TOKEN.findall(line)
    first = next((i for i, t in enumerate(tokens) if fold(t) in pronouns and not _not_her(tokens, i)), None)
    if first is None:
        return False
    before = tokens[:first]
    return not ({fold(t) for t in before} & others or _other_names(" ".join(before), request))


_TOKEN = re.compile(r"[^\W\d_]+")
_HAIR = frozenset({"het", "zijn", "mijn", "je", "jouw", "uw", "n"})  # "zijn haar", "z'n haar" (z, n): hair


def _not_her(tokens: Sequence[str], i: int) -> bool:
    """'zij' before a plural verb ("zij hebben") is 'they'; 'haar' after 'zijn' or 'het' is hair."""
    word = fold(tokens[i])
    after = fold(tokens[i + 1]) if i + 1 < len(tokens) else ""
    before = fold(tokens[i - 1]) if i else ""
    return (word == "zij" and after.endswith("en")) or (word == "haar" and before in _HAIR)


def _other_names(text: str, request: VoiceRequest) -> list[str]:
    """Names in the text other than the child's (they may be who a pronoun is about)."""
    child = request.scenario.dossier.child.name
    return [n for n in _NAME.findall(text) if n != child and not _dictionary_word(n)]


def _wrong_address(line: str, request: VoiceRequest) -> bool:
    """'je' from a parent who says 'u' at this tension, or the other way round (content/register.py)."""
    from simulator.content.register import address_problem, band_address

    return address_problem(line, band_address(request.persona, request.band)) is not None


def quoted(line: str) -> bool:
    text = line.strip()
    return len(text) > 2 and text[0] in QUOTES and text[-1] in QUOTES + ".!?" and text.rstrip(".!?")[-1:] in QUOTES


def _any(patterns: Sequence[re.Pattern[str]], folded: str) -> bool:
    return any(p.search(folded) for p in patterns)


# --- meaning ------------------------------------------------------------------------------------


def intent_lines(request: VoiceRequest) -> list[str]:
    """The chosen line first, then the intent's other lines for this persona and scenario, filled in."""
    p, s = request.persona, request.scenario
    sets = [src[request.intent] for src in (p.lines, s.lines, s.role_lines.get(p.role, {})) if request.intent in src]
    sets += [c.lines for c in s.concerns if c.id == request.concern_id]
    sets += [a.lines for a in [*p.answers, *s.answers] if getattr(a, "id", None) == request.answer_topic]
    sets += [b.lines for b in p.boundary_behaviours if b.kind == request.boundary_kind]
    raw = [e.text for ls in sets for e in ls.entries()]
    raw += [t for n in s.next_steps if n.id == request.next_step_id for t in n.accept_lines]
    lines = [request.scripted_line, *request.style_examples, *(_fill(t, request) for t in raw)]
    return list(dict.fromkeys(x for x in lines if x and x != "..."))


def contrary_lines(request: VoiceRequest) -> list[str]:
    """Lines of intents whose stance is opposite to the intended one, for this persona and scenario."""
    w = meaning_words()
    groups = (("leaving", w.leaving), ("worried", w.worried), ("accepting", w.accepting))
    group = next((g for g, names in groups if request.intent in names), "other")
    p, s = request.persona, request.scenario
    sources = (p.lines, s.lines, s.role_lines.get(p.role, {}))
    raw = [
        e.text
        for i in w.contrary[group]
        if i != request.intent
        for src in sources
        if i in src
        for e in src[i].entries()
    ]
    return list(dict.fromkeys(_fill(t, request) for t in raw))


def _fill(text: str, request: VoiceRequest) -> str:
    for key, value in request.slots.items():
        text = text.replace("{" + key + "}", value)
    return text


def _lemmas(text: str) -> set[str]:
    """Content lemmas: the guard's frequent Dutch words left out."""
    from feedback.text import lemmas
    from simulator.voices.guard import words

    return set(lemmas(text)) - words().dutch


_MEMO: dict[tuple[str, str], list[float]] = {}
MEMO_SIZE = 8192


def _embed(embedder: Any, texts: list[str]) -> list[list[float]]:
    """Embeddings with a small in-process memo: earlier lines of the conversation are embedded once."""
    todo = list(dict.fromkeys(t for t in texts if (embedder.name, t) not in _MEMO))
    if todo:
        if len(_MEMO) > MEMO_SIZE:
            _MEMO.clear()
        for text, vector in zip(todo, embedder.embed(todo, query=False), strict=True):
            _MEMO[(embedder.name, text)] = vector
    return [_MEMO[(embedder.name, t)] for t in texts]


def _top_mean(values: Iterator[float], k: int, default: float) -> float:
    """Mean of the k highest values: one lucky neighbour is weaker evidence than two."""
    best = sorted(values, reverse=True)[:k]
    return sum(best) / len(best) if best else default


@dataclass(frozen=True)
class Similarity:
    meaning: float
    contrary: float
    repeat: float
    echo: float
    semantic: bool


def similarity(line: str, request: VoiceRequest, embedder: Any = None) -> Similarity:
    """How close the line is to what was meant, to earlier parent lines, and to the teacher's last line."""
    own = fold(line)
    meant = [x for x in intent_lines(request) if fold(x) != own]  # a curated candidate is not its own evidence
    against = [x for x in contrary_lines(request) if fold(x) != own and x not in meant]
    earlier = [t for s, t in request.history if s == "parent"]
    if embedder is None:
        from feedback.embed import get_embedder

        embedder = get_embedder()
    if not embedder.semantic:
        mine = _lemmas(line)

        def overlap(other: str) -> float:
            theirs = _lemmas(other)
            return len(mine & theirs) / max(1, len(mine | theirs)) if mine else 0.0

        return Similarity(
            meaning=max((overlap(x) for x in meant), default=0.0),
            contrary=max((overlap(x) for x in against), default=0.0),
            repeat=max((overlap(x) for x in earlier), default=0.0),
            echo=overlap(request.teacher_text) if request.teacher_text else 0.0,
            semantic=False,
        )
    from feedback.embed import cosine

    fixed = _embed(embedder, meant) if meant else []
    rival = _embed(embedder, against) if against else []
    said = _embed(embedder, [line, *earlier, *([request.teacher_text] if request.teacher_text else [])])
    mine, rest = said[0], said[1:]
    k = meaning_words().top_k
    return Similarity(
        meaning=_top_mean((cosine(mine, v) for v in fixed), k, 0.0),
        contrary=_top_mean((cosine(mine, v) for v in rival), k, 0.0),
        repeat=max((cosine(mine, v) for v in rest[: len(earlier)]), default=0.0),
        echo=cosine(mine, rest[-1]) if request.teacher_text else 0.0,
        semantic=True,
    )


def check_meaning(line: str, request: VoiceRequest, embedder: Any = None) -> str | None:
    """None when the line fits what the engine meant for this parent, else the reason it does not."""
    rule = rule_reason(line, request)
    if rule is not None:
        return rule
    if fold(line) == fold(request.scripted_line):  # the engine's own line, word for word
        return None
    return similarity_reason(similarity(line, request, embedder))


def similarity_reason(
    sim: Similarity, min_similarity: float | None = None, min_margin: float | None = None
) -> str | None:
    """The verdict of the embedding (or overlap) figures; the keyword arguments override the data file's."""
    w = meaning_words()
    r = w.reasons
    if sim.semantic:
        if sim.repeat >= w.max_repeat:
            return r["repeat"]
        if sim.echo >= w.max_echo:
            return r["echo"]
        floor = w.min_similarity if min_similarity is None else min_similarity
    else:
        floor = w.min_overlap if min_similarity is None else min_similarity
    margin = w.min_margin if min_margin is None else min_margin
    return r["meaning"] if sim.meaning < floor or sim.meaning - sim.contrary < margin else None


def rule_reason(line: str, request: VoiceRequest) -> str | None:
    """The explainable checks: quote marks, who speaks, which child, which facts, which stance."""
    w = meaning_words()
    r = w.reasons
    folded = fold(line)
    if quoted(line):
        return r["quoted"]
    if names_self(line, request):
        return r["own_name"]
    if _any(w.teacher_role, folded):
        return r["teacher_role"]
    if wrong_child(line, request):
        return r["child"]
    if _wrong_address(line, request):
        return r["address"]
    facts = known(request)  # folds the case file (cached) and the whole conversation: once per line
    if invented_facts(line, facts):
        return r["invented"]
    if made_up_words(line, facts.words):
        return r["made_up"]
    if request.intent in w.worried and _any(w.satisfied, folded):
        return r["stance"]
    if request.intent in w.accepting and (
        _any(w.demand, folded) or (_any(w.wish, folded) and not _any(w.agreement, folded))
    ):
        return r["demand"]
    spoke = any(s == "parent" for s, _ in request.history)
    if spoke and request.intent not in w.greeting_intents and _any(w.greeting, folded):
        return r["greets_again"]
    return None
