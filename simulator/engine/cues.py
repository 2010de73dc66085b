"""Cue phrases for move classification and topic routing, loaded from `moves.yaml`.

Dutch words live in the YAML; this module validates them (pydantic, extra="forbid") and
compiles them into whole-word regexes on folded text. A phrase may use "~" for up to four
arbitrary words and a leading "^" to anchor it at the start of a sentence.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

CUES_PATH = Path(__file__).with_name("moves.yaml")
LIFE_TOPICS = ("work", "schedule", "family", "own_school", "language")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AttackCues(_Strict):
    insult: list[str] = Field(min_length=1)
    blame: list[str] = Field(min_length=1)
    sarcasm: list[str] = []


class LifeTopic(_Strict):
    background: str
    describe: list[str] = Field(min_length=1)
    keywords: list[str] = []
    answers: list[str] = []


class Hint(_Strict):
    cues: list[str] = Field(min_length=1)
    topic_words: list[str] = Field(min_length=1)


class CueFile(_Strict):
    greeting: list[str] = Field(min_length=1)
    goodbye: list[str] = Field(min_length=1)
    farewell_leads: list[str] = []
    """A short sentence starting with one of these ("Dag!", "Tot in maart!") closes a conversation under way."""
    closing_thanks: list[str] = []
    """Thanks that round a conversation off ("Bedankt voor uw tijd"): a goodbye once the talk is under way."""
    thanks: list[str] = Field(min_length=1)
    small_talk: list[str] = Field(min_length=1)
    attack: AttackCues
    check: list[str] = Field(min_length=1)
    summary_start: list[str] = []
    proposal: list[str] = Field(min_length=1)
    news: list[str] = []
    limit: list[str] = []
    reflection: list[str] = []
    unknown: list[str] = []
    worry: list[str] = []
    hints: dict[str, Hint] = {}
    no_topic: list[str] = []
    chat_words: list[str] = []
    weak_words: list[str] = []
    stopwords: list[str] = []
    life: dict[str, LifeTopic]


class CueError(ValueError):
    """A broken cue file: one Dutch line naming the file and field."""


def phrase_regex(phrases: list[str]) -> re.Pattern[str] | None:
    """One alternation of whole-word phrases; None for an empty list."""
    parts = []
    for raw in phrases:
        phrase = raw.strip().lower()
        anchored = phrase.startswith("^")
        words = phrase.lstrip("^").split()
        if not words:
            continue
        body = r"\s+".join(r"(?:\S+\s+){0,4}?" if w == "~" else re.escape(w) for w in words)
        body = body.replace(r"?\s+", "?")
        start = r"(?:^|(?<=[.!?:;]\s)|(?<=[.!?:;]))\s*" if anchored else r"(?<![\w'])"
        parts.append(start + body + r"(?![\w'])")
    return re.compile("|".join(f"(?:{p})" for p in parts)) if parts else None


class Cues:
    """Compiled cue lists; `hit(name, text)` returns the matching words or ""."""

    def __init__(self, data: CueFile) -> None:
        self.data = data
        lists: dict[str, list[str]] = {
            "greeting": data.greeting,
            "goodbye": data.goodbye,
            "closing_thanks": data.closing_thanks,
            "thanks": data.thanks,
            "small_talk": data.small_talk,
            "insult": data.attack.insult,
            "blame": data.attack.blame,
            "sarcasm": data.attack.sarcasm,
            "check": data.check,
            "summary_start": [("^" + p) for p in data.summary_start],
            "proposal": data.proposal,
            "news": data.news,
            "limit": data.limit,
            "reflection": data.reflection,
            "unknown": data.unknown,
            "worry": data.worry,
            "no_topic": data.no_topic,
        }
        lists.update({f"hint:{name}": hint.cues for name, hint in data.hints.items()})
        self._rx = {name: phrase_regex(values) for name, values in lists.items()}
        self.hints = {name: frozenset(w.lower() for w in hint.topic_words) for name, hint in data.hints.items()}
        self.chat = frozenset(w.lower() for w in data.chat_words)
        self.farewell_leads = frozenset(w.lower() for w in data.farewell_leads)
        self.weak = frozenset(w.lower() for w in data.weak_words)
        self.stop = frozenset(w.lower() for w in data.stopwords)
        self.life = data.life

    def hit(self, name: str, folded: str) -> str:
        rx = self._rx.get(name)
        if rx is None:
            return ""
        m = rx.search(folded)
        return m.group(0).strip() if m else ""


def load_cues(path: Path = CUES_PATH) -> Cues:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CueError(f"{path}: kan het bestand niet lezen ({exc.__class__.__name__})") from None
    try:
        data = CueFile.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise CueError(f"{path}: veld {where}: {err['msg']}") from None
    unknown = sorted(set(data.life) - set(LIFE_TOPICS))
    if unknown:
        raise CueError(f"{path}: veld life: onbekend onderwerp {', '.join(unknown)}")
    return Cues(data)


@lru_cache(maxsize=1)
def cues() -> Cues:
    return load_cues()
