"""Pydantic models for the content trainers write: personas and scenarios.

Strict and closed (`extra="forbid"`) so that a typo in a YAML file is an error
with a field path, not a silently ignored key.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from feedback.codes import ALL_CODES

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", min_length=2, max_length=60)]
Text = Annotated[str, Field(min_length=1)]

TENSION_BANDS = ("low", "mid", "high")
"""Tension bands: low < 35 <= mid <= 65 < high."""

ROLES_KNOWN = ("anxious", "pleitbezorger", "disengaged")
"""Roles the engine has defaults for; other slugs are allowed (roles are extensible)."""

CONVERSATION_TYPES = ("adviesgesprek", "startgesprek", "zorggesprek", "incident", "voortgangsgesprek")

BOUNDARY_KINDS = ("raise_voice", "threaten_complaint", "demand", "cut_short", "personal_attack")
"""Ways a parent can cross a line; personas show them, scenarios expect them."""

INTENTS = (
    "greet",
    "ask_news",
    "answer",
    "express_worry",
    "challenge_basis",
    "example_from_home",
    "raise_concern",
    "reveal_concern",
    "acknowledge",
    "confused",
    "irritated",
    "test_boundary",
    "calm_down",
    "accept_next_step",
    "leave_angry",
    "closing",
    "greet_back",
    "small_talk",
    "dont_know",
    "react_new_fact",
    "repair",
    "repeat_noticed",
    "defend",
    "correct",
    "doubt_next_step",
    "threaten_leave",
    "accept_limit",
    "child_prompt",
)
"""What the parent means to do next; the policy picks one (or a response plus an agenda), a voice words it."""

MEDIA = ("in_person", "phone")
"""How the conversation takes place; lines that only fit one medium carry a tag."""

ADDRESS = ("u", "je")
"""How a parent addresses the teacher."""

LIFE_TOPICS = ("work", "schedule", "family", "own_school", "language")
"""Parts of a parent's own life every persona can answer questions about."""

ENGINE_SIGNALS = (
    "concrete_basis",
    "asks_about_strengths",
    "explores_concern",
    "long_turn",
    "plain_language",
    "no_acts",
)
"""Facts about a teacher turn that the engine derives next to the acts (effect-table keys)."""

STANDARD_SLOTS = ("kind", "hij", "hem", "zijn", "Hij", "Zijn", "groep", "dagdeel", "school")
"""Slots every line may use; a scenario adds its own in `slots`."""

_SLOT_RE = re.compile(r"\{([^{}]*)\}")


def slots_in(text: str) -> set[str]:
    """Names of the `{slot}` placeholders in a line."""
    return set(_SLOT_RE.findall(text))


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class TaggedLine(Strict):
    """A line that fits only some conversations: one medium, some conversation types, one address."""

    text: Text
    medium: Literal[MEDIA] | None = None  # type: ignore[valid-type]
    types: list[Literal[CONVERSATION_TYPES]] = []  # type: ignore[valid-type]
    address: Literal[ADDRESS] | None = None  # type: ignore[valid-type]


Line = Text | TaggedLine


def line_text(line: Line) -> str:
    return line if isinstance(line, str) else line.text


def tagged(line: Line) -> TaggedLine:
    return line if isinstance(line, TaggedLine) else TaggedLine(text=line)


class LineSet(Strict):
    """Curated parent lines for one intent, by tension band; `any` fits every band.

    A line is plain text, or `{text, medium, types, address}` when it fits only some conversations.
    """

    any: list[Line] = []
    low: list[Line] = []
    mid: list[Line] = []
    high: list[Line] = []

    def all_lines(self) -> list[str]:
        return [line_text(x) for x in (*self.any, *self.low, *self.mid, *self.high)]

    def entries(self) -> list[TaggedLine]:
        return [tagged(x) for x in (*self.any, *self.low, *self.mid, *self.high)]

    def band_entries(self, band: str) -> list[TaggedLine]:
        """Lines for a band; an empty band borrows from its neighbour so a pool is never empty."""
        own = [*self.any, *getattr(self, band)]
        if own:
            return [tagged(x) for x in own]
        order = {"low": ("mid", "high"), "mid": ("low", "high"), "high": ("mid", "low")}[band]
        for other in order:
            lines = getattr(self, other)
            if lines:
                return [tagged(x) for x in lines]
        return []

    def for_band(self, band: str) -> list[str]:
        return [x.text for x in self.band_entries(band)]


class StateValues(Strict):
    tension: Annotated[int, Field(ge=0, le=100)]
    trust: Annotated[int, Field(ge=0, le=100)]
    heard: Annotated[int, Field(ge=0, le=100)]


class Effect(Strict):
    """How one act or signal moves the parent's state, with the reason a trainer sees."""

    tension: Annotated[int, Field(ge=-40, le=40)] = 0
    trust: Annotated[int, Field(ge=-40, le=40)] = 0
    heard: Annotated[int, Field(ge=-40, le=40)] = 0
    why: Text


class Background(Strict):
    job: Text
    education: Text
    school_experience: Text
    family: Text
    language: Text


class SpeakingStyle(Strict):
    register_: Text = Field(alias="register")
    address: Literal[ADDRESS]  # type: ignore[valid-type]
    """How this parent addresses the teacher; every line follows it."""
    address_when_angry: Literal[ADDRESS] | None = None  # type: ignore[valid-type]
    """A parent who switches (a cool 'u' when angry) uses this in the high tension band."""
    sentence_length: Literal["kort", "middel", "lang"]
    expressions: list[Text] = Field(min_length=1)


