"""Reading a cohort: files to transcripts to scored attempts, each transcript id once, nothing fatal.

A damaged file, a transcript from a newer version of oudergesprek or a hostile zip
member becomes a `Skipped` line with a Dutch reason. Stored acts are reused, so one
transcript costs a few milliseconds; a large cohort is scored in a few worker
processes (batched, so memory stays bounded however many files there are).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from simulator.content.problems import ContentError
from simulator.limits import MAX_TURN_CHARS, MAX_TURNS
from simulator.records.cohort import Attempt, Cohort
from simulator.records.cohort_files import Limits, Skipped, Source, display, iter_sources
from simulator.records.cohort_words import CohortWords, words
from simulator.records.transcript import SCHEMA_ID, Transcript, parse_transcript

if TYPE_CHECKING:
    from simulator.content.loader import Library

SCHEMA_PREFIX = SCHEMA_ID.rsplit("/", 1)[0] + "/"
SCHEMA_VERSION = int(SCHEMA_ID.rsplit("/", 1)[1])
BATCH = 256
"""Sources read into memory at a time; also the size from which worker processes pay off."""
MAX_WORKERS = 4

Scored = tuple[str, int, Attempt | Skipped]
"""(transcript id, number of turns, the attempt or why not); the id is '' when there is none."""


def parse_source(source: Source, w: CohortWords | None = None) -> Transcript | Skipped:
    """A transcript, or the reason (Dutch) it cannot be one: damaged, newer schema, not a transcript."""
    reasons = (w or words()).reasons
    try:
        text = source.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Skipped(source.name, reasons.not_utf8)
    if not text.strip():
        return Skipped(source.name, reasons.empty)
    try:  # fast path: a valid transcript within the limits needs one parse, not three
        transcript = Transcript.model_validate_json(text)
        if len(transcript.turns) <= MAX_TURNS and all(len(t.text) <= MAX_TURN_CHARS for t in transcript.turns):
            return transcript
    except ValidationError:
        pass
    try:  # the careful path names the field, the line and the limit
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


def _effective(transcript: Transcript, report: Mapping[str, Any], dimension: str) -> int | None:
    """The engine's score, or a trainer's override of it (the latest counts); None if nothing was scored."""
    for o in reversed(transcript.score_overrides):
        if o.target == f"score:{dimension}" and o.trainer.strip().lstrip("-").isdigit():
            return max(0, min(100, int(o.trainer)))
    data = report.get(dimension) or {}
    return int(data["score"]) if data.get("subscores") else None


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
        listening=_effective(transcript, report, "listening"),
        boundaries=_effective(transcript, report, "boundaries"),
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
    """The feedback report as plain data; stored acts are reused, so this takes a few milliseconds."""
    from simulator.records.feedback_bridge import report_for

    return dict(report_for(transcript).to_dict())


def _score(name: str, transcript: Transcript, w: CohortWords, titles: Mapping[str, str]) -> Scored:
    turns = len(transcript.turns)
    if not any(t.speaker == "teacher" for t in transcript.turns):
        return transcript.id, turns, Skipped(name, w.reasons.no_teacher_turns)
    try:
        report = score_transcript(transcript)
    except Exception as exc:  # one odd transcript must not sink the group overview
        return transcript.id, turns, Skipped(name, w.reasons.score_failed.format(detail=str(exc)[:80]))
    return transcript.id, turns, attempt_of(transcript, report, w, titles, name)


def _read_and_score(source: Source, titles: Mapping[str, str]) -> Scored:
    """One file's whole journey; runs in a worker process for large cohorts."""
    w = words()
    parsed = parse_source(source, w)
    if isinstance(parsed, Skipped):
        return "", 0, parsed
    return _score(source.name, parsed, w, titles)


def _read_batch(batch: list[Source], titles: Mapping[str, str]) -> list[Scored]:
    return [_read_and_score(s, titles) for s in batch]


def _collect(results: Iterable[Scored], skipped: list[Skipped]) -> Cohort:
    """Keep one attempt per transcript id (the copy with the most turns: the latest save)."""
    chosen: dict[str, tuple[int, Attempt]] = {}
    duplicates = 0
    for tid, turns, result in results:
        if isinstance(result, Skipped):
            skipped.append(result)
            continue
        seen = chosen.get(tid)
        if seen is not None:
            duplicates += 1
            if turns <= seen[0]:
                continue
        chosen[tid] = (turns, result)
    return Cohort([a for _, a in chosen.values()], skipped, duplicates)


def _titles(library: Library | None) -> dict[str, str]:
    return {sid: s.title for sid, s in library.scenarios.items()} if library is not None else {}


def build_cohort(
    items: Iterable[tuple[str, Transcript]], skipped: Iterable[Skipped] = (), library: Library | None = None
) -> Cohort:
    """A cohort from transcripts already in memory, named by where they came from."""
    w, titles = words(), _titles(library)
    return _collect((_score(name, t, w, titles) for name, t in items), list(skipped))


def default_workers() -> int:
    """Worker processes for a large cohort: only from a plain single-threaded process (forking a
    process with threads, such as the app, can deadlock), and never more than the machine has."""
    if threading.current_thread() is not threading.main_thread() or threading.active_count() > 1:
        return 1
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def load_cohort(
    paths: Iterable[Path],
    library: Library | None = None,
    limits: Limits | None = None,
    workers: int | None = None,
) -> Cohort:
    """Read files, folders and zips into a cohort; unreadable files are listed, never fatal.

    `workers` None picks a number (see `default_workers`); 1 reads everything in this process.
    """
    titles = _titles(library)
    skipped: list[Skipped] = []
    wanted = default_workers() if workers is None else max(1, workers)
    pool: Executor | None = None

    def sources() -> Iterator[Source]:
        for item in iter_sources(list(paths), limits):
            if isinstance(item, Skipped):
                skipped.append(item)
            else:
                yield item

    def results() -> Iterator[Scored]:
        nonlocal pool
        stream = sources()
        while batch := list(islice(stream, BATCH)):
            if pool is None and wanted > 1 and len(batch) == BATCH:
                pool = ProcessPoolExecutor(max_workers=wanted)
            if pool is None:
                yield from _read_batch(batch, titles)
                continue
            chunks = [batch[i : i + 16] for i in range(0, len(batch), 16)]
            for done in pool.map(_read_batch, chunks, [titles] * len(chunks)):
                yield from done

    try:
        return _collect(results(), skipped)
    finally:
        if pool is not None:
            pool.shutdown()
