"""Session scores with evidence: listening, boundary-setting and (optionally) bad news.

A report must be something a trainee can check against what they said, so every
sub-score quotes the teacher's own words. All numbers, cue words and Dutch texts live
in `feedback/data/scoring.yaml`; this module only holds the rules that combine them.
It takes plain data ((speaker, text) pairs and optional precomputed acts) and never
imports the simulator, so it can score any transcript, from anywhere.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from feedback.acts import Act, recognise
from feedback.codes import ALL_CODES, QUESTION_CODES, REFLECTION_CODES, ROADBLOCK_CODES

DATA_FILE = Path(__file__).parent / "data" / "scoring.yaml"

Turns = Sequence[tuple[str, str]]
ActsInput = Sequence[Sequence[Act] | None] | None

SPEAKERS = ("teacher", "parent")
BLOCKER_CODES: frozenset[str] = frozenset({"premature_advice", "defending", "dismissing"})
LIMIT_CODES: frozenset[str] = frozenset({"name_limit", "i_message"})

# Text keys each sub-score needs; checked when the data file is loaded, so a trainer's
# edit that drops a text fails at start-up and not in a rare branch mid-session.
REQUIRED_TEXTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("listening", "reflection_ratio"): ("stats", "well", "well_none", "none", "next", "next_good"),
    ("listening", "open_questions"): (
        "stats",
        "well",
        "well_none",
        "issue_closed_question",
        "issue_why_question",
        "issue_leading_question",
        "none",
        "next",
        "next_good",
    ),
    ("listening", "emotion_first"): ("immediate", "later", "mixed", "blocked", "missed", "next", "next_good"),
    ("listening", "summaries"): ("checked", "unchecked", "paraphrase_only", "none", "next", "next_good"),
    ("listening", "roadblocks"): ("clean", "issue", "next_good", *(f"next_{c}" for c in sorted(ROADBLOCK_CODES))),
    ("listening", "jargon"): ("clean", "issue", "next", "next_good"),
    ("listening", "canned_empathy"): ("followed", "clean", "formula", "unfollowed", "next", "next_good"),
    ("boundaries", "name_limit"): ("well", "issue", "next", "next_good"),
    ("boundaries", "i_message"): ("well", "issue", "limit_only", "none", "next", "next_good"),
    ("boundaries", "consequence"): (
        "worked",
        "followed",
        "not_needed",
        "not_followed",
        "missing",
        "empty_threat",
        "next",
        "next_good",
    ),
    ("boundaries", "position"): ("held", "neutral", "caved", "defending", "next", "next_good", "next_neutral"),
    ("boundaries", "no_counter_attack"): ("clean", "issue", "next", "next_good"),
    ("boundaries", "structure"): ("well", "none", "next_start", "next_end", "next_good"),
    ("bad_news", "news_early"): ("early", "late", "missing", "next", "next_good"),
    ("bad_news", "no_sandwich"): ("clean", "before", "sandwich", "next", "next_good"),
    ("bad_news", "room_for_reaction"): ("room", "mixed", "piled", "flat", "piling", "next", "next_good"),
}
SUMMARY_TEXTS: tuple[str, ...] = ("good", "fair", "poor", "tail", "tail_weak", "tail_all_good", "empty")
CALM_SUMMARY_TEXTS: tuple[str, ...] = ("no_boundary_moment", "calm_good", "calm_fair", "calm_poor")

_SENTENCE_END = re.compile(r"[.!?…]+(?:\s+|$)")
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", re.UNICODE)


# ---------------------------------------------------------------------------------------
# Configuration


@dataclass(frozen=True)
class Cues:
    """Compiled cue-word patterns from the data file."""

    emotion: re.Pattern[str]
    boundary: re.Pattern[str]
    follow_through: re.Pattern[str]
    conditional: re.Pattern[str]
    check: re.Pattern[str]
    news: re.Pattern[str]
    compliment: re.Pattern[str]
    formulas: re.Pattern[str]
    caps_words: int
    exclamations: int
    acronyms: frozenset[str]


@dataclass(frozen=True)
class ScoringConfig:
    """The parsed data file: raw settings plus compiled cues."""

    raw: Mapping[str, Any]
    cues: Cues

    def dim(self, dim: str) -> Mapping[str, Any]:
        return self.raw[dim]

    def sub(self, dim: str, sid: str) -> Mapping[str, Any]:
        return self.raw[dim]["subscores"][sid]

    def text(self, dim: str, sid: str, key: str, **values: object) -> str:
        return self.sub(dim, sid)["texts"][key].format(**values)

    def summary_text(self, dim: str, key: str, **values: object) -> str:
        return self.raw[dim]["summary"][key].format(**values)

    @property
    def good(self) -> int:
        return int(self.raw["bands"]["good"])

    @property
    def fair(self) -> int:
        return int(self.raw["bands"]["fair"])

    def code_label(self, code: str) -> str:
        return str(self.raw["code_labels"].get(code, code))


def _alternation(patterns: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive pattern matching any cue between word boundaries."""
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"\b(?:{body})\b", re.IGNORECASE)


