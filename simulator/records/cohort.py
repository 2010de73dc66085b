"""A cohort: many students' transcripts, read once, scored, and summed up for a trainer.

A trainer with 25 students, each practising several scenarios a few times, needs to
see who is stuck, which sub-skill the group misses and who improves. This module
turns files (see `cohort_files`) into `Attempt`s (one scored transcript each) and the
aggregates the CLI, the HTML page and the Voortgang screen show. It reads stored acts,
so a cohort of a thousand transcripts takes seconds; `anonymised()` swaps every name
for a stable pseudonym before anything is rendered.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.content.problems import ContentError
from simulator.records.cohort_files import Limits, Skipped, Source, display, iter_sources
from simulator.records.cohort_words import CohortWords, words
from simulator.records.transcript import SCHEMA_ID, Transcript, parse_transcript

if TYPE_CHECKING:
    from simulator.content.loader import Library

SCHEMA_PREFIX = SCHEMA_ID.rsplit("/", 1)[0] + "/"
SCHEMA_VERSION = int(SCHEMA_ID.rsplit("/", 1)[1])
DEFAULT_SALT = "oudergesprek-cohort-v1"
"""Fixed, so the same name always gets the same pseudonym; pass your own salt to make guessing names harder."""
_NAME_STOPWORDS = frozenset({"van", "der", "den", "het", "ter", "ten", "de", "la", "le", "von", "el"})


@dataclass(frozen=True)
class Attempt:
    """One scored practice conversation of one student."""

    id: str
    student: str
    scenario: str
    scenario_title: str
    persona: str
    started: datetime | None
    listening: int
    boundaries: int
    self_listening: int | None
    self_boundaries: int | None
    outcome: str
    teacher_turns: int
    shown: Mapping[str, bool]
    """Sub-skill id -> shown at least once in this attempt."""
    subscores: Mapping[str, int]
    """Sub-skill id -> its sub-score (0-100) where the report has one."""
    quotes: Mapping[str, str]
    """Sub-skill id -> the teacher's own words that show (or concern) it."""
    source: str = ""

    @property
    def date(self) -> str:
        return self.started.strftime("%Y-%m-%d") if self.started else ""


@dataclass(frozen=True)
class StudentSummary:
    name: str
    attempts: tuple[Attempt, ...]

    @property
    def first(self) -> Attempt:
        return self.attempts[0]

    @property
    def last(self) -> Attempt:
        return self.attempts[-1]

    @property
    def trend_listening(self) -> int:
        return self.last.listening - self.first.listening

    @property
    def trend_boundaries(self) -> int:
        return self.last.boundaries - self.first.boundaries

    @property
    def last_rated(self) -> Attempt | None:
        """The latest attempt with a self-rating, to set against its feedback."""
        return next((a for a in reversed(self.attempts) if a.self_listening is not None), None)


@dataclass(frozen=True)
class ScenarioStats:
    scenario: str
    title: str
    listening: tuple[int, ...]
    boundaries: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.listening)

    @staticmethod
    def median(values: tuple[int, ...]) -> float:
        return float(statistics.median(values)) if values else 0.0


@dataclass(frozen=True)
class SkillStats:
    id: str
    label: str
    never: str
    shown: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.shown / self.total) if self.total else 0

    @property
    def percent_never(self) -> int:
        return 100 - self.percent if self.total else 0


@dataclass
class Cohort:
    attempts: list[Attempt]
    skipped: list[Skipped] = field(default_factory=list)
    duplicates: int = 0
    anonymised: bool = False

    def students(self) -> list[StudentSummary]:
        """Students by name, each with attempts oldest first."""
        groups: dict[str, list[Attempt]] = {}
        for a in self.attempts:
            groups.setdefault(a.student, []).append(a)
        return [
            StudentSummary(name, tuple(sorted(items, key=_attempt_order)))
            for name, items in sorted(groups.items(), key=lambda kv: kv[0].casefold())
        ]

    def scenarios(self) -> list[ScenarioStats]:
        groups: dict[str, list[Attempt]] = {}
        for a in self.attempts:
            groups.setdefault(a.scenario, []).append(a)
        return [
            ScenarioStats(
                sid,
                items[0].scenario_title,
                tuple(a.listening for a in items),
                tuple(a.boundaries for a in items),
            )
            for sid, items in sorted(groups.items())
        ]

    def skills(self) -> list[SkillStats]:
        """Per sub-skill, how many students showed it in at least one attempt."""
        students = self.students()
        out = []
        for skill in words().skills:
            shown = sum(1 for s in students if any(a.shown.get(skill.id) for a in s.attempts))
            out.append(SkillStats(skill.id, skill.label, skill.never, shown, len(students)))
        return out

    def anonymised_copy(self, salt: str = DEFAULT_SALT) -> Cohort:
        """The same cohort with every student name (in names, quotes and file names) replaced by a pseudonym."""
        names = {a.student for a in self.attempts}
        scrub = _name_scrubber(names, salt)
        attempts = [
            replace(
                a,
                student=pseudonym(a.student, salt),
                quotes={k: scrub(v) for k, v in a.quotes.items()},
                source=file_pseudonym(a.source, salt),
            )
            for a in self.attempts
        ]
        skipped = [Skipped(file_pseudonym(s.name, salt), scrub(s.reason)) for s in self.skipped]
        return Cohort(attempts, skipped, self.duplicates, anonymised=True)


