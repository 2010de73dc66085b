"""One concrete suggestion for the teacher's next turn, from the last few turns.

A trainee who asks for help mid-conversation needs one thing to do now, not a report.
The rules look at the recent acts and the parent's last words (with the same cue words
as the report, so hint and report agree); their order and Dutch texts are in
`feedback/data/hints.yaml`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from feedback.acts import Act, recognise
from feedback.codes import QUESTION_CODES, REFLECTION_CODES
from feedback.scoring import LIMIT_CODES, parent_crosses_line, parent_shows_emotion
from feedback.scoring.conversation import HISTORY_WINDOW

DATA_FILE = Path(__file__).parent / "data" / "hints.yaml"


@dataclass(frozen=True)
class _Recent:
    """The last turns as the rules see them."""

    turns: Sequence[tuple[str, str]]
    teacher: tuple[tuple[int, frozenset[str]], ...]  # (index, codes) of recent teacher turns, oldest first
    last_parent: int | None
    bad_news: bool

    @property
    def last_codes(self) -> frozenset[str]:
        return self.teacher[-1][1] if self.teacher else frozenset()

    def after_parent(self) -> list[frozenset[str]]:
        """Codes of the teacher turns after the last parent turn."""
        if self.last_parent is None:
            return [codes for _, codes in self.teacher]
        return [codes for i, codes in self.teacher if i > self.last_parent]

    def before_parent(self) -> list[frozenset[str]]:
        if self.last_parent is None:
            return []
        return [codes for i, codes in self.teacher if i < self.last_parent]


def _boundary_open(r: _Recent) -> bool:
    if r.last_parent is None or not parent_crosses_line(r.turns[r.last_parent][1]):
        return False
    return not any(codes & LIMIT_CODES for codes in r.after_parent())


def _rules(cfg: Mapping[str, Any]) -> dict[str, Callable[[_Recent], bool]]:
    summary_after = int(cfg["summary_after"])
    return {
        "open_bad_news": lambda r: not r.teacher and r.bad_news,
        "open": lambda r: not r.teacher,
        "boundary_repeat": lambda r: _boundary_open(r) and any(c & LIMIT_CODES for c in r.before_parent()),
        "boundary": _boundary_open,
        "caved": lambda r: "caving" in r.last_codes,
        "counter_attack": lambda r: bool(r.last_codes & {"counter_attack", "you_message"}),
        "emotion": lambda r: (
            r.last_parent is not None
            and parent_shows_emotion(r.turns[r.last_parent][1])
            and not any(c & REFLECTION_CODES for c in r.after_parent())
        ),
        "advice_or_defending": lambda r: bool(r.last_codes & {"premature_advice", "defending"}),
        "dismissing": lambda r: "dismissing" in r.last_codes,
        "why_question": lambda r: "why_question" in r.last_codes,
        "closed_chain": lambda r: (
            len(r.teacher) >= 2
            and all("closed_question" in c and "open_question" not in c for _, c in r.teacher[-2:])
            and not r.last_codes & REFLECTION_CODES
        ),
        "jargon": lambda r: "jargon" in r.last_codes,
        "canned": lambda r: "feeling_reflection" in r.last_codes and not r.last_codes & QUESTION_CODES,
        "summarise": lambda r: (
            len(r.teacher) >= summary_after and not any("summary" in c for _, c in r.teacher[-summary_after:])
        ),
        "default": lambda r: True,
    }


@cache
def hints_config() -> dict[str, Any]:
    """Load the hint texts once and check that every rule id is known and every text present."""
    raw: dict[str, Any] = yaml.load(
        DATA_FILE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    )
    known = _rules(raw)
    ids = [rule["id"] for rule in raw["rules"]]
    unknown = [i for i in ids if i not in known]
    missing = [i for i in known if i not in ids]
    if unknown or missing or any(not rule.get("text") for rule in raw["rules"]):
        raise ValueError(f"{DATA_FILE}: unknown rules {unknown}, missing rules {missing}, or an empty text")
    return raw


def rule_text(rule_id: str, parent: str | None = None) -> str:
    """The Dutch text of one rule, with the parent filled in."""
    cfg = hints_config()
    text = next(rule["text"] for rule in cfg["rules"] if rule["id"] == rule_id)
    return str(text).format(ouder=parent or cfg["parent_default"])


def suggest(
    turns: Sequence[tuple[str, str]],
    acts: Sequence[Sequence[Act] | None] | None = None,
    *,
    parent: str | None = None,
    bad_news: bool = False,
) -> str:
    """One short Dutch suggestion for the next teacher turn.

    `acts` (one entry per turn, None = recognise) reuses acts the engine already has;
    only the last few teacher turns are recognised otherwise. `parent` names the parent
    in the text ("moeder"); `bad_news` changes the advice before the first turn.
    """
    cfg = hints_config()
    window = int(cfg["window"])
    teacher_idx = [i for i, (speaker, _) in enumerate(turns) if speaker == "teacher"][-window:]
    recent: list[tuple[int, frozenset[str]]] = []
    for i in teacher_idx:
        given = acts[i] if acts is not None and i < len(acts) else None
        if given is None:
            history = tuple(turns[max(0, i - HISTORY_WINDOW) : i])  # recent turns are all a rule reads
            before = next((t for s, t in reversed(history) if s == "parent"), None)
            given = recognise(turns[i][1], before, history)
        recent.append((i, frozenset(a.code for a in given)))
    last_parent = next((i for i in range(len(turns) - 1, -1, -1) if turns[i][0] == "parent"), None)
    state = _Recent(turns, tuple(recent), last_parent, bad_news)
    rules = _rules(cfg)
    for rule in cfg["rules"]:
        if rules[rule["id"]](state):
            return rule_text(rule["id"], parent)
    return rule_text("default", parent)