class BoundaryBehaviour(Strict):
    """A way this parent tests a boundary once tension is high enough."""

    kind: Literal[BOUNDARY_KINDS]  # type: ignore[valid-type]
    min_tension: Annotated[int, Field(ge=0, le=100)]
    description: Text
    lines: LineSet


class Answer(Strict):
    """Lines that answer a teacher's question about one topic, found by its keywords (lemmas)."""

    id: Slug
    keywords: list[Text] = Field(min_length=1)
    lines: LineSet
    roles: list[Slug] = []
    life: Literal[LIFE_TOPICS] | None = None  # type: ignore[valid-type]
    """A persona answer about the parent's own life: which part (work, schedule, family, ...)."""


class Persona(Strict):
    id: Slug
    name: Text
    relation: Literal["moeder", "vader", "verzorger"]
    description: Text
    role: Slug
    background: Background
    speaking_style: SpeakingStyle
    calms: list[Text] = Field(min_length=1)
    escalates: list[Text] = Field(min_length=1)
    start: StateValues
    effects: dict[str, Effect]
    boundary_behaviours: list[BoundaryBehaviour] = Field(min_length=1)
    lines: dict[str, LineSet]
    answers: list[Answer] = []

    @field_validator("effects")
    @classmethod
    def _known_effect_keys(cls, value: dict[str, Effect]) -> dict[str, Effect]:
        allowed = set(ALL_CODES) | set(ENGINE_SIGNALS)
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise ValueError(f"onbekende act of signaal: {', '.join(unknown)}")
        return value

    @field_validator("lines")
    @classmethod
    def _known_intents(cls, value: dict[str, LineSet]) -> dict[str, LineSet]:
        unknown = sorted(set(value) - set(INTENTS))
        if unknown:
            raise ValueError(f"onbekende intentie: {', '.join(unknown)}")
        return value


class Child(Strict):
    name: Text
    age: Annotated[int, Field(ge=3, le=14)]
    gender: Literal["jongen", "meisje"]


class Dossier(Strict):
    """The case file the teacher reads before the conversation."""

    child: Child
    school: Text
    situation: Text
    results: list[Text] = Field(min_length=1)
    observations: list[Text] = Field(min_length=1)
    message: Text
    history: list[Text] = []


class Concern(Strict):
    """Something the parent worries about; hidden ones surface only after real exploration."""

    id: Slug
    summary: Text
    hidden: bool = False
    keywords: list[Text] = Field(min_length=1)
    reveal_heard: Annotated[int, Field(ge=0, le=100)] = 55
    reveal_explorations: Annotated[int, Field(ge=0, le=20)] = 2
    lines: LineSet


class BoundaryMoment(Strict):
    id: Slug
    kind: Literal[BOUNDARY_KINDS]  # type: ignore[valid-type]
    description: Text
    good_response: Text


class NextStep(Strict):
    """A concrete next step the teacher can propose; the parent may accept it."""

    id: Slug
    text: Text
    keywords: list[Text] = Field(min_length=1)
    accept_lines: list[Text] = []


class Scenario(Strict):
    id: Slug
    title: Text
    type: Literal[CONVERSATION_TYPES]  # type: ignore[valid-type]
    groep: Annotated[int, Field(ge=1, le=8)]
    minutes: Annotated[int, Field(ge=5, le=90)]
    medium: Literal[MEDIA] = "in_person"  # type: ignore[valid-type]
    bad_news: bool = False
    with_child: bool = False
    summary: Text
    dossier: Dossier
    parent_knows: list[Text] = Field(min_length=1)
    parent_does_not_know: list[Text] = Field(min_length=1)
    concerns: list[Concern] = Field(min_length=1)
    learning_goals: list[Text] = Field(min_length=1)
    boundary_moments: list[BoundaryMoment] = Field(min_length=1)
    next_steps: list[NextStep] = Field(min_length=1)
    case_keywords: list[Text] = Field(min_length=1)
    news_keywords: list[Text] = []
    """In a bad-news scenario: words that show the teacher has told the news. Until then the
    parent cannot argue with it (the engine holds back intents that presume the news)."""
    slots: dict[str, str] = {}
    lines: dict[str, LineSet] = {}
    role_lines: dict[str, dict[str, LineSet]] = {}
    answers: list[Answer] = []

    @field_validator("lines")
    @classmethod
    def _known_intents(cls, value: dict[str, LineSet]) -> dict[str, LineSet]:
        unknown = sorted(set(value) - set(INTENTS))
        if unknown:
            raise ValueError(f"onbekende intentie: {', '.join(unknown)}")
        return value

    @field_validator("role_lines")
    @classmethod
    def _known_role_intents(cls, value: dict[str, dict[str, LineSet]]) -> dict[str, dict[str, LineSet]]:
        for role, by_intent in value.items():
            unknown = sorted(set(by_intent) - set(INTENTS))
            if unknown:
                raise ValueError(f"{role}: onbekende intentie: {', '.join(unknown)}")
        return value

    @model_validator(mode="after")
    def _unique_ids(self) -> Scenario:
        for label, items in (
            ("concerns", self.concerns),
            ("next_steps", self.next_steps),
            ("answers", self.answers),
            ("boundary_moments", self.boundary_moments),
        ):
            seen: set[str] = set()
            for item in items:
                if item.id in seen:
                    raise ValueError(f"dubbele id '{item.id}' in {label}")
                seen.add(item.id)
        return self