def _attempt_order(a: Attempt) -> tuple[float, str]:
    return (a.started.timestamp() if a.started else 0.0, a.id)


# --- pseudonyms -------------------------------------------------------------------------------


def _digest(text: str, salt: str) -> str:
    return hmac.new(salt.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonym(name: str, salt: str = DEFAULT_SALT) -> str:
    """A stable pseudonym: the same name (any case or spacing) always gets the same code."""
    key = " ".join(name.casefold().split())
    return words().text.pseudonym.format(code=_digest(key, salt)[:6].upper())


def file_pseudonym(name: str, salt: str = DEFAULT_SALT) -> str:
    """A file name can hold a student's name: show only a code (and the extension) instead."""
    if not name:
        return ""
    suffix = Path(name.rsplit(":", 1)[-1]).suffix
    return words().text.file_pseudonym.format(code=_digest(name, salt)[:8]) + suffix


def _name_scrubber(names: Iterable[str], salt: str) -> Any:
    """Replace each full name, and each of its longer parts, in free text with that student's pseudonym."""
    parts: dict[str, str] = {}
    for name in names:
        alias = pseudonym(name, salt)
        parts[name] = alias
        for token in re.findall(r"[^\W\d_]+", name):
            if len(token) >= 3 and token.casefold() not in _NAME_STOPWORDS:
                parts.setdefault(token, alias)
    if not parts:
        return lambda text: text
    ordered = sorted(parts, key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in ordered) + r")\b", re.IGNORECASE)
    lookup = {p.casefold(): a for p, a in parts.items()}
    return lambda text: pattern.sub(lambda m: lookup.get(m.group(0).casefold(), "?"), text)


# --- reading and scoring ----------------------------------------------------------------------


def parse_source(source: Source, w: CohortWords | None = None) -> Transcript | Skipped:
    """A transcript, or the reason (Dutch) it cannot be one: damaged, newer schema, not a transcript."""
    reasons = (w or words()).reasons
    try:
        text = source.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Skipped(source.name, reasons.not_utf8)
    if not text.strip():
        return Skipped(source.name, reasons.empty)
    try:
        return parse_transcript(text, source.name)
    except ContentError as err:
        problem = err.problems[0]
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return Skipped(source.name, reasons.not_json.format(line=problem.line or 1))
    if not isinstance(data, dict):
        return Skipped(source.name, reasons.not_object)
    schema = data.get("schema")
    if isinstance(schema, str) and schema != SCHEMA_ID:
        version = schema.removeprefix(SCHEMA_PREFIX)
        if schema.startswith(SCHEMA_PREFIX) and version.isdigit() and int(version) > SCHEMA_VERSION:
            return Skipped(source.name, reasons.newer_schema.format(schema=schema[:60]))
        return Skipped(source.name, reasons.other_schema.format(schema=schema[:60]))
    where = f"{problem.field}: " if problem.field else ""
    detail = f"{where}{problem.message}"[:160]
    if problem.line:
        return Skipped(source.name, reasons.invalid_at.format(detail=detail, line=problem.line))
    return Skipped(source.name, reasons.invalid.format(detail=detail))


def _effective(transcript: Transcript, dimension: str, engine: int) -> int:
    """A trainer's score override wins over the engine's score (the latest one counts)."""
    for o in reversed(transcript.score_overrides):
        if o.target == f"score:{dimension}" and o.trainer.strip().lstrip("-").isdigit():
            return max(0, min(100, int(o.trainer)))
    return engine


