"""Prompts for model voices: a chat prompt, a dialogue continuation for base models, and trimming.

The engine has already decided what the parent means; the prompt only asks the
model to word it in this persona's voice. Only what the parent knows goes in
(`parent_knows`, never `parent_does_not_know`). The part that stays the same all
conversation comes first, so a local model can keep it computed between turns.
All Dutch wording lives in `prompt_nl.yaml` beside this file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from simulator.voices.base import VoiceRequest

Turn = tuple[str, str]
MAX_EXAMPLES = 3
SUMMARY_POINTS = 4
SUMMARY_WORDS = 14


@lru_cache(maxsize=1)
def texts() -> dict[str, Any]:
    """The Dutch prompt parts and messages, read once from the data file."""
    raw = resources.files("simulator.voices").joinpath("prompt_nl.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(raw)
    assert isinstance(data, dict)
    return data


def message(key: str, **values: object) -> str:
    """A user-facing message from the data file, filled in."""
    return _fill(texts()["messages"][key], values)


def progress_label(key: str) -> str:
    return str(texts()["progress"][key])


class _Keep(dict[str, object]):
    """Leaves unknown {placeholders} as they are instead of failing on content a trainer wrote."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, values: Mapping[str, object]) -> str:
    return template.format_map(_Keep(values))


def _slots(text: str, request: VoiceRequest) -> str:
    """Persona and scenario texts may use the same {slots} as lines."""
    return _fill(text, request.slots) if "{" in text else text


# --- labels ---------------------------------------------------------------------------------


def teacher_label() -> str:
    return str(texts()["labels"]["teacher"])


def parent_label(request: VoiceRequest) -> str:
    return str(texts()["labels"]["parent"].get(request.persona.relation, request.persona.name))


def speaker_label(speaker: str, request: VoiceRequest) -> str:
    return parent_label(request) if speaker == "parent" else teacher_label()


def stop_strings(request: VoiceRequest) -> tuple[str, ...]:
    """Where a model's turn ends: the next speaker label, or a blank line."""
    labels = (teacher_label(), parent_label(request), request.persona.name)
    return (*(f"\n{label}:" for label in labels), "\n\n")


# --- the persona and case facts ---------------------------------------------------------------


def _facts(request: VoiceRequest) -> dict[str, object]:
    """Everything the fixed part of a prompt needs; nothing the parent does not know."""
    p, s = request.persona, request.scenario
    t = texts()
    child = s.dossier.child
    expressions = ", ".join(f'"{_slots(e, request)}"' for e in p.speaking_style.expressions[:4])
    return {
        "name": p.name,
        "relation": p.relation,
        "child": child.name,
        "age": child.age,
        "groep": s.groep,
        "school": s.dossier.school,
        "conversation": t["conversation_types"].get(s.type, s.type),
        "description": _slots(p.description.strip(), request),
        "job": p.background.job,
        "education": p.background.education,
        "school_experience": p.background.school_experience,
        "family": p.background.family,
        "language": p.background.language,
        "register": p.speaking_style.register_,
        "sentence_length": t["sentence_length"].get(p.speaking_style.sentence_length, ""),
        "expressions": expressions,
        "ze": t["labels"]["pronoun"].get(p.relation, "ze"),
        "haar": t["labels"]["object"].get(p.relation, "haar"),
    }


def _detail(request: VoiceRequest) -> str:
    """The concern, boundary or next step the engine chose, in words the parent could know."""
    t = texts()["details"]
    p, s = request.persona, request.scenario
    if request.boundary_kind:
        for b in p.boundary_behaviours:
            if b.kind == request.boundary_kind:
                return _fill(t["boundary"], {"text": _slots(b.description, request)})
    if request.concern_id:
        for c in s.concerns:
            if c.id == request.concern_id:
                return _fill(t["concern"], {"text": _slots(c.summary, request)})
    if request.next_step_id:
        for n in s.next_steps:
            if n.id == request.next_step_id:
                return _fill(t["next_step"], {"text": _slots(n.text, request)})
    if request.answer_topic:
        for a in (*s.answers, *p.answers):
            if a.id == request.answer_topic:
                return _fill(t["answer_topic"], {"text": ", ".join(a.keywords[:3])})
    return ""


def _level(value: int) -> str:
    return "low" if value < 35 else "high" if value > 65 else "mid"


