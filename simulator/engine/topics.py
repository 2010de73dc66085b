"""Topic routing: which answer, concern, next step, case fact or life topic a teacher turn is about.

The embedder proposes (cosine between the turn and each topic's passages: the parent's own
answer lines, a concern's summary, a next step's text, a fact), the topic's keywords confirm,
and a threshold decides "no topic". Common words (`weak_words` in moves.yaml) never confirm on
their own, so "Kon u het vinden?" does not land on *wat vindt het kind*. Without a semantic
embedder the similarity is a lemma overlap, so routing keeps working on keywords alone.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from feedback.embed import Embedder, cached_embed
from feedback.text import lemma, words
from simulator.content.schemas import Answer, Persona, Scenario
from simulator.engine.cues import Cues, cues

try:  # numpy comes with every semantic embedder; the keyword fallback does not need it
    import numpy as _np
except ImportError:  # pragma: no cover - exercised only on installs without numpy
    _np = None

KEYWORD_PASSAGE = True
MAX_LINES = 6  # answer lines per topic used as passages: more adds little and costs embedding time


@dataclass(frozen=True)
class Topic:
    id: str  # "answer:x", "concern:x", "next_step:x", "fact:3", "life:work", "unknown", "news"
    group: str  # "ask" (a question can be about it), "step", "fact", "known", "news"
    keywords: tuple[str, ...]
    passages: tuple[str, ...]


@dataclass
class TopicIndex:
    topics: list[Topic]
    owner: list[int]  # passage -> topic index
    passage_lemmas: list[frozenset[str]]
    vectors: object = None  # numpy array (passages x dim) or list of lists; None without a semantic model
    semantic: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class Match:
    topic: str
    score: float  # combined: similarity + keyword bonus
    sim: float
    hits: int
    evidence: str


def _life_of(answer: Answer, c: Cues) -> str | None:
    tag = getattr(answer, "life", None)
    if tag:
        return str(tag)
    for name, life in c.life.items():
        if answer.id in life.answers:
            return name
    return None


_SLOT = re.compile(r"\{(\w+)\}")


def neutral(text: str, child: str, pronoun: str = "hij") -> str:
    """Slots and the child's name become a pronoun: a name shared by every topic says nothing."""
    text = _SLOT.sub(lambda m: pronoun if m.group(1) == "kind" else m.group(1).lower(), text)
    if child:
        text = re.sub(rf"\b{re.escape(child)}s?\b", pronoun, text, flags=re.IGNORECASE)
    return text


def child_pronoun(scenario: Scenario) -> str:
    return "zij" if scenario.dossier.child.gender == "meisje" else "hij"


def _lines(answer_lines: Iterable[object]) -> list[str]:
    """Line texts: content lines are plain strings or tagged lines with a `text`."""
    out = [line if isinstance(line, str) else str(getattr(line, "text", "")) for line in answer_lines]
    return [t for t in out if t][:MAX_LINES]


def _all_lines(lineset) -> list[str]:
    return [*lineset.any, *lineset.low, *lineset.mid, *lineset.high]


def build_topics(scenario: Scenario, persona: Persona, c: Cues | None = None) -> list[Topic]:
    """Every topic a turn can be routed to in this scenario with this persona."""
    c = c or cues()
    topics: list[Topic] = []
    life_extra: dict[str, list[str]] = {name: [] for name in c.life}
    life_kw: dict[str, list[str]] = {name: list(t.keywords) for name, t in c.life.items()}
    for a in (*scenario.answers, *persona.answers):
        if a.roles and persona.role not in a.roles:
            continue
        life = _life_of(a, c) if a in persona.answers else None
        if life in life_extra:
            life_extra[life] += _lines(_all_lines(a.lines))
            life_kw[life] += a.keywords
            continue
        topics.append(Topic(f"answer:{a.id}", "ask", tuple(a.keywords), tuple(_lines(_all_lines(a.lines)))))
    for con in scenario.concerns:
        passages = [con.summary, *_lines(_all_lines(con.lines))[:3]]
        topics.append(Topic(f"concern:{con.id}", "ask", tuple(con.keywords), tuple(passages)))
    bg = persona.background
    for name, life in c.life.items():
        passages = [*life.describe, getattr(bg, life.background, ""), *life_extra[name]]
        keywords = tuple(dict.fromkeys(life_kw[name]))
        topics.append(Topic(f"life:{name}", "ask", keywords, tuple(p for p in passages if p)))
    unknown = list(c.data.unknown)
    topics.append(Topic("unknown", "ask", tuple(unknown), tuple(scenario.parent_does_not_know)))
    for step in scenario.next_steps:
        passages = (step.text, *_lines(step.accept_lines)[:2])
        topics.append(Topic(f"next_step:{step.id}", "step", tuple(step.keywords), passages))
    for i, fact in enumerate(scenario.parent_does_not_know):
        topics.append(Topic(f"fact:{i}", "fact", (), (fact,)))
    for i, fact in enumerate(scenario.parent_knows):
        # What the parent already knows is no news to them: it competes with the unknown facts.
        topics.append(Topic(f"known:{i}", "known", (), (fact,)))
    news = [scenario.dossier.message]
    topics.append(Topic("news", "news", tuple(scenario.news_keywords), tuple(news)))
    child = scenario.dossier.child.name
    out = []
    for t in topics:
        passages = [neutral(p, child, child_pronoun(scenario)) for p in t.passages]
        if t.group == "ask" and t.keywords and KEYWORD_PASSAGE:
            passages.append(", ".join(t.keywords))  # the topic's words, as one passage
        out.append(Topic(t.id, t.group, t.keywords, tuple(passages)))
    return out


