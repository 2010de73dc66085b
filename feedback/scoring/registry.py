"""One registration per sub-score: its dimension, id, the texts it needs, and its rule.

Adding a sub-score is one decorated function plus its block in `scoring.yaml` (label,
weight, texts); the assembly, the report order and the start-up text check all read this
registry, so nothing else needs to know the new name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from feedback.scoring.config import ScoringConfig
from feedback.scoring.conversation import Conversation, Turn
from feedback.scoring.model import SubScore

DIMENSIONS = ("listening", "boundaries", "bad_news")


@dataclass(frozen=True)
class Situation:
    """What happened in the session that decides which sub-scores apply."""

    moments: tuple[int, ...]  # parent turns that crossed a line
    pressure: tuple[int, ...]  # parent turns that challenged the teacher's position
    news: tuple[Turn, int, int] | None  # (turn, position, sentences before) of the bad news


@dataclass(frozen=True)
class Skip:
    """The situation a sub-score judges never arose; `key` names the Dutch reason in its texts."""

    key: str = "nvt"


Outcome = SubScore | Skip | None  # None: nothing to say at all (no teacher turns)
Rule = Callable[[Conversation, Situation], Outcome]


@dataclass(frozen=True)
class Registration:
    dimension: str
    id: str
    texts: tuple[str, ...]
    rule: Rule


REGISTRY: list[Registration] = []


def register(dimension: str, sid: str, texts: tuple[str, ...]) -> Callable[[Rule], Rule]:
    """Decorator: add a rule to the registry, in report order."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")

    def add(rule: Rule) -> Rule:
        REGISTRY.append(Registration(dimension, sid, texts, rule))
        return rule

    return add


def rules_of(dimension: str) -> list[Registration]:
    return [r for r in REGISTRY if r.dimension == dimension]


def check_texts(cfg: ScoringConfig) -> None:
    """Every registered sub-score finds each text it may use; one-line error otherwise."""
    for r in REGISTRY:
        spec = cfg.sub(r.dimension, r.id)
        missing = [k for k in r.texts if k not in spec.texts]
        if missing:
            loc = (r.dimension, "subscores", r.id, "texts")
            raise cfg.error(loc, f"tekst ontbreekt: {', '.join(missing)}")
        for key, text in spec.texts.items():
            try:
                text.format_map(_Any())
            except (ValueError, IndexError) as exc:
                raise cfg.error((r.dimension, "subscores", r.id, "texts", key), f"ongeldige tekst: {exc}") from None


class _Any(dict[str, str]):
    """format_map() argument that accepts every placeholder name, to check a text's syntax."""

    def __missing__(self, key: str) -> str:
        return ""