def attempt_of(
    transcript: Transcript, report: Mapping[str, Any], w: CohortWords, titles: Mapping[str, str], source: str = ""
) -> Attempt:
    """One attempt from a transcript and its report dict (`Report.to_dict()`)."""
    subs: dict[str, dict[str, Any]] = {}
    for dim in ("listening", "boundaries"):
        for sub in (report.get(dim) or {}).get("subscores", []):
            subs[f"{dim}.{sub['id']}"] = sub
    act_quotes: dict[str, str] = {}
    for turn in report.get("turns", []):
        for code in turn.get("codes", []):
            act_quotes[code] = str(turn.get("evidence", {}).get(code) or turn.get("text", ""))  # latest wins
    shown: dict[str, bool] = {}
    subscores: dict[str, int] = {}
    quotes: dict[str, str] = {}
    for skill in w.skills:
        sub = subs.get(skill.subscore or "")
        if sub is not None:
            subscores[skill.id] = int(sub["score"])
        hits = [act_quotes[c] for c in skill.acts if c in act_quotes]
        shown[skill.id] = bool(hits) if skill.acts else bool(sub is not None and sub["score"] >= w.shown_at)
        evidence = [e["text"] for e in (sub or {}).get("evidence", []) if e.get("text")]
        quote = hits[-1] if hits else (evidence[-1] if evidence else "")
        if quote:
            quotes[skill.id] = display(quote)
    rating = transcript.self_rating
    sid = transcript.scenario_id or ""
    return Attempt(
        id=transcript.id,
        student=display(" ".join((transcript.trainee or "").split())) or w.text.unknown_student,
        scenario=display(sid) or w.text.unknown_scenario,
        scenario_title=titles.get(sid) or display(sid) or w.text.unknown_scenario,
        persona=display(transcript.persona_id or ""),
        started=transcript.started_at,
        listening=_effective(transcript, "listening", int(report["listening"]["score"])),
        boundaries=_effective(transcript, "boundaries", int(report["boundaries"]["score"])),
        self_listening=rating.listening if rating else None,
        self_boundaries=rating.boundaries if rating else None,
        outcome=transcript.outcome or "",
        teacher_turns=sum(1 for t in transcript.turns if t.speaker == "teacher"),
        shown=shown,
        subscores=subscores,
        quotes=quotes,
        source=source,
    )


def score_transcript(transcript: Transcript) -> dict[str, Any]:
    """The feedback report as plain data; stored acts are used, so this stays around a millisecond."""
    from simulator.records.feedback_bridge import report_for

    return dict(report_for(transcript).to_dict())


def build_cohort(
    items: Iterable[tuple[str, Transcript]],
    skipped: Iterable[Skipped] = (),
    library: Library | None = None,
) -> Cohort:
    """Score named transcripts into a cohort; the same transcript id is read once (the longest copy wins)."""
    w = words()
    titles = {sid: s.title for sid, s in library.scenarios.items()} if library is not None else {}
    out_skipped = list(skipped)
    chosen: dict[str, tuple[str, Transcript]] = {}
    duplicates = 0
    for name, transcript in items:
        if not any(t.speaker == "teacher" for t in transcript.turns):
            out_skipped.append(Skipped(name, w.reasons.no_teacher_turns))
            continue
        seen = chosen.get(transcript.id)
        if seen is not None:
            duplicates += 1
            if len(transcript.turns) <= len(seen[1].turns):
                continue
        chosen[transcript.id] = (name, transcript)
    attempts = []
    for name, transcript in chosen.values():
        try:
            report = score_transcript(transcript)
        except Exception as exc:  # one odd transcript must not sink the group overview
            out_skipped.append(Skipped(name, w.reasons.score_failed.format(detail=str(exc)[:80])))
            continue
        attempts.append(attempt_of(transcript, report, w, titles, name))
    return Cohort(attempts, out_skipped, duplicates)


def load_cohort(paths: Iterable[Path], library: Library | None = None, limits: Limits | None = None) -> Cohort:
    """Read files, folders and zips into a cohort; unreadable files are listed, never fatal."""
    w = words()
    parsed: list[tuple[str, Transcript]] = []
    skipped: list[Skipped] = []
    for item in iter_sources(list(paths), limits):
        if isinstance(item, Skipped):
            skipped.append(item)
            continue
        result = parse_source(item, w)
        if isinstance(result, Skipped):
            skipped.append(result)
        else:
            parsed.append((item.name, result))
    return build_cohort(parsed, skipped, library)