def examples(request: VoiceRequest) -> list[str]:
    """Two or three curated lines for this intent; the scripted line when there are none."""
    chosen = [x for x in request.style_examples if x.strip()][:MAX_EXAMPLES]
    return chosen or [x for x in (request.scripted_line,) if x.strip()]


def system_fixed(request: VoiceRequest) -> str:
    """The part of the system prompt that stays the same all conversation."""
    facts = _facts(request)
    facts["facts"] = "\n".join(f"- {_slots(k, request)}" for k in request.scenario.parent_knows)
    return _fill(texts()["chat_system"], facts)


def system_turn(request: VoiceRequest) -> str:
    """State, intent and style examples for this turn."""
    t = texts()
    mood = f"{t['mood'][request.band]}; {t['trust'][_level(request.trust)]}; {t['heard'][_level(request.heard)]}."
    intent = t["intents"].get(request.intent, {}).get("chat", request.intent)
    lines = "\n".join(f'- "{x}"' for x in examples(request))
    return _fill(t["chat_turn"], {"mood": mood, "intent": intent, "detail": _detail(request), "examples": lines})


def _summary(dropped: Sequence[Turn], request: VoiceRequest) -> str:
    """A short extractive summary of the turns that no longer fit: the first words of the latest few."""
    t = texts()
    points = []
    for speaker, text in dropped[-SUMMARY_POINTS:]:
        first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
        words = first.split()
        short = " ".join(words[:SUMMARY_WORDS]) + (" ..." if len(words) > SUMMARY_WORDS else "")
        points.append(_fill(t["summary_point"], {"speaker": speaker_label(speaker, request), "text": short}))
    return _fill(t["summary"], {"points": " ".join(points)})


# --- the two prompt shapes --------------------------------------------------------------------


@dataclass(frozen=True)
class ChatPrompt:
    """Messages for a chat template or an OpenAI-compatible server; `fixed` opens the system message."""

    messages: tuple[dict[str, str], ...]
    fixed: str
    dropped: int = 0


@dataclass(frozen=True)
class DialoguePrompt:
    """A written-out conversation for a base model; `segments[:stable]` recur unchanged next turn."""

    segments: tuple[str, ...]
    stable: int
    stop: tuple[str, ...]
    dropped: int = 0

    @property
    def text(self) -> str:
        return "".join(self.segments)


def _history(request: VoiceRequest) -> list[Turn]:
    return [(s, t) for s, t in request.history if t.strip()]


def chat_prompt(request: VoiceRequest, drop: int = 0) -> ChatPrompt:
    """System message (fixed part, summary, this turn) and the conversation as user/assistant turns."""
    history = _history(request)
    drop = min(drop, max(0, len(history) - 1))
    fixed = system_fixed(request)
    parts = [fixed]
    if drop:
        parts.append(_summary(history[:drop], request))
    parts.append(system_turn(request))
    messages: list[dict[str, str]] = [{"role": "system", "content": "\n\n".join(parts)}]
    kept = history[drop:]
    if not kept or kept[0][0] == "parent":
        messages.append({"role": "user", "content": texts()["chat_opening"]})
    for speaker, text in kept:
        role = "assistant" if speaker == "parent" else "user"
        if messages[-1]["role"] == role:
            messages[-1] = {"role": role, "content": messages[-1]["content"] + "\n" + text}
        else:
            messages.append({"role": role, "content": text})
    if messages[-1]["role"] == "assistant":
        messages.append({"role": "user", "content": "..."})
    return ChatPrompt(messages=tuple(messages), fixed=fixed, dropped=drop)


def dialogue_prompt(request: VoiceRequest, drop: int = 0) -> DialoguePrompt:
    """Header, the conversation line by line, a stage direction, then the parent's label to continue.

    Each history line is its own segment, so the header and all earlier lines are
    tokenised the same way next turn and a local model can reuse their cache.
    """
    t = texts()
    history = _history(request)
    drop = min(drop, max(0, len(history) - 1))
    facts = _facts(request)
    facts["facts"] = " ".join(_slots(k, request).rstrip(".") + "." for k in request.scenario.parent_knows)
    segments = [_fill(t["base_header"], facts).strip() + "\n\n"]
    if drop:
        segments.append(_summary(history[:drop], request) + "\n")
    for speaker, text in history[drop:]:
        segments.append(f"{speaker_label(speaker, request)}: {' '.join(text.split())}\n")
    stable = len(segments)
    intent = _fill(t["intents"].get(request.intent, {}).get("base", request.intent), facts)
    inline = " of ".join(f'"{x}"' for x in examples(request)[:2])
    stage = _fill(
        t["base_turn"],
        {
            "name": request.persona.name,
            "mood_base": t["mood_base"][request.band],
            "intent_base": intent,
            "detail": _detail(request),
            "examples_inline": inline,
        },
    )
    segments.append(stage + "\n")
    segments.append(f"{parent_label(request)}:")
    return DialoguePrompt(segments=tuple(segments), stable=stable, stop=("\n",), dropped=drop)


