"""The shape of `act_rules.yaml`, checked before any rule is compiled.

Trainers edit the rule file by hand. With `extra="forbid"` a misspelt key ("cuess") is an error
naming its line instead of a rule that silently never fires.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, create_model

from feedback.codes import ALL_CODES, QUESTION_CODES

OWN_LOGIC_CODES: frozenset[str] = QUESTION_CODES | {"paraphrase", "feeling_reflection", "summary", "jargon"}
"""Codes recognised by their own module (questions, feelings, reflections, jargon)."""

PATTERN_CODES: tuple[str, ...] = tuple(c for c in ALL_CODES if c not in OWN_LOGIC_CODES)
"""Codes whose section in the rule file is a plain cue list (`CodeRule`)."""


def _scalar_text(value: Any) -> Any:
    """YAML reads `- 2` or `- ja` oddly; a word list holds text, so scalars become text."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


Text = Annotated[str, BeforeValidator(_scalar_text)]
Texts = list[Text]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Questions(_Strict):
    open_starts: Texts = []
    closed_starts: Texts = []
    not_questions: Texts = []
    open_cues: Texts = []
    open_cues_unless: Texts = []
    why: Texts = []
    why_statements: Texts = []
    leading: Texts = []
    leading_particles: Texts = []
    parentheticals: Texts = []
    unmarked_verbs: Texts = []
    unmarked_subjects: Texts = []


class Paraphrase(_Strict):
    strong_cues: Texts = []
    weak_cues: Texts = []
    not_paraphrase: Texts = []
    not_weak_paraphrase: Texts = []
    restatements: Texts = []
    cue_words: Texts = []
    loose_words: Texts = []
    min_overlap_strong: int = 1
    min_overlap_weak: int = 2
    min_overlap_restatement: int = 1
    echo_min_overlap: int = 0
    echo_min_share: float = 1.0
    echo_allowed_with: Texts = []
    echo_anchor: Texts = []
    echo_block: Texts = []
    perspective_verbs: str | None = None
    weak_cues_off_with: Texts = []
    off_with: Texts = []
    semantic_min_similarity: float = 0.82


class Summary(_Strict):
    cues: Texts = []
    weak_cues: Texts = []
    enumeration: Texts = []
    min_parent_turns: int = 2
    min_total_overlap: int = 3


class Feeling(_Strict):
    terms: Texts = []
    frame_terms: Texts = []
    frame_term_tail: str | None = None
    empathy_frames: Texts = []
    perception_terms: Texts = []
    perception_frames: Texts = []
    experiencer: str = "(u|uw)"
    experiencer_after: Texts = []
    transparent_after: Texts = []
    other_experiencer: Texts = []
    blockers_before: Texts = []
    blockers: Texts = []


class Jargon(_Strict):
    terms: Texts = []
    explained_by: Texts = []
    explain_window: int = 90


class CodeRule(_Strict):
    cues: Texts = []
    unless: Texts = []
    unless_clause: Texts = []
    context_cues: Texts = []
    context: Texts = []


class Combo(_Strict):
    scope: Literal["clause", "sentence", "turn"] = "sentence"
    all: Texts = []
    none: Texts = []
    first: Texts = []
    question: bool | None = None


class _Base(_Strict):
    classes: dict[str, Text] = {}
    never_names: Texts = []
    abbreviations: Texts = []
    clause_openers: Texts = []
    clause_start_words: Texts = []
    hesitations: Texts = []
    question_fillers: Texts = []
    questions: Questions = Questions()
    finite_verbs: Texts = []
    subjects: Texts = []
    paraphrase: Paraphrase = Paraphrase()
    summary: Summary = Summary()
    feeling: Feeling = Feeling()
    jargon: Jargon = Jargon()
    drops: dict[str, Texts] = {}
    stop_words: Texts = []
    synonyms: list[Texts] = []
    no_act: Texts = []
    word_classes: dict[str, Texts] = {}
    combos: dict[str, list[Combo]] = {}


ActRules: type[_Base] = create_model(  # one optional section per pattern code, named after the code
    "ActRules",
    __base__=_Base,
    **{code: (CodeRule, CodeRule()) for code in PATTERN_CODES},  # type: ignore[call-overload]
)
"""The whole rule file."""
