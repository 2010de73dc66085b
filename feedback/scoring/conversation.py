"""The conversation as the scoring rules see it: turns, their acts, and shared lookups.

Acts are recognised once per teacher turn, with a short window of history (a rule needs
the parent's recent words, never the whole session), so scoring stays linear in length.
Two adjustments happen here, once, for every rule: an act repeated word for word counts
once (a stock phrase said five times is one skill shown, not five), and a reflection the
parent rejects ("Nee, dat bedoel ik niet") is marked, so rules can count it for less.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from feedback.acts import Act, recognise
from feedback.codes import QUESTION_CODES, REFLECTION_CODES
from feedback.scoring.config import ScoringConfig
from feedback.scoring.cues import parent_rejects, quote
from feedback.scoring.model import Evidence, SubScore
from feedback.text import fold, sentence_spans

Turns = Sequence[tuple[str, str]]
ActsInput = Sequence[Sequence[Act] | None] | None

SPEAKERS = ("teacher", "parent")
HISTORY_WINDOW = 6  # turns of history given to the recogniser for one teacher turn
REPEATABLE = frozenset({"holds_position"})  # the broken record repeats itself on purpose


@dataclass(frozen=True)
class Turn:
    index: int
    speaker: str
    text: str
    acts: tuple[Act, ...]
    codes: frozenset[str]
    n_words: int
    counted: tuple[Act, ...] = ()  # acts minus word-for-word repeats of earlier ones
    rejected: bool = False  # the parent's next turn rejects what this turn gave back
    spans: tuple[tuple[int, int], ...] = ()  # sentence (start, end) pairs, computed once

    def has(self, codes: Iterable[str]) -> bool:
        return not self.codes.isdisjoint(codes)

    def count(self, codes: Iterable[str]) -> int:
        wanted = set(codes)
        return sum(1 for a in self.counted if a.code in wanted)

    def pos(self, codes: Iterable[str]) -> int:
        """Character position of the first act with one of `codes`; -1 if unknown."""
        wanted = set(codes)
        positions = [p for a in self.acts if a.code in wanted and (p := act_pos(self.text, a)) >= 0]
        return min(positions) if positions else -1


def act_pos(text: str, act: Act) -> int:
    if act.start >= 0:
        return act.start
    return text.lower().find(act.evidence.lower()) if act.evidence else -1


def _repeat_key(turn_text: str, spans: Sequence[tuple[int, int]], act: Act) -> tuple[str, str]:
    """What makes two acts 'the same words': the code and the folded sentence it sits in."""
    p = act_pos(turn_text, act)
    sentence = next((turn_text[a:b] for a, b in spans if a <= p < b), None) if p >= 0 else None
    return act.code, " ".join(fold(sentence or act.evidence or turn_text).split())


class Conversation:
    """Turns with their acts, plus the lookups the rules share."""

    def __init__(self, turns: list[Turn], cfg: ScoringConfig) -> None:
        self.turns = turns
        self.cfg = cfg
        self.teacher = [t for t in turns if t.speaker == "teacher"]
        self.parent = [t for t in turns if t.speaker == "parent"]
        self._order = {t.index: n for n, t in enumerate(self.teacher)}

    def teacher_after(self, index: int) -> list[Turn]:
        return [t for t in self.teacher if t.index > index]

    def order(self, turn: Turn) -> int:
        """Position of a teacher turn among teacher turns (0 = first)."""
        return self._order[turn.index]

    def count(self, codes: Iterable[str]) -> int:
        wanted = set(codes)
        return sum(1 for t in self.teacher for a in t.counted if a.code in wanted)

    def long_information(self, turn: Turn) -> bool:
        return turn.n_words >= self.cfg.file.long_information_words and not turn.has(QUESTION_CODES | REFLECTION_CODES)

    def ev(self, turn: Turn, codes: Iterable[str] | None = None, start: int = -1) -> Evidence:
        """A quote from `turn` around the first act in `codes` (or `start`)."""
        if codes is not None and start < 0:
            wanted = set(codes)
            start = turn.pos(wanted)
            if start < 0:
                act = next((a for a in turn.acts if a.code in wanted), None)
                if act is not None:
                    return Evidence(turn.index, quote(turn.text, evidence=act.evidence, spans=turn.spans))
        return Evidence(turn.index, quote(turn.text, start=start, spans=turn.spans))


def build(turns: Turns, acts: ActsInput, cfg: ScoringConfig) -> Conversation:
    """Check the input, recognise missing acts, drop repeats and mark rejected reflections."""
    if acts is not None and len(acts) != len(turns):
        raise ValueError(f"acts has {len(acts)} entries for {len(turns)} turns")
    out: list[Turn] = []
    parent_before: str | None = None
    seen: set[tuple[str, str]] = set()
    for i, (speaker, text) in enumerate(turns):
        if speaker not in SPEAKERS:
            raise ValueError(f"turn {i}: unknown speaker {speaker!r} (expected teacher or parent)")
        turn_acts: tuple[Act, ...] = ()
        counted: list[Act] = []
        spans: tuple[tuple[int, int], ...] = ()
        if speaker == "teacher":
            spans = tuple(sentence_spans(text))
            given = acts[i] if acts is not None else None
            if given is None:
                history = tuple(turns[max(0, i - HISTORY_WINDOW) : i])
                given = recognise(text, parent_before, history)
            turn_acts = tuple(given)
            for a in turn_acts:
                key = _repeat_key(text, spans, a)
                if a.code in REPEATABLE or key not in seen:
                    counted.append(a)
                seen.add(key)
        else:
            parent_before = text
            if out and out[-1].speaker == "teacher" and out[-1].codes & REFLECTION_CODES and parent_rejects(text):
                prev = out[-1]
                out[-1] = dataclasses.replace(prev, rejected=True)
        codes = frozenset(a.code for a in turn_acts)
        out.append(Turn(i, speaker, text, turn_acts, codes, len(text.split()), tuple(counted), spans=spans))
    return Conversation(out, cfg)


# ---------------------------------------------------------------------------------------
# Small helpers the rules share


def interp(points: Sequence[Sequence[float]], x: float) -> float:
    """Straight lines between [x, score] points; flat beyond both ends."""
    if x <= points[0][0]:
        return float(points[0][1])
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return float(points[-1][1])


def join(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)


def clamp(x: float) -> int:
    return int(max(0, min(100, round(x))))


def next_text(cfg: ScoringConfig, dim: str, sid: str, score: float, key: str = "next") -> str:
    return cfg.text(dim, sid, "next_good" if clamp(score) >= cfg.good else key)


def make_sub(
    cfg: ScoringConfig, dim: str, sid: str, score: float, explanation: str, evidence: Iterable[Evidence]
) -> SubScore:
    spec = cfg.sub(dim, sid)
    seen: list[Evidence] = []
    for e in evidence:
        if len(seen) == cfg.file.max_evidence:
            break
        if e not in seen:
            seen.append(e)
    return SubScore(
        id=sid,
        label=spec.label,
        score=clamp(score),
        weight=spec.weight,
        explanation=explanation,
        evidence=tuple(seen),
    )