def fit(build: Callable[[int], Any], size: Callable[[Any], int], budget: int, turns: int) -> Any:
    """The prompt with the fewest oldest turns dropped (and summarised) that fits in `budget` tokens.

    The last turn always stays; if even that does not fit, the smallest prompt is
    returned and the model truncates it from the left.
    """
    prompt = build(0)
    if size(prompt) <= budget:
        return prompt
    lo, hi = 1, max(1, turns - 1)
    if size(build(hi)) > budget:
        return build(hi)
    while lo < hi:  # the smallest drop that fits; the size falls as more turns are dropped
        mid = (lo + hi) // 2
        if size(build(mid)) <= budget:
            hi = mid
        else:
            lo = mid + 1
    return build(lo)


def history_turns(request: VoiceRequest) -> int:
    return len(_history(request))


# --- output handling --------------------------------------------------------------------------


class StopScanner:
    """Cuts a stream of text at the first stop string, holding back text that may start one."""

    def __init__(self, stops: Sequence[str]) -> None:
        self.stops = tuple(s for s in stops if s)
        self.hold = max((len(s) for s in self.stops), default=1) - 1
        self.buffer = ""
        self.stopped = False

    def feed(self, text: str) -> str:
        """Text that is safe to show now; empty once a stop string was seen."""
        if self.stopped:
            return ""
        self.buffer += text
        cut = min((i for i in (self.buffer.find(s) for s in self.stops) if i >= 0), default=-1)
        if cut >= 0:
            out, self.buffer, self.stopped = self.buffer[:cut], "", True
            return out
        keep = self._tail_that_may_start_a_stop()
        out = self.buffer[: len(self.buffer) - keep]
        self.buffer = self.buffer[len(self.buffer) - keep :]
        return out

    def _tail_that_may_start_a_stop(self) -> int:
        for n in range(min(self.hold, len(self.buffer)), 0, -1):
            tail = self.buffer[-n:]
            if any(s.startswith(tail) for s in self.stops):
                return n
        return 0

    def flush(self) -> str:
        out, self.buffer = ("" if self.stopped else self.buffer), ""
        return out


def clean_line(text: str, request: VoiceRequest) -> str:
    """Strip what models add around a line: the parent's own label, quotes, surrounding space."""
    line = text.strip()
    for label in (parent_label(request), request.persona.name):
        if line.lower().startswith(label.lower() + ":"):
            line = line[len(label) + 1 :].strip()
    for open_, close in (('"', '"'), ("'", "'"), ("“", "”")):
        quotes = line.count(open_) + (line.count(close) if close != open_ else 0)
        if len(line) > 1 and line.startswith(open_) and line.endswith(close) and quotes == 2:
            line = line[1:-1].strip()
    return line


class LineStream:
    """Raw model text in, the parent's words out while streaming: no leading label, cut at stop strings."""

    def __init__(self, request: VoiceRequest, stops: Sequence[str]) -> None:
        self.scanner = StopScanner(stops)
        self.labels = tuple(f"{label.lower()}:" for label in (parent_label(request), request.persona.name))
        self.head = ""
        self.started = False

    @property
    def stopped(self) -> bool:
        return self.scanner.stopped

    def feed(self, raw: str) -> str:
        return self._lead(self.scanner.feed(raw))

    def finish(self) -> str:
        out = self._lead(self.scanner.flush(), final=True)
        return out.rstrip()

    def _lead(self, text: str, final: bool = False) -> str:
        """Hold the first characters until it is clear they are not the parent's own label."""
        if self.started:
            return text
        self.head = (self.head + text).lstrip()
        while True:
            low = self.head.lower()
            label = next((lb for lb in self.labels if low.startswith(lb)), None)
            if label is None:
                break
            self.head = self.head[len(label) :].lstrip()
        low = self.head.lower()
        if not self.head or (not final and any(lb.startswith(low) for lb in self.labels)):
            return ""
        self.started = True
        out, self.head = self.head, ""
        return out