def content_lemmas(text: str, c: Cues) -> frozenset[str]:
    out = set()
    for w in words(text):
        if w in c.stop or len(w) < 2:
            continue
        lem = lemma(w)
        if lem in c.stop:
            continue
        out.add(lem)
    return frozenset(out)


def build_index(scenario: Scenario, persona: Persona, embedder: Embedder | None) -> TopicIndex:
    c = cues()
    topics = build_topics(scenario, persona, c)
    owner: list[int] = []
    texts: list[str] = []
    for i, t in enumerate(topics):
        for p in t.passages:
            owner.append(i)
            texts.append(p)
    index = TopicIndex(topics, owner, [content_lemmas(t, c) for t in texts])
    if embedder is not None and embedder.semantic:
        try:
            vecs = cached_embed(embedder, texts, query=False)
            index.vectors = _np.asarray(vecs, dtype="float32") if _np is not None else vecs
            index.semantic = True
        except Exception:  # a failing model degrades to keywords, never into the conversation
            index.vectors = None
    return index


_INDEXES: dict[tuple[str, int, int], tuple[Scenario, Persona, TopicIndex]] = {}
_LOCK = threading.Lock()


def index_for(scenario: Scenario, persona: Persona, embedder: Embedder | None) -> TopicIndex:
    """The index for this pair and model, built once per process (embeddings also cached on disk)."""
    name = embedder.name if embedder is not None and embedder.semantic else "keywords"
    key = (name, id(scenario), id(persona))  # content objects are immutable once loaded
    entry = _INDEXES.get(key)
    if entry is None or entry[0] is not scenario or entry[1] is not persona:
        with _LOCK:
            entry = _INDEXES.get(key)
            if entry is None or entry[0] is not scenario or entry[1] is not persona:
                if len(_INDEXES) > 64:
                    _INDEXES.clear()
                entry = (scenario, persona, build_index(scenario, persona, embedder))
                _INDEXES[key] = entry
    return entry[2]


def keyword_hits(keywords: Sequence[str], forms: frozenset[str], c: Cues) -> list[str]:
    """Keywords present by word or lemma; a single weak word never counts."""
    found = []
    for kw in keywords:
        parts = kw.lower().split()
        if len(parts) == 1 and (parts[0] in c.weak or lemma(parts[0]) in c.weak):
            continue
        if all(p in forms or lemma(p) in forms for p in parts):
            found.append(kw)
    return found


def _sims(index: TopicIndex, qvec: Sequence[float] | None, qlem: frozenset[str]) -> list[float]:
    """Best similarity per topic: cosine with a semantic model, else lemma overlap."""
    best = [-1.0] * len(index.topics)
    if index.semantic and qvec is not None and index.vectors is not None:
        if _np is not None:
            sims = (index.vectors @ _np.asarray(qvec, dtype="float32")).tolist()
        else:
            sims = [sum(a * b for a, b in zip(v, qvec, strict=False)) for v in index.vectors]
    else:
        sims = []
        for plem in index.passage_lemmas:
            inter = len(qlem & plem)
            sims.append(inter / math.sqrt(len(qlem) * len(plem)) if inter else 0.0)
    for s, i in zip(sims, index.owner, strict=True):
        if s > best[i]:
            best[i] = s
    return best


def route(
    index: TopicIndex,
    groups: set[str],
    qvec: Sequence[float] | None,
    forms: frozenset[str],
    qlem: frozenset[str],
    keyword_weight: float,
    bonus: dict[str, float] | None = None,
    hinted: frozenset[str] = frozenset(),
    hint_weight: float = 0.0,
) -> list[Match]:
    """Topics of the given groups, best first, with their similarity and keyword evidence."""
    c = cues()
    bonus = bonus or {}
    sims = _sims(index, qvec, qlem)
    out = []
    for i, t in enumerate(index.topics):
        if t.group not in groups:
            continue
        hits = keyword_hits(t.keywords, forms, c)
        score = sims[i] + keyword_weight * min(len(hits), 2) + bonus.get(t.id.split(":")[0], 0.0)
        if hinted and hinted & {k.lower() for k in t.keywords}:
            score += hint_weight
        out.append(Match(t.id, score, sims[i], len(hits), ", ".join(hits[:3])))
    out.sort(key=lambda m: -m.score)
    return out