def _check_config(raw: Mapping[str, Any]) -> None:
    """Fail loudly, naming the data file, when a weight or text is missing."""
    where = str(DATA_FILE)
    for (dim, sid), keys in REQUIRED_TEXTS.items():
        try:
            sub = raw[dim]["subscores"][sid]
        except (KeyError, TypeError):
            raise ValueError(f"{where}: sub-score {dim}.{sid} is missing") from None
        for attr in ("label", "weight", "texts"):
            if attr not in sub:
                raise ValueError(f"{where}: {dim}.{sid} has no '{attr}'")
        if not isinstance(sub["weight"], int | float) or sub["weight"] <= 0:
            raise ValueError(f"{where}: {dim}.{sid}.weight must be a positive number")
        missing = [k for k in keys if k not in sub["texts"]]
        if missing:
            raise ValueError(f"{where}: {dim}.{sid}.texts lacks {', '.join(missing)}")
    for dim in ("listening", "boundaries", "bad_news"):
        missing = [k for k in SUMMARY_TEXTS if k not in raw[dim].get("summary", {})]
        if missing:
            raise ValueError(f"{where}: {dim}.summary lacks {', '.join(missing)}")
    missing = [k for k in CALM_SUMMARY_TEXTS if k not in raw["boundaries"]["summary"]]
    if missing:
        raise ValueError(f"{where}: boundaries.summary lacks {', '.join(missing)}")


@cache
def scoring_config() -> ScoringConfig:
    """Load and check the data file once per process."""
    raw = yaml.load(DATA_FILE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    _check_config(raw)
    cues = raw["cues"]
    shouting = cues["shouting"]
    compiled = Cues(
        emotion=_alternation(cues["parent_emotion"]),
        boundary=_alternation(cues["parent_boundary"]),
        follow_through=_alternation(cues["follow_through"]),
        conditional=_alternation(cues["conditional"]),
        check=_alternation(cues["check"]),
        news=_alternation(cues["news"]),
        compliment=_alternation(cues["compliment"]),
        formulas=_alternation(raw["listening"]["subscores"]["canned_empathy"]["formulas"]),
        caps_words=int(shouting["caps_words"]),
        exclamations=int(shouting["exclamations"]),
        acronyms=frozenset(a.upper() for a in shouting["acronyms"]),
    )
    return ScoringConfig(raw=raw, cues=compiled)


# ---------------------------------------------------------------------------------------
# Cue detection in parent text (shared with hints)


def parent_shows_emotion(text: str) -> bool:
    """Whether a parent turn voices an emotion (cue words from the data file)."""
    return scoring_config().cues.emotion.search(text) is not None


def parent_crosses_line(text: str) -> bool:
    """Whether a parent turn crosses a line: threat, insult, swearing, or shouting."""
    cues = scoring_config().cues
    if cues.boundary.search(text):
        return True
    if text.count("!") >= cues.exclamations:
        return True
    caps = [w for w in _WORD.findall(text) if len(w) >= 3 and w.isupper() and w.upper() not in cues.acronyms]
    return len(caps) >= cues.caps_words


# ---------------------------------------------------------------------------------------
# Report data


@dataclass(frozen=True)
class Evidence:
    """A short quote of the teacher's words and the index of the turn it came from."""

    turn: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"turn": self.turn, "text": self.text}


@dataclass(frozen=True)
class SubScore:
    """One aspect of a dimension, with its weight, a Dutch explanation and quotes."""

    id: str
    label: str
    score: int
    weight: float
    explanation: str
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "score": self.score,
            "weight": self.weight,
            "explanation": self.explanation,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class Dimension:
    """A scored dimension (listening, boundaries, bad news): weighted mean of its sub-scores."""

    id: str
    label: str
    score: int
    subscores: tuple[SubScore, ...]
    summary: str
    no_boundary_moment: bool | None = None
    boundary_turns: tuple[int, ...] | None = None

    def subscore(self, sid: str) -> SubScore | None:
        return next((s for s in self.subscores if s.id == sid), None)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "label": self.label,
            "score": self.score,
            "subscores": [s.to_dict() for s in self.subscores],
            "summary": self.summary,
        }
        if self.no_boundary_moment is not None:
            out["no_boundary_moment"] = self.no_boundary_moment
        if self.boundary_turns is not None:
            out["boundary_turns"] = list(self.boundary_turns)
        return out


@dataclass(frozen=True)
class TurnActs:
    """The acts recognised in one teacher turn."""

    index: int
    text: str
    codes: tuple[str, ...]
    evidence: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "text": self.text, "codes": list(self.codes), "evidence": dict(self.evidence)}


@dataclass(frozen=True)
class Report:
    """The whole session report; `to_dict()` is the JSON the CLI and UI read."""

    listening: Dimension
    boundaries: Dimension
    bad_news: Dimension | None
    turns: tuple[TurnActs, ...]
    counts: Mapping[str, int]
    scenario_title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario_title": self.scenario_title,
            "listening": self.listening.to_dict(),
            "boundaries": self.boundaries.to_dict(),
            "bad_news": self.bad_news.to_dict() if self.bad_news else None,
            "turns": [t.to_dict() for t in self.turns],
            "counts": dict(self.counts),
        }


@dataclass(frozen=True)
class ScoreContext:
    """What the simulator knows about the session that the words alone do not say."""

    bad_news: bool = False  # scenario conveys bad news (lower advice, referral)
    boundary_turns: tuple[int, ...] | None = None  # parent turns that crossed a line; None = detect
    scenario_title: str | None = None


