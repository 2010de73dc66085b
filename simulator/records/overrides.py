"""Trainer comments and overrides on a transcript, and their export as gold-set items.

An override never replaces the engine's judgement in the file: it sits next to
it, with the trainer's reason, so the rules can later be checked against
trainers (the exported items use the gold-set format of tests/data/).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from simulator.content.problems import ContentError, Problem
from simulator.labels import message
from simulator.records.transcript import Comment, Override, Transcript, load_transcript, now


def add_comment(transcript: Transcript, turn: int, author: str, text: str) -> None:
    transcript.turns[turn].comments.append(Comment(author=author, text=text.strip(), at=now()))


def override_act(transcript: Transcript, turn: int, code: str, present: bool, reason: str, author: str = "") -> None:
    """The trainer says `code` is (or is not) in this teacher turn."""
    t = transcript.turns[turn]
    if t.speaker != "teacher":
        raise ValueError("alleen beurten van de leerkracht hebben acties")
    engine_has = any(a.code == code for a in t.acts or [])
    t.overrides.append(
        Override(
            target=f"act:{code}",
            engine="present" if engine_has else "absent",
            trainer="present" if present else "absent",
            reason=reason.strip(),
            author=author,
            at=now(),
        )
    )


def override_score(
    transcript: Transcript, dimension: str, engine: int, trainer: int, reason: str, author: str = ""
) -> None:
    """The trainer scores listening or boundaries differently from the engine."""
    if dimension not in {"listening", "boundaries"}:
        raise ValueError(f"onbekende dimensie '{dimension}'")
    transcript.score_overrides.append(
        Override(
            target=f"score:{dimension}",
            engine=str(engine),
            trainer=str(trainer),
            reason=reason.strip(),
            author=author,
            at=now(),
        )
    )


def gold_items(transcripts: Iterable[Transcript]) -> list[dict[str, object]]:
    """Teacher turns with act overrides, as gold-set items carrying the trainer's codes."""
    items: list[dict[str, object]] = []
    for tr in transcripts:
        for i, turn in enumerate(tr.turns):
            if turn.speaker != "teacher" or not any(o.target.startswith("act:") for o in turn.overrides):
                continue
            codes = {a.code for a in turn.acts or []}
            reasons = []
            for o in turn.overrides:
                if not o.target.startswith("act:"):
                    continue
                code = o.target.removeprefix("act:")
                (codes.add if o.trainer == "present" else codes.discard)(code)
                reasons.append(f"{code}: {o.reason}")
            history = [[t.speaker, t.text] for t in tr.turns[:i]]
            parent_before = next((t.text for t in reversed(tr.turns[:i]) if t.speaker == "parent"), None)
            item: dict[str, object] = {"id": f"trainer-{tr.id}-{i}", "text": turn.text, "codes": sorted(codes)}
            if parent_before:
                item["parent_before"] = parent_before
                item["history"] = history[-6:]
            item["source"] = {"transcript": tr.id, "turn": i, "reasons": reasons}
            items.append(item)
    return items


def gold_jsonl(transcripts: Iterable[Transcript]) -> str:
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in gold_items(transcripts))


def gold_from_files(paths: Iterable[Path]) -> tuple[str, list[Problem]]:
    """Gold items from every readable transcript; each unreadable or non-.json file is a problem, not a stop.

    Folders are searched for `.json` files; a file named on its own that is not `.json` is reported,
    so a trainer who typed the wrong name is told instead of getting fewer items in silence.
    """
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*.json") if p.is_file())
        elif path.suffix.lower() == ".json":
            files.append(path)
        else:
            problems.append(Problem(str(path), message("not_json_file")))
    transcripts: list[Transcript] = []
    for path in files:
        try:
            transcripts.append(load_transcript(path))
        except ContentError as err:
            problems += err.problems
    return gold_jsonl(transcripts), problems
