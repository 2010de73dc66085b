"""The Dutch words of the cohort overview and the Voortgang screen, read from `cohort.yaml`.

Kept in a data file so a trainer can reword a heading without touching Python; the
model forbids unknown keys so a typo in the file fails at once, naming the field.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from simulator.content.files import load_model

WORDS_FILE = Path(__file__).with_name("cohort.yaml")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Skill(_Model):
    """A sub-skill a trainer looks for: shown by one of `acts`, scored by `subscore` (dimension.id)."""

    id: str
    label: str
    never: str
    acts: tuple[str, ...] = ()
    subscore: str | None = None


class TextWords(_Model):
    title: str
    summary: str
    duplicates: str
    students: str
    scenarios: str
    skills: str
    skipped: str
    no_skipped: str
    no_attempts: str
    attempts: str
    listening: str
    boundaries: str
    self_rating: str
    self_short: str
    last_self: str
    no_self: str
    median: str
    range: str
    shown: str
    never: str
    scenario: str
    date: str
    unknown_student: str
    unknown_scenario: str
    unknown_date: str
    pseudonym: str
    file_pseudonym: str
    generated: str
    anonymised: str
    chart_scores: str
    chart_scenario: str
    chart_skills: str


class Reasons(_Model):
    too_big: str
    not_utf8: str
    empty: str
    not_json: str
    not_object: str
    newer_schema: str
    other_schema: str
    invalid: str
    invalid_at: str
    no_teacher_turns: str
    not_transcript: str
    unsafe_name: str
    nested_zip: str
    bad_zip: str
    zip_too_big: str
    too_many: str
    unreadable: str
    missing: str
    score_failed: str


class VoortgangWords(_Model):
    title: str
    intro: str
    intro_named: str
    loading: str
    empty: str
    attempt_row: str
    no_self: str
    self_value: str
    improved: str
    improved_line: str
    no_improved: str
    practise: str
    practise_line: str
    no_quote: str
    quote: str
    skipped: str
    series: str
    back: str


class OpenWords(_Model):
    title: str
    help: str
    placeholder: str
    ok: str
    cancel: str
    missing: str
    skipped: str


class CohortWords(_Model):
    shown_at: int
    skills: tuple[Skill, ...]
    text: TextWords
    reasons: Reasons
    voortgang: VoortgangWords
    open: OpenWords


@cache
def words(path: Path = WORDS_FILE) -> CohortWords:
    """The checked words file (once per process); a bad edit raises a ContentError naming file and field."""
    return load_model(CohortWords, path)
