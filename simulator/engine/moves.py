"""The teacher's move(s) in one turn: what kind of second part the parent owes.

A turn can hold several moves ("Dank u wel. Fijne avond!" is thanks and goodbye); the main
move comes first. Cue phrases (moves.yaml) and the recognised acts decide the kind; the topic
router (topics.py) decides what a question, proposal or statement is about. Nothing here
raises into a conversation: without a semantic embedder the router falls back to keywords.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from feedback.embed import Embedder, get_embedder
from feedback.reading import Reading, read_turn
from feedback.text import WORD_RE, fold, lemma
from simulator.content.schemas import Persona, Scenario
from simulator.engine.cues import Cues, cues
from simulator.engine.topics import Match, child_pronoun, content_lemmas, index_for, neutral, route

KINDS = (
    "greeting", "small_talk", "thanks", "goodbye", "news", "information", "new_fact", "question",
    "proposal", "check", "reflection", "limit", "attack", "unintelligible", "repeat",
)  # fmt: skip

# Thresholds, chosen on the even-numbered probes of tests/data/blind/probes_r2.jsonl (see
# tests/data/README.md, "Routing probes r2"). `semantic` applies with an embedding model,
# `keywords` to the lemma-overlap fallback.
PARAMS = {
    "semantic": {
        "hint": 0.03,
        "step_margin": 0.03,
        "worry": 0.02,
        "kw": 0.03,
        "ask": 0.85,
        "step": 0.80,
        "fact": 0.84,
        "news": 0.86,
    },
    "keywords": {
        "hint": 0.3,
        "step_margin": 0.1,
        "worry": 0.2,
        "kw": 0.25,
        "ask": 0.25,
        "step": 0.20,
        "fact": 0.20,
        "news": 0.35,
    },
}
DUTCH_MIN = 0.5  # share of known Dutch words below which a turn is not understood
REPEAT_RATIO = 0.92
LIMIT_ACTS = frozenset({"name_limit", "consequence", "holds_position"})
REFLECT_ACTS = frozenset({"feeling_reflection", "paraphrase"})
ATTACK_ACTS = frozenset({"counter_attack", "you_message"})
QUESTION_ACTS = frozenset({"open_question", "closed_question", "why_question", "leading_question"})
_NAME = re.compile(r"(?<=[\w,;] )[A-Z][a-z]+")


@dataclass(frozen=True)
class Move:
    kind: str
    topic: str | None = None
    score: float = 1.0
    evidence: str = ""

    def as_record(self) -> dict[str, object]:
        """The form stored in a transcript's teacher turn."""
        return {"kind": self.kind, "topic": self.topic, "score": round(float(self.score), 3)}


def _is_teacher(speaker: object) -> bool:
    return str(speaker).lower() in {"teacher", "leraar", "leerkracht", "docent", "t"}


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def repeat_of(text: str, history: Sequence[tuple[str, str]]) -> str | None:
    """The teacher's own earlier line this turn repeats (normalised, near-exact), or None."""
    key = _key(text)
    if not key:
        return None
    for speaker, earlier in reversed(list(history)):
        if not _is_teacher(speaker):
            continue
        other = _key(earlier)
        if other == key:
            return earlier
        if len(key) >= 20 and difflib.SequenceMatcher(None, key, other).ratio() >= REPEAT_RATIO:
            return earlier
    return None


SHORT_TURN = 3  # words: simplemma's language share ignores very short words, so count those ourselves


@lru_cache(maxsize=1024)
def dutch_share(text: str) -> float:
    """Share of the words simplemma knows as Dutch; names (capitalised mid-sentence) are left out."""
    import simplemma

    cleaned = _NAME.sub(" ", text)
    tokens = re.findall(r"[^\W\d_]+", fold(cleaned))
    if not tokens:
        return 1.0 if re.search(r"[^\W\d_]", text) else 0.0
    try:
        chat = cues().chat
        known = sum(1 for w in tokens if w in chat or simplemma.is_known(w, lang="nl")) / len(tokens)
        if len(tokens) <= SHORT_TURN:
            return known
        # simplemma's share skips short words ("u", "of"); loanwords ("fulltime") are unknown to it.
        # A turn is Dutch when either count says so.
        return max(known, float(simplemma.in_target_language(cleaned, lang="nl")))
    except Exception:
        return 1.0


@dataclass(frozen=True)
class _Cues:
    """Which cue lists a turn hits, with the words that hit."""

    hits: dict[str, str]

    def __getitem__(self, name: str) -> str:
        return self.hits.get(name, "")


def _cue_hits(c: Cues, folded: str) -> _Cues:
    names = ("greeting", "goodbye", "closing_thanks", "thanks", "small_talk", "insult", "blame", "sarcasm", "check",
             "summary_start", "proposal", "news", "limit", "reflection", "unknown", "worry", "no_topic")  # fmt: skip
    return _Cues({n: h for n in names if (h := c.hit(n, folded))})


