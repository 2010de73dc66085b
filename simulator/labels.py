"""Dutch labels for machine codes, one wording each, read from `labels.yaml`.

The app, the exports, the cohort report and the CLI all show outcomes,
conversation types, speakers and limit messages through this module, so a
label changed in the YAML changes everywhere. Act labels belong to the act
vocabulary (`feedback.codes`), voice labels to the voice registry; this module
only forwards to them.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict


class LabelFile(BaseModel):
    """The shape of labels.yaml; an unknown section is a typo, so it is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    outcomes: dict[str, str]
    conversation_types: dict[str, str]
    difficulties: dict[str, str]
    roles: dict[str, str]
    speakers: dict[str, str]
    speakers_report: dict[str, str]
    counters: list[tuple[str, str]]
    unknown: str
    messages: dict[str, str]


@cache
def labels() -> LabelFile:
    text = resources.files("simulator").joinpath("labels.yaml").read_text(encoding="utf-8")
    return LabelFile.model_validate(yaml.safe_load(text))


def message(key: str, /, **values: Any) -> str:
    """A Dutch message from labels.yaml with its {placeholders} filled in."""
    return labels().messages[key].format(**values)


def outcome_label(outcome: str | None) -> str:
    return labels().outcomes.get(outcome or "", outcome or labels().unknown)


def type_label(kind: str) -> str:
    return labels().conversation_types.get(kind, kind)


def role_label(role: str) -> str:
    return labels().roles.get(role, role)


def speaker_label(speaker: str, *, report: bool = False) -> str:
    table = labels().speakers_report if report else labels().speakers
    return table.get(speaker, speaker)


def act_label(code: str) -> str:
    """The act's Dutch label from the act vocabulary (feedback/data/codes.yaml)."""
    from feedback.codes import label

    return label(code)


def voice_label(kind: str | None) -> str:
    """The voice kind's label from the voice registry; a model name or unknown kind is shown as it is."""
    if not kind:
        return ""
    from simulator.voices.registry import label

    return label(kind)


def human_size(n: int) -> str:
    """Bytes as a short Dutch size: 1,5 MB, 800 kB."""
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("kB", 1024)):
        if n >= size:
            return f"{n / size:.1f} {unit}".replace(".", ",")
    return f"{n} bytes"


def embedder_line() -> str:
    """One Dutch line saying which sentence embedder is in use (it loads it if needed)."""
    from feedback.embed import get_embedder

    embedder = get_embedder()
    if embedder.semantic:
        return message("embedder_semantic", name=embedder.name)
    note = getattr(embedder, "note", "")
    return message("embedder_keywords", why=f" ({note})" if note else "")