# ---------------------------------------------------------------------------------------
# Text helpers


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if text[start : m.end()].strip():
            spans.append((start, m.end()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def quote(text: str, start: int = -1, evidence: str = "", max_words: int | None = None) -> str:
    """A short quote of the sentence around `start` (or `evidence`), trimmed with '...'."""
    if max_words is None:
        max_words = int(scoring_config().raw["quote_max_words"])
    if start < 0 and evidence:
        start = text.lower().find(evidence.lower())
    spans = _sentence_spans(text) or [(0, len(text))]
    s0, s1 = spans[0]
    if start >= 0:
        s0, s1 = next(((a, b) for a, b in spans if a <= start < b), spans[0])
    words = text[s0:s1].split()
    first, last = 0, len(words)
    if len(words) > max_words:
        rel = max(0, start - s0) if start >= 0 else 0
        at = len(text[s0 : s0 + rel].split()) - (1 if rel and not text[s0 + rel - 1].isspace() else 0)
        # Keep the sentence opening when the evidence fits in the window; else centre on it.
        first = 0 if at + 4 <= max_words else max(0, min(at - 2, len(words) - max_words))
        last = first + max_words
    body = " ".join(words[first:last]).rstrip(".,;: ")
    return ("..." if first > 0 else "") + body + ("..." if last < len(words) else "")


def _interp(points: Sequence[Sequence[float]], x: float) -> float:
    """Straight lines between [x, score] points; flat beyond both ends."""
    if x <= points[0][0]:
        return float(points[0][1])
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return float(points[-1][1])


def _join(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)


def _clamp(x: float) -> int:
    return int(max(0, min(100, round(x))))


# ---------------------------------------------------------------------------------------
# The conversation as the rules see it


@dataclass(frozen=True)
class _Turn:
    index: int
    speaker: str
    text: str
    acts: tuple[Act, ...]
    codes: frozenset[str]
    n_words: int

    def has(self, codes: Iterable[str]) -> bool:
        return not self.codes.isdisjoint(codes)

    def count(self, codes: Iterable[str]) -> int:
        wanted = set(codes)
        return sum(1 for a in self.acts if a.code in wanted)

    def pos(self, codes: Iterable[str]) -> int:
        """Character position of the first act with one of `codes`; -1 if unknown."""
        wanted = set(codes)
        positions = [p for a in self.acts if a.code in wanted and (p := _act_pos(self.text, a)) >= 0]
        return min(positions) if positions else -1


def _act_pos(text: str, act: Act) -> int:
    if act.start >= 0:
        return act.start
    return text.lower().find(act.evidence.lower()) if act.evidence else -1


class _Conversation:
    """Turns with their acts, plus the lookups the rules share."""

    def __init__(self, turns: list[_Turn], cfg: ScoringConfig) -> None:
        self.turns = turns
        self.cfg = cfg
        self.teacher = [t for t in turns if t.speaker == "teacher"]
        self.parent = [t for t in turns if t.speaker == "parent"]
        self._order = {t.index: n for n, t in enumerate(self.teacher)}

    def teacher_after(self, index: int) -> list[_Turn]:
        return [t for t in self.teacher if t.index > index]

    def order(self, turn: _Turn) -> int:
        """Position of a teacher turn among teacher turns (0 = first)."""
        return self._order[turn.index]

    def count(self, codes: Iterable[str]) -> int:
        wanted = set(codes)
        return sum(1 for t in self.teacher for a in t.acts if a.code in wanted)

    def long_information(self, turn: _Turn) -> bool:
        return turn.n_words >= int(self.cfg.raw["long_information_words"]) and not turn.has(
            QUESTION_CODES | REFLECTION_CODES
        )

    def ev(self, turn: _Turn, codes: Iterable[str] | None = None, start: int = -1) -> Evidence:
        """A quote from `turn` around the first act in `codes` (or `start`)."""
        if codes is not None and start < 0:
            start = turn.pos(codes)
            if start < 0:
                act = next((a for a in turn.acts if a.code in set(codes)), None)
                if act is not None:
                    return Evidence(turn.index, quote(turn.text, evidence=act.evidence))
        return Evidence(turn.index, quote(turn.text, start=start))


def _build(turns: Turns, acts: ActsInput, cfg: ScoringConfig) -> _Conversation:
    if acts is not None and len(acts) != len(turns):
        raise ValueError(f"acts has {len(acts)} entries for {len(turns)} turns")
    out: list[_Turn] = []
    history: list[tuple[str, str]] = []
    parent_before: str | None = None
    for i, (speaker, text) in enumerate(turns):
        if speaker not in SPEAKERS:
            raise ValueError(f"turn {i}: unknown speaker {speaker!r} (expected teacher or parent)")
        turn_acts: tuple[Act, ...] = ()
        if speaker == "teacher":
            given = acts[i] if acts is not None else None
            turn_acts = tuple(given) if given is not None else tuple(recognise(text, parent_before, tuple(history)))
        else:
            parent_before = text
        out.append(_Turn(i, speaker, text, turn_acts, frozenset(a.code for a in turn_acts), len(text.split())))
        history.append((speaker, text))
    return _Conversation(out, cfg)


def _next_text(cfg: ScoringConfig, dim: str, sid: str, score: int, key: str = "next") -> str:
    return cfg.text(dim, sid, "next_good" if score >= cfg.good else key)


def _sub(
    cfg: ScoringConfig, dim: str, sid: str, score: float, explanation: str, evidence: Iterable[Evidence]
) -> SubScore:
    spec = cfg.sub(dim, sid)
    seen: list[Evidence] = []
    for e in evidence:
        if e not in seen:
            seen.append(e)
    return SubScore(
        id=sid,
        label=str(spec["label"]),
        score=_clamp(score),
        weight=spec["weight"],
        explanation=explanation,
        evidence=tuple(seen[: int(cfg.raw["max_evidence"])]),
    )


# ---------------------------------------------------------------------------------------
# Listening

L = "listening"


def _reflection_ratio(c: _Conversation) -> SubScore | None:
    cfg = c.cfg
    spec = cfg.sub(L, "reflection_ratio")
    reflections, questions = c.count(REFLECTION_CODES), c.count(QUESTION_CODES)
    positives = [c.ev(t, REFLECTION_CODES) for t in c.teacher if t.has(REFLECTION_CODES)]
    negatives = [c.ev(t, QUESTION_CODES) for t in c.teacher if t.has(QUESTION_CODES) and not t.has(REFLECTION_CODES)]
    if reflections == 0 and questions == 0:
        score = float(spec["none_score"])
        text = _join(cfg.text(L, "reflection_ratio", "none"), cfg.text(L, "reflection_ratio", "next"))
        return _sub(cfg, L, "reflection_ratio", score, text, ())
    ratio = reflections / questions if questions else math.inf
    score = _interp(spec["points"], ratio)
    well = (
        cfg.text(L, "reflection_ratio", "well", quote=positives[0].text)
        if positives
        else cfg.text(L, "reflection_ratio", "well_none")
    )
    text = _join(
        cfg.text(L, "reflection_ratio", "stats", questions=questions, reflections=reflections),
        well,
        _next_text(cfg, L, "reflection_ratio", _clamp(score)),
    )
    return _sub(cfg, L, "reflection_ratio", score, text, positives + negatives)


def _open_questions(c: _Conversation) -> SubScore | None:
    cfg = c.cfg
    spec = cfg.sub(L, "open_questions")
    tally: Counter[str] = Counter()
    for t in c.teacher:
        for code in QUESTION_CODES:
            tally[code] += t.count([code])
        if t.has(REFLECTION_CODES) and t.has(["closed_question"]):
            tally["closed_question"] -= 1  # one check after a reflection ("Klopt dat?") is good practice
    total = sum(tally.values())
    if total == 0:
        text = _join(cfg.text(L, "open_questions", "none"), cfg.text(L, "open_questions", "next"))
        return _sub(cfg, L, "open_questions", float(spec["none_score"]), text, ())
    score = _interp(spec["points"], tally["open_question"] / total)
    positives = [c.ev(t, ["open_question"]) for t in c.teacher if t.has(["open_question"])]
    issue = None
    negatives: list[Evidence] = []
    for code in ("why_question", "leading_question", "closed_question"):
        turns = [t for t in c.teacher if t.has([code]) and not (code == "closed_question" and t.has(REFLECTION_CODES))]
        if turns:
            negatives += [c.ev(t, [code]) for t in turns]
            if issue is None:
                issue = cfg.text(L, "open_questions", f"issue_{code}", quote=c.ev(turns[0], [code]).text)
    well = (
        cfg.text(L, "open_questions", "well", quote=positives[0].text)
        if positives
        else cfg.text(L, "open_questions", "well_none")
    )
    text = _join(
        cfg.text(L, "open_questions", "stats", open=tally["open_question"], total=total),
        well,
        issue if _clamp(score) < 100 else None,
        _next_text(cfg, L, "open_questions", _clamp(score)),
    )
    return _sub(cfg, L, "open_questions", score, text, positives[:2] + negatives)


def _blocks(c: _Conversation, t: _Turn) -> bool:
    return t.has(BLOCKER_CODES) or c.long_information(t)


def _emotion_first(c: _Conversation) -> SubScore | None:
    cfg = c.cfg
    scores = cfg.sub(L, "emotion_first")["scores"]
    first = next((t for t in c.parent if parent_shows_emotion(t.text)), None)
    if first is None:
        return None
    after = c.teacher_after(first.index)
    if not after:
        return None
    outcome, ev = "missed", None
    for n, t in enumerate(after):
        reflects, blocks = t.has(REFLECTION_CODES), _blocks(c, t)
        if reflects and blocks:
            # "Ik begrijp dat u boos bent, maar ..." acknowledges and blocks in one breath.
            r_pos, b_pos = t.pos(REFLECTION_CODES), t.pos(BLOCKER_CODES)
            outcome = "blocked" if 0 <= b_pos < r_pos else "mixed"
            ev = c.ev(t, BLOCKER_CODES) if outcome == "blocked" else c.ev(t, REFLECTION_CODES)
            break
        if reflects:
            outcome, ev = ("immediate" if n == 0 else "later"), c.ev(t, REFLECTION_CODES)
            break
        if blocks:
            outcome = "blocked"
            ev = c.ev(t, BLOCKER_CODES) if t.has(BLOCKER_CODES) else c.ev(t)
            break
    score = float(scores[outcome])
    head = cfg.text(L, "emotion_first", outcome) if ev is None else cfg.text(L, "emotion_first", outcome, quote=ev.text)
    text = _join(head, _next_text(cfg, L, "emotion_first", _clamp(score)))
    return _sub(cfg, L, "emotion_first", score, text, [ev] if ev else [])


def _summaries(c: _Conversation) -> SubScore | None:
    cfg = c.cfg
    spec = cfg.sub(L, "summaries")
    if len(c.teacher) < int(spec["min_teacher_turns"]):
        return None

    def checked(t: _Turn) -> bool:
        return t.has(["closed_question"]) or cfg.cues.check.search(t.text) is not None

    summaries = [t for t in c.teacher if t.has(["summary"])]
    with_check = [t for t in summaries if checked(t)]
    paraphrases = [t for t in c.teacher if t.has(["paraphrase"]) and checked(t)]
    if with_check:
        outcome, turns, code = "checked", with_check, "summary"
    elif summaries:
        outcome, turns, code = "unchecked", summaries, "summary"
    elif paraphrases:
        outcome, turns, code = "paraphrase_only", paraphrases, "paraphrase"
    else:
        outcome, turns, code = "none", [], ""
    score = float(spec["scores"][outcome])
    evidence = [c.ev(t, [code]) for t in turns]
    head = cfg.text(L, "summaries", outcome, quote=evidence[0].text) if evidence else cfg.text(L, "summaries", outcome)
    return _sub(cfg, L, "summaries", score, _join(head, _next_text(cfg, L, "summaries", _clamp(score))), evidence)


def _roadblocks(c: _Conversation) -> SubScore | None:
    cfg = c.cfg
    if not c.teacher:
        return None
    penalties: Mapping[str, float] = cfg.sub(L, "roadblocks")["penalties"]
    found = Counter({code: c.count([code]) for code in ROADBLOCK_CODES})
    found = +found
    n = sum(found.values())
    score = 100.0 - sum(penalties[code] * k for code, k in found.items())
    if n == 0:
        text = _join(cfg.text(L, "roadblocks", "clean"), cfg.text(L, "roadblocks", "next_good"))
        return _sub(cfg, L, "roadblocks", score, text, ())
    kind = max(found, key=lambda code: (found[code], penalties[code], code))
    evidence = [c.ev(t, ROADBLOCK_CODES) for t in c.teacher if t.has(ROADBLOCK_CODES)]
    first = next(c.ev(t, [kind]) for t in c.teacher if t.has([kind]))
    text = _join(
        cfg.text(L, "roadblocks", "issue", n=n, quote=first.text, kind=cfg.code_label(kind)),
        cfg.text(L, "roadblocks", f"next_{kind}"),
    )
    return _sub(cfg, L, "roadblocks", score, text, [first, *evidence])


def _jargon(c: _Conversation) -> SubScore | None:
    cfg = c.cfg
    if not c.teacher:
        return None
    turns = [t for t in c.teacher if t.has(["jargon"])]
    score = 100.0 - float(cfg.sub(L, "jargon")["penalty_per_turn"]) * len(turns)
    evidence = [c.ev(t, ["jargon"]) for t in turns]
    head = cfg.text(L, "jargon", "issue", quote=evidence[0].text) if evidence else cfg.text(L, "jargon", "clean")
    return _sub(cfg, L, "jargon", score, _join(head, _next_text(cfg, L, "jargon", _clamp(score))), evidence)


def _canned_empathy(c: _Conversation) -> SubScore | None:
    cfg = c.cfg
    spec = cfg.sub(L, "canned_empathy")
    n_words = int(spec["formula_words"])
    keys: Counter[str] = Counter()
    first_use: dict[str, Evidence] = {}
    for t in c.teacher:
        if t.has(["holds_position"]):
            continue  # the broken record repeats its acknowledgement on purpose
        fr_pos = [p for a in t.acts if a.code == "feeling_reflection" and (p := _act_pos(t.text, a)) >= 0]
        for s0, s1 in _sentence_spans(t.text):
            sentence = t.text[s0:s1]
            m = cfg.cues.formulas.search(sentence)
            if m:
                key = " ".join(m.group(0).lower().split())
            elif any(s0 <= p < s1 for p in fr_pos):
                key = " ".join(w.lower() for w in _WORD.findall(sentence)[:n_words])
            else:
                continue
            keys[key] += 1
            first_use.setdefault(key, Evidence(t.index, quote(t.text, start=s0 + (m.start() if m else 0))))
    named = [t for t in c.teacher if t.has(["feeling_reflection"])]
    if not named and not keys:
        return None
    unfollowed: list[_Turn] = []
    followed: list[_Turn] = []
    for t in named:
        later = c.teacher_after(t.index)[:1]
        if t.has(QUESTION_CODES) or any(n.has(QUESTION_CODES) for n in later):
            followed.append(t)
        else:
            unfollowed.append(t)
    key, uses = keys.most_common(1)[0] if keys else ("", 0)
    formula = uses >= int(spec["formula_repeats"])
    score = 100.0 - (float(spec["formula_penalty"]) if formula else 0.0)
    score -= float(spec["unfollowed_penalty"]) * len(unfollowed)
    parts: list[str] = []
    evidence: list[Evidence] = []
    if followed:
        ev = c.ev(followed[0], ["feeling_reflection"])
        parts.append(cfg.text(L, "canned_empathy", "followed", quote=ev.text))
        evidence.append(ev)
    if formula:
        ev = first_use[key]
        parts.append(cfg.text(L, "canned_empathy", "formula", n=uses, quote=ev.text))
        evidence.append(ev)
    if unfollowed:
        ev = c.ev(unfollowed[0], ["feeling_reflection"])
        parts.append(cfg.text(L, "canned_empathy", "unfollowed", quote=ev.text))
        evidence += [c.ev(t, ["feeling_reflection"]) for t in unfollowed]
    if not parts:
        parts.append(cfg.text(L, "canned_empathy", "clean"))
    parts.append(_next_text(cfg, L, "canned_empathy", _clamp(score)))
    return _sub(cfg, L, "canned_empathy", score, _join(*parts), evidence)


# ---------------------------------------------------------------------------------------
# Boundaries

B = "boundaries"


def _boundary_moments(c: _Conversation, ctx: ScoreContext) -> tuple[int, ...]:
    if ctx.boundary_turns is not None:
        valid = {t.index for t in c.parent}
        return tuple(sorted(i for i in set(ctx.boundary_turns) if i in valid))
    return tuple(t.index for t in c.parent if parent_crosses_line(t.text))


def _name_limit(c: _Conversation, moments: Sequence[int]) -> SubScore | None:
    cfg = c.cfg
    scores = cfg.sub(B, "name_limit")["scores"]
    within = int(cfg.dim(B)["name_within"])
    results: list[float] = []
    positives: list[Evidence] = []
    negatives: list[Evidence] = []
    for p in moments:
        window = c.teacher_after(p)[:within]
        if not window:
            continue
        # Once the limit has been named, a consequence is the next step for a new crossing.
        named_before = any(t.has(LIMIT_CODES) for t in c.teacher if t.index < p)
        handles = LIMIT_CODES | {"consequence"} if named_before else LIMIT_CODES
        hit = next((n for n, t in enumerate(window) if t.has(handles)), None)
        if hit is None:
            results.append(float(scores["missed"]))
            negatives.append(c.ev(window[0]))
        else:
            results.append(float(scores["first" if hit == 0 else "second"]))
            positives.append(c.ev(window[hit], handles))
    if not results:
        return None
    score = sum(results) / len(results)
    text = _join(
        cfg.text(B, "name_limit", "well", quote=positives[0].text) if positives else None,
        cfg.text(B, "name_limit", "issue", quote=negatives[0].text) if negatives else None,
        _next_text(cfg, B, "name_limit", _clamp(score)),
    )
    return _sub(cfg, B, "name_limit", score, text, positives + negatives)


def _i_message(c: _Conversation) -> SubScore | None:
    cfg = c.cfg
    i, y = c.count(["i_message"]), c.count(["you_message"])
    positives = [c.ev(t, ["i_message"]) for t in c.teacher if t.has(["i_message"])]
    negatives = [c.ev(t, ["you_message"]) for t in c.teacher if t.has(["you_message"])]
    if i + y == 0:
        named = [t for t in c.teacher if t.has(["name_limit"])]
        if named:
            ev = c.ev(named[0], ["name_limit"])
            score = float(cfg.sub(B, "i_message")["limit_only_score"])
            text = _join(cfg.text(B, "i_message", "limit_only", quote=ev.text), cfg.text(B, "i_message", "next"))
            return _sub(cfg, B, "i_message", score, text, [ev])
        score = float(cfg.sub(B, "i_message")["none_score"])
        text = _join(cfg.text(B, "i_message", "none"), cfg.text(B, "i_message", "next"))
        return _sub(cfg, B, "i_message", score, text, ())
    score = 100.0 * i / (i + y)
    text = _join(
        cfg.text(B, "i_message", "well", quote=positives[0].text) if positives else None,
        cfg.text(B, "i_message", "issue", quote=negatives[0].text) if negatives else None,
        _next_text(cfg, B, "i_message", _clamp(score)),
    )
    return _sub(cfg, B, "i_message", score, text, positives + negatives)


def _followed_through(c: _Conversation, after: int) -> _Turn | None:
    """The teacher turn after parent turn `after` that carries the consequence out."""
    later = c.teacher_after(after)
    cues = c.cfg.cues
    for t in later:
        for s0, s1 in _sentence_spans(t.text):
            sentence = t.text[s0:s1]
            m = cues.follow_through.search(sentence)
            if m and not cues.conditional.search(sentence[: m.start()]):
                return t  # "Ik stop nu het gesprek", not "Als u doorgaat, stop ik het gesprek"
    if later and later[-1].has(["structuring"]) and later[-1] is c.teacher[-1]:
        return later[-1]
    return None


def _consequence(c: _Conversation, moments: Sequence[int]) -> SubScore | None:
    cfg = c.cfg
    spec = cfg.sub(B, "consequence")
    scores = spec["scores"]
    turns = [t for t in c.teacher if t.has(["consequence"])]
    evidence = [c.ev(t, ["consequence"]) for t in turns]
    n = len(turns)
    follow: _Turn | None = None
    if n == 0:
        named = [t for t in c.teacher if t.has(LIMIT_CODES)]
        persisted = any(p > named[0].index for p in moments) if named else False
        outcome = "missing" if persisted else "not_needed"
        score = float(scores[outcome])
    else:
        later = [p for p in moments if p > turns[0].index]
        follow = _followed_through(c, later[0]) if later else None
        if n >= int(spec["empty_threat_repeats"]) and follow is None:
            outcome = "empty_threat"
        elif not later:
            outcome = "worked"
        else:
            outcome = "followed" if follow is not None else "not_followed"
        score = float(scores[outcome])
        if outcome in ("worked", "followed") and n > 1:
            score -= float(spec["repeat_penalty"]) * (n - 1)
    ev = evidence[-1] if outcome == "empty_threat" else (evidence[0] if evidence else None)
    head = cfg.text(B, "consequence", outcome, quote=ev.text if ev else "", n=n)
    if follow is not None:
        evidence.append(c.ev(follow))
    text = _join(head, _next_text(cfg, B, "consequence", _clamp(score)))
    return _sub(cfg, B, "consequence", score, text, evidence)


def _position(c: _Conversation) -> SubScore | None:
    cfg = c.cfg
    if not c.teacher:
        return None
    spec = cfg.sub(B, "position")
    scores = spec["scores"]
    caving = [t for t in c.teacher if t.has(["caving"])]
    holds = [t for t in c.teacher if t.has(["holds_position"])]
    defending = c.count(["defending"])
    parts: list[str] = []
    evidence: list[Evidence] = []
    if caving:
        k = c.count(["caving"])
        score = float(scores["caved" if k == 1 else "caved_more"])
        evidence += [c.ev(t, ["caving"]) for t in caving]
        parts.append(cfg.text(B, "position", "caved", quote=evidence[0].text))
    else:
        score = float(scores["held" if holds else "neutral"])
        if holds:
            evidence += [c.ev(t, ["holds_position"]) for t in holds]
            parts.append(cfg.text(B, "position", "held", quote=evidence[0].text))
        else:
            parts.append(cfg.text(B, "position", "neutral"))
    if defending:
        score -= float(spec["defending_penalty"]) * min(defending, int(spec["defending_max"]))
        ev = next(c.ev(t, ["defending"]) for t in c.teacher if t.has(["defending"]))
        parts.append(cfg.text(B, "position", "defending", quote=ev.text))
        evidence.append(ev)
    if _clamp(score) < cfg.good:
        parts.append(cfg.text(B, "position", "next"))
    else:
        parts.append(cfg.text(B, "position", "next_good" if holds else "next_neutral"))
    return _sub(cfg, B, "position", score, _join(*parts), evidence)


def _no_counter_attack(c: _Conversation) -> SubScore | None:
    cfg = c.cfg
    turns = [t for t in c.teacher if t.has(["counter_attack"])]
    score = 100.0 - float(cfg.sub(B, "no_counter_attack")["penalty"]) * c.count(["counter_attack"])
    evidence = [c.ev(t, ["counter_attack"]) for t in turns]
    head = (
        cfg.text(B, "no_counter_attack", "issue", quote=evidence[0].text)
        if evidence
        else cfg.text(B, "no_counter_attack", "clean")
    )
    return _sub(
        cfg,
        B,
        "no_counter_attack",
        score,
        _join(head, _next_text(cfg, B, "no_counter_attack", _clamp(score))),
        evidence,
    )


def _structure(c: _Conversation) -> SubScore | None:
    cfg = c.cfg
    if not c.teacher:
        return None
    spec = cfg.sub(B, "structure")
    window = int(spec["window"])
    points = spec["points"]
    turns = [t for t in c.teacher if t.has(["structuring"])]
    start = any(t.has(["structuring"]) for t in c.teacher[:window])
    end = any(t.has(["structuring"]) for t in c.teacher[-window:])
    score = points["start"] * start + points["end"] * end + points["any"] * bool(turns)
    evidence = [c.ev(t, ["structuring"]) for t in turns]
    head = cfg.text(B, "structure", "well", quote=evidence[0].text) if evidence else cfg.text(B, "structure", "none")
    key = "next_good" if start and end else ("next_start" if not start else "next_end")
    return _sub(cfg, B, "structure", score, _join(head, cfg.text(B, "structure", key)), evidence)


# ---------------------------------------------------------------------------------------
# Bad news

N = "bad_news"


def _news_position(c: _Conversation) -> tuple[_Turn, int, int] | None:
    """The first teacher turn with the news, the match position, and sentences before it."""
    before = 0
    for t in c.teacher:
        m = c.cfg.cues.news.search(t.text)
        spans = _sentence_spans(t.text)
        if m:
            within = sum(1 for _, end in spans if end <= m.start())
            return t, m.start(), before + within
        before += len(spans)
    return None


def _news_early(c: _Conversation, found: tuple[_Turn, int, int] | None) -> SubScore:
    cfg = c.cfg
    spec = cfg.sub(N, "news_early")
    if found is None:
        text = _join(cfg.text(N, "news_early", "missing"), cfg.text(N, "news_early", "next"))
        return _sub(cfg, N, "news_early", 0, text, ())
    turn, pos, sentences = found
    turn_scores = spec["turn_scores"]
    by_turn = float(turn_scores[min(c.order(turn), len(turn_scores) - 1)])
    by_sentence = next(
        (float(s) for limit, s in spec["sentence_scores"] if sentences <= limit), float(spec["late_score"])
    )
    score = min(by_turn, by_sentence)
    ev = c.ev(turn, start=pos)
    key = "early" if score >= cfg.good else "late"
    text = _join(
        cfg.text(N, "news_early", key, quote=ev.text, sentences=sentences),
        _next_text(cfg, N, "news_early", _clamp(score)),
    )
    return _sub(cfg, N, "news_early", score, text, [ev])


def _no_sandwich(c: _Conversation, found: tuple[_Turn, int, int] | None) -> SubScore | None:
    cfg = c.cfg
    if found is None:
        return None
    scores = cfg.sub(N, "no_sandwich")["scores"]
    turn, pos, _ = found
    k = c.order(turn)
    news_key = (k, pos)
    cue_before: list[Evidence] = []
    any_before: list[Evidence] = []
    any_after: list[Evidence] = []
    for t in c.teacher[: k + 2]:
        marks = [(m.start(), True) for m in cfg.cues.compliment.finditer(t.text)]
        marks += [(p, False) for a in t.acts if a.code == "affirmation" for p in [max(0, _act_pos(t.text, a))]]
        for p, is_cue in marks:
            ev = c.ev(t, start=p)
            if (c.order(t), p) < news_key:
                any_before.append(ev)
                if is_cue:
                    cue_before.append(ev)
            else:
                any_after.append(ev)
    if any_before and any_after:
        outcome, evidence = "sandwich", any_before + any_after
    elif cue_before:
        outcome, evidence = "before", cue_before
    else:
        outcome, evidence = "clean", []
    score = float(scores[outcome])
    head = (
        cfg.text(N, "no_sandwich", outcome, quote=evidence[0].text) if evidence else cfg.text(N, "no_sandwich", outcome)
    )
    return _sub(cfg, N, "no_sandwich", score, _join(head, _next_text(cfg, N, "no_sandwich", _clamp(score))), evidence)


def _room_for_reaction(c: _Conversation, found: tuple[_Turn, int, int] | None) -> SubScore | None:
    cfg = c.cfg
    if found is None:
        return None
    spec = cfg.sub(N, "room_for_reaction")
    turn, pos, _ = found
    reply = next((p for p in c.parent if p.index > turn.index), None)
    nxt = c.teacher_after(reply.index)[:1] if reply else []
    if not nxt:
        return None
    t = nxt[0]
    opens = t.has(REFLECTION_CODES | {"open_question"})
    blocks = _blocks(c, t)
    outcome = "mixed" if opens and blocks else "room" if opens else "piled" if blocks else "flat"
    score = float(spec["scores"][outcome])
    ev = c.ev(t, REFLECTION_CODES | {"open_question"}) if opens else c.ev(t, BLOCKER_CODES)
    after_news = sum(1 for s0, _ in _sentence_spans(turn.text) if s0 > pos)
    piling = after_news > int(spec["max_sentences_after_news"])
    if piling:
        score -= float(spec["piling_penalty"])
    text = _join(
        cfg.text(N, "room_for_reaction", outcome, quote=ev.text),
        cfg.text(N, "room_for_reaction", "piling") if piling else None,
        _next_text(cfg, N, "room_for_reaction", _clamp(score)),
    )
    return _sub(cfg, N, "room_for_reaction", score, text, [ev])


# ---------------------------------------------------------------------------------------
# Assembly


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


def _dimension(
    cfg: ScoringConfig,
    dim: str,
    subs: Iterable[SubScore | None],
    prefix: str | None = None,
    band_prefix: str = "",
    **extra: Any,
) -> Dimension:
    scored = tuple(s for s in subs if s is not None)
    if not scored:
        return Dimension(dim, cfg.dim(dim)["label"], 0, (), _join(prefix, cfg.summary_text(dim, "empty")), **extra)
    total = sum(s.weight for s in scored)
    score = _clamp(sum(s.score * s.weight for s in scored) / total)
    band = "good" if score >= cfg.good else "fair" if score >= cfg.fair else "poor"
    if band_prefix:
        band = f"{band_prefix}{band}"
    best = max(scored, key=lambda s: (s.score, s.weight))
    worst = min(scored, key=lambda s: (s.score, -s.weight))
    if worst.score >= cfg.good:
        tail = cfg.summary_text(dim, "tail_all_good")
    elif best.score < cfg.fair:
        tail = cfg.summary_text(dim, "tail_weak", weakest=_lower_first(worst.label))
    elif len(scored) > 1:
        tail = cfg.summary_text(dim, "tail", strongest=_lower_first(best.label), weakest=_lower_first(worst.label))
    else:
        tail = None
    summary = _join(prefix, cfg.summary_text(dim, band), tail)
    return Dimension(dim, cfg.dim(dim)["label"], score, scored, summary, **extra)


def score(
    turns: Turns,
    context: ScoreContext | None = None,
    acts: ActsInput = None,
) -> Report:
    """Score a session. `acts` (one entry per turn, None = recognise) lets callers reuse acts."""
    ctx = context or ScoreContext()
    cfg = scoring_config()
    c = _build(turns, acts, cfg)

    listening = _dimension(
        cfg,
        L,
        (
            _reflection_ratio(c) if c.teacher else None,
            _open_questions(c) if c.teacher else None,
            _emotion_first(c),
            _summaries(c),
            _roadblocks(c),
            _jargon(c),
            _canned_empathy(c),
        ),
    )

    moments = _boundary_moments(c, ctx)
    if moments:
        subs = [
            _name_limit(c, moments),
            _i_message(c) if c.teacher else None,
            _consequence(c, moments) if c.teacher else None,
            _position(c),
            _no_counter_attack(c) if c.teacher else None,
            _structure(c),
        ]
        boundaries = _dimension(cfg, B, subs, no_boundary_moment=False, boundary_turns=moments)
    else:
        wanted = set(cfg.dim(B)["without_boundary_moment"])
        subs = [s for s in (_position(c), _structure(c)) if s is not None and s.id in wanted]
        boundaries = _dimension(
            cfg,
            B,
            subs,
            prefix=cfg.summary_text(B, "no_boundary_moment"),
            band_prefix="calm_",
            no_boundary_moment=True,
            boundary_turns=(),
        )

    bad_news = None
    if ctx.bad_news:
        found = _news_position(c)
        bad_news = _dimension(cfg, N, (_news_early(c, found), _no_sandwich(c, found), _room_for_reaction(c, found)))

    per_turn: list[TurnActs] = []
    counts: dict[str, int] = dict.fromkeys(ALL_CODES, 0)
    for t in c.teacher:
        codes: list[str] = []
        evidence: dict[str, str] = {}
        for a in t.acts:
            counts[a.code] = counts.get(a.code, 0) + 1
            if a.code not in evidence:
                codes.append(a.code)
                evidence[a.code] = a.evidence
        per_turn.append(TurnActs(t.index, t.text, tuple(codes), evidence))

    return Report(
        listening=listening,
        boundaries=boundaries,
        bad_news=bad_news,
        turns=tuple(per_turn),
        counts=counts,
        scenario_title=ctx.scenario_title,
    )