def _farewell(reading: Reading) -> str:
    """A short farewell sentence ("Dag!", "Nou. Dag, hoor.", "Tot in maart!"): the words, or ""."""
    leads = cues().farewell_leads
    for sentence in reading.sentences:
        words = [w.lower() for w in WORD_RE.findall(fold(sentence))]
        if words and words[0] in leads and len(words) <= 5:
            return " ".join(words)
    return ""


def _forms(reading: Reading) -> frozenset[str]:
    return frozenset((*reading.tokens, *reading.lemmas))


class _Router:
    """Embeds the turn at most once, and only when a topic is needed."""

    def __init__(self, reading: Reading, scenario: Scenario, persona: Persona, embedder: Embedder | None) -> None:
        self.reading = reading
        self.embedder = embedder
        semantic = bool(embedder is not None and embedder.semantic)
        self.index = index_for(scenario, persona, embedder if semantic else None)
        self.params = PARAMS["semantic" if self.index.semantic else "keywords"]
        self.forms = _forms(reading)
        self.qlem = content_lemmas(reading.text, cues())
        self._qvec: list[float] | None = None
        self.child = scenario.dossier.child.name
        self.pronoun = child_pronoun(scenario)
        self.bonus: dict[str, float] = {}
        c = cues()
        folded = fold(reading.text)
        self.hinted = frozenset(w for name, words in c.hints.items() if c.hit(f"hint:{name}", folded) for w in words)
        self._done = False

    def _vector(self) -> list[float] | None:
        if not self._done:
            self._done = True
            if self.index.semantic and self.embedder is not None:
                try:
                    text = neutral(self.reading.text, self.child, self.pronoun)
                    self._qvec = self.embedder.embed([text], query=True)[0]
                except Exception:
                    self._qvec = None
        return self._qvec

    def best(self, group: str) -> Match | None:
        ranked = self.ranked(group)
        return ranked[0] if ranked else None

    def ranked(self, group: str) -> list[Match]:
        p = self.params
        hinted = self.hinted if group == "ask" else frozenset()
        return route(self.index, {group}, self._vector(), self.forms, self.qlem, p["kw"], self.bonus, hinted, p["hint"])

    def passes(self, match: Match | None, group: str) -> bool:
        if match is None:
            return False
        if not self.index.semantic:
            return match.score >= self.params[group] or match.hits >= 1
        return match.score >= self.params[group]


def _question_topic(router: _Router, hits: _Cues) -> Move:
    if hits["unknown"]:
        return Move("question", "unknown", 1.0, hits["unknown"])
    if hits["no_topic"]:
        return Move("question", None, 1.0, hits["no_topic"])
    if hits["worry"]:
        router.bonus = {"concern": router.params["worry"]}
    ranked = router.ranked("ask")
    best = ranked[0] if ranked else None
    if not router.passes(best, "ask") or best is None:
        return Move("question", None, best.score if best else 0.0, "")
    return Move("question", best.topic, best.score, best.evidence)


KNOWN_MARGIN = 0.03
"""How much closer a statement must be to what the parent knows than to a new fact to count as no news."""


def _statement(router: _Router, hits: _Cues, scenario: Scenario, history: Sequence[tuple[str, str]]) -> Move:
    """News, a fact the parent did not know, or other information."""
    news = router.best("news")
    if news is not None and (news.hits or router.passes(news, "news")) and not _news_told(scenario, history):
        return Move("news", None, news.score, news.evidence)
    fact = router.best("fact")
    step = router.best("step")
    if (
        router.passes(step, "step")
        and step is not None
        and (fact is None or step.sim > fact.sim + router.params["step_margin"])
    ):
        return Move("proposal", step.topic, step.score, step.evidence)
    if router.passes(fact, "fact") and fact is not None:
        shared = _shared(router, _fact_text(scenario, fact.topic))
        if shared:
            known = router.best("known")
            known_words = max((len(_shared(router, k)) for k in scenario.parent_knows), default=0)
            closer = known is not None and known.sim >= fact.sim + KNOWN_MARGIN
            if known is not None and (closer or (known_words > len(shared) and known.sim >= fact.sim - KNOWN_MARGIN)):
                return Move("information", known.topic, known.score, known.evidence)
            return Move("new_fact", fact.topic, fact.score, fact.evidence)
    return Move("information", None, 0.5, "")


def _fact_text(scenario: Scenario, topic: str) -> str:
    kind, _, index = topic.partition(":")
    facts = scenario.parent_knows if kind == "known" else scenario.parent_does_not_know
    return facts[int(index)]


def _shared(router: _Router, text: str) -> frozenset[str]:
    """Content words a fact shares with the turn (not the child's name, not common words): they confirm it."""
    c = cues()
    child = lemma(router.child.lower())
    return frozenset((content_lemmas(text, c) & router.qlem) - {child} - c.weak)


