"""The scoring data file (`feedback/data/scoring.yaml`), read through a strict schema.

Trainers tune weights, thresholds, cue words and texts by hand, so a misspelt key must be
caught at start-up with one line they can act on (`scoring.yaml:123: field: message`), not
silently ignored until a rare branch of a rule reads it mid-session.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from feedback.datafile import DataFileError, LineMap, line_of, load

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "scoring.yaml"

Points = list[tuple[float, float]]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sub(Strict):
    """What every sub-score has: a Dutch label, a weight and its texts."""

    label: str = Field(min_length=1)
    weight: int | float = Field(gt=0)
    texts: dict[str, str]


class ReflectionRatio(Sub):
    points: Points
    none_score: float
    rejected_weight: float = Field(ge=0, le=1)


class OpenQuestions(Sub):
    points: Points
    none_score: float


class EmotionScores(Strict):
    immediate: float
    later: float
    mixed: float
    missed: float
    blocked: float


class EmotionFirst(Sub):
    scores: EmotionScores


class SummaryScores(Strict):
    checked: float
    unchecked: float
    paraphrase_only: float
    none: float


class Summaries(Sub):
    min_teacher_turns: int
    rejected_penalty: float
    scores: SummaryScores


class Roadblocks(Sub):
    penalties: dict[str, float]


class Jargon(Sub):
    penalty_per_turn: float


class CannedEmpathy(Sub):
    formula_repeats: int
    formula_penalty: float
    unfollowed_penalty: float
    formula_words: int
    formulas: list[str]


class NameLimitScores(Strict):
    first: float
    second: float
    defused: float
    missed: float


class NameLimit(Sub):
    scores: NameLimitScores


class IMessage(Sub):
    limit_only_score: float
    none_score: float


class ConsequenceScores(Strict):
    worked: float
    followed: float
    not_followed: float
    missing: float
    empty_threat: float


class Consequence(Sub):
    empty_threat_repeats: int
    repeat_penalty: float
    scores: ConsequenceScores


class PositionScores(Strict):
    held: float
    neutral: float
    caved: float
    caved_more: float


class Position(Sub):
    defending_penalty: float
    defending_max: int
    scores: PositionScores


class NoCounterAttack(Sub):
    penalty: float


class StructurePoints(Strict):
    start: float
    end: float
    any: float


class Structure(Sub):
    window: int
    points: StructurePoints


class NewsEarly(Sub):
    turn_scores: list[float] = Field(min_length=1)
    sentence_scores: Points
    late_score: float


class SandwichScores(Strict):
    clean: float
    before: float
    sandwich: float


class NoSandwich(Sub):
    scores: SandwichScores


class RoomScores(Strict):
    room: float
    mixed: float
    flat: float
    piled: float


class RoomForReaction(Sub):
    max_sentences_after_news: int
    piling_penalty: float
    scores: RoomScores


class Summary(Strict):
    """Band texts of a dimension; `basis` says what the score rests on."""

    good: str
    fair: str
    poor: str
    tail: str
    tail_weak: str
    tail_all_good: str
    empty: str
    basis: str
    no_boundary_moment: str | None = None
    calm_good: str | None = None
    calm_fair: str | None = None
    calm_poor: str | None = None


class ListeningSubs(Strict):
    reflection_ratio: ReflectionRatio
    open_questions: OpenQuestions
    emotion_first: EmotionFirst
    summaries: Summaries
    roadblocks: Roadblocks
    jargon: Jargon
    canned_empathy: CannedEmpathy


class BoundarySubs(Strict):
    name_limit: NameLimit
    i_message: IMessage
    consequence: Consequence
    position: Position
    no_counter_attack: NoCounterAttack
    structure: Structure


class BadNewsSubs(Strict):
    news_early: NewsEarly
    no_sandwich: NoSandwich
    room_for_reaction: RoomForReaction


class Listening(Strict):
    label: str
    subscores: ListeningSubs
    summary: Summary


class Boundaries(Strict):
    label: str
    name_within: int
    subscores: BoundarySubs
    summary: Summary


class BadNews(Strict):
    label: str
    subscores: BadNewsSubs
    summary: Summary


class Shouting(Strict):
    caps_words: int
    exclamations: int
    acronyms: list[str]


class CueLists(Strict):
    parent_emotion: list[str]
    parent_boundary: list[str]
    parent_pressure: list[str]
    parent_rejects: list[str]
    shouting: Shouting
    follow_through: list[str]
    conditional: list[str]
    check: list[str]
    news: list[str]
    compliment: list[str]


class Bands(Strict):
    good: int
    fair: int


class ReportLabels(Strict):
    title: str
    scenario: str
    turns: str
    turn: str
    weight: str
    evidence: str
    no_codes: str
    counts: str
    no_boundary_moment: str
    not_applicable: str
    not_applicable_short: str


class ScoringFile(Strict):
    version: int
    bands: Bands
    quote_max_words: int
    max_evidence: int
    long_information_words: int
    listening: Listening
    boundaries: Boundaries
    bad_news: BadNews
    cues: CueLists
    report: ReportLabels


@dataclass(frozen=True)
class Cues:
    """Compiled cue-word patterns from the data file."""

    emotion: re.Pattern[str]
    boundary: re.Pattern[str]
    pressure: re.Pattern[str]
    rejects: re.Pattern[str]
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
    """The validated data file, its line map (for errors) and the compiled cues."""

    file: ScoringFile
    lines: LineMap
    cues: Cues

    @property
    def raw(self) -> Mapping[str, Any]:
        return self.file.model_dump()

    def dim(self, dim: str) -> Listening | Boundaries | BadNews:
        return getattr(self.file, dim)  # type: ignore[no-any-return]

    def sub(self, dim: str, sid: str) -> Any:
        return getattr(self.dim(dim).subscores, sid)

    def text(self, dim: str, sid: str, key: str, **values: object) -> str:
        return self.sub(dim, sid).texts[key].format(**values)

    def summary_text(self, dim: str, key: str, **values: object) -> str:
        return str(getattr(self.dim(dim).summary, key)).format(**values)

    @property
    def good(self) -> int:
        return self.file.bands.good

    @property
    def fair(self) -> int:
        return self.file.bands.fair

    def error(self, loc: tuple[object, ...], message: str) -> DataFileError:
        """A one-line error pointing at a field of the data file."""
        field = ".".join(str(p) for p in loc)
        return DataFileError(DATA_FILE.name, message, field, line_of(self.lines, loc))


def alternation(patterns: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive pattern matching any cue between word boundaries."""
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"\b(?:{body})\b", re.IGNORECASE)


def _compile(file: ScoringFile, lines: LineMap) -> Cues:
    cues = file.cues
    try:
        return Cues(
            emotion=alternation(cues.parent_emotion),
            boundary=alternation(cues.parent_boundary),
            pressure=alternation(cues.parent_pressure),
            rejects=alternation(cues.parent_rejects),
            follow_through=alternation(cues.follow_through),
            conditional=alternation(cues.conditional),
            check=alternation(cues.check),
            news=alternation(cues.news),
            compliment=alternation(cues.compliment),
            formulas=alternation(file.listening.subscores.canned_empathy.formulas),
            caps_words=cues.shouting.caps_words,
            exclamations=cues.shouting.exclamations,
            acronyms=frozenset(a.upper() for a in cues.shouting.acronyms),
        )
    except re.error as exc:
        raise DataFileError(DATA_FILE.name, f"ongeldig patroon: {exc}", "cues", line_of(lines, ("cues",))) from None


def load_config(path: Path = DATA_FILE) -> ScoringConfig:
    """Read, validate and compile a scoring file; DataFileError (one line) when it is malformed."""
    file, lines = load(ScoringFile, path)
    return ScoringConfig(file=file, lines=lines, cues=_compile(file, lines))


@cache
def scoring_config() -> ScoringConfig:
    """The shipped data file, loaded once per process."""
    return load_config()