def _news_told(scenario: Scenario, history: Sequence[tuple[str, str]]) -> bool:
    """Whether an earlier teacher line already gave the news (its keywords or a news cue)."""
    c = cues()
    for speaker, text in history:
        if _is_teacher(speaker) and (_forms_hit(text, scenario.news_keywords) or c.hit("news", fold(text))):
            return True
    return False


def _forms_hit(text: str, keywords: Sequence[str]) -> bool:
    forms = {w for w in re.findall(r"\w+", fold(text))}
    forms |= {lemma(w) for w in forms}
    return any(all(p in forms for p in k.lower().split()) for k in keywords)


def understand(
    reading: Reading | str,
    scenario: Scenario,
    persona: Persona,
    history: Sequence[tuple[str, str]] = (),
    embedder: Embedder | None = None,
) -> list[Move]:
    """The teacher's moves in this turn, the main move first (never empty)."""
    history = list(history or ())
    if isinstance(reading, str):
        parent_before = next((t for s, t in reversed(history) if not _is_teacher(s)), None)
        reading = read_turn(reading, parent_before, history)
    text = reading.text or ""
    if not text.strip() or not reading.tokens:
        return [Move("unintelligible", None, 1.0, text.strip())]
    share = dutch_share(text)
    if share < DUTCH_MIN:
        return [Move("unintelligible", None, round(1.0 - share, 3), text[:40])]
    moves: list[Move] = []
    earlier = repeat_of(text, history)
    if earlier is not None:
        moves.append(Move("repeat", None, 1.0, earlier[:60]))
    if embedder is None:
        embedder = get_embedder()
    hits = _cue_hits(cues(), fold(text))
    codes = set(reading.codes)
    router = _Router(reading, scenario, persona, embedder)
    teacher_turns = sum(1 for s, _ in history if _is_teacher(s))
    asks = text.rstrip().endswith("?") or bool(QUESTION_ACTS & codes and "?" in text)
    found: list[Move] = []

    attack = hits["insult"] or hits["blame"] or hits["sarcasm"]
    judged = codes & ATTACK_ACTS  # a judging you-message is a personal attack for the parent, too
    if attack or judged:
        found.append(Move("attack", None, 1.0, attack or ",".join(sorted(judged))))
    farewell = hits["goodbye"] or _farewell(reading) or (hits["closing_thanks"] if teacher_turns >= 3 else "")
    if farewell and teacher_turns > 0:
        found.append(Move("goodbye", None, 1.0, farewell))
    if hits["greeting"] and (teacher_turns == 0 or not hits["goodbye"]):
        found.append(Move("greeting", None, 1.0 if teacher_turns == 0 else 0.6, hits["greeting"]))
    if hits["thanks"]:
        found.append(Move("thanks", None, 1.0, hits["thanks"]))
    if hits["check"] and (asks or hits["summary_start"] or "summary" in codes):
        found.append(Move("check", None, 1.0, hits["check"]))
    if hits["limit"] or LIMIT_ACTS & codes:
        found.append(Move("limit", None, 1.0, hits["limit"] or ",".join(sorted(LIMIT_ACTS & codes))))
    if asks and hits["no_topic"]:
        found.append(Move("question", None, 1.0, hits["no_topic"]))
    elif hits["proposal"] or ("structuring" in codes and asks):
        step = router.best("step")
        topic = step.topic if router.passes(step, "step") and step is not None else None
        found.append(Move("proposal", topic, step.score if step else 0.5, hits["proposal"] or "structuring"))
    if (hits["reflection"] or REFLECT_ACTS & codes) and not asks and not (attack or judged):
        found.append(Move("reflection", None, 1.0, hits["reflection"] or "reflection"))
    if hits["small_talk"]:
        found.append(Move("small_talk", None, 1.0, hits["small_talk"]))
    if hits["news"] and not asks and not _news_told(scenario, history):
        found.append(Move("news", None, 1.0, hits["news"]))
    if asks and not any(m.kind in ("check", "proposal", "small_talk", "question") for m in found):
        found.append(_question_topic(router, hits))
    if not found:
        found.append(_statement(router, hits, scenario, history))
    _order(found, teacher_turns)
    moves.extend(found)
    return moves


_PRIORITY = (
    "attack", "goodbye", "check", "limit", "proposal", "news", "reflection", "question",
    "small_talk", "thanks", "greeting", "new_fact", "information",
)  # fmt: skip


def _order(found: list[Move], teacher_turns: int) -> None:
    """Main move first: an opening greeting leads the first turn; otherwise the priority order."""
    prio = list(_PRIORITY)
    if teacher_turns == 0:
        prio.remove("greeting")
        prio.insert(1, "greeting")
    found.sort(key=lambda m: prio.index(m.kind))


def warm_up(scenario: Scenario, persona: Persona, embedder: Embedder | None = None) -> None:
    """Load the embedder and embed this pair's content (disk-cached): call it in the background."""
    with contextlib.suppress(Exception):  # warming is an optimisation, never a failure
        index_for(scenario, persona, embedder or get_embedder())
