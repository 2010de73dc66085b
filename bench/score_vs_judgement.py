"""Does the engine's score order teachers as a trainer does? Spearman against blind judgements.

tests/data/blind/scripts/ holds teacher scripts named <scenario>.<persona>.<level>.txt and
judgements.json (a trainer's listening and boundary scores, written before any run). Each
script is played with `oudergesprek play --json` (the scripted parent, as a trainee would
meet it), scored as the app scores it, and the rank correlation is printed overall and
within each level, where a score must separate teachers of similar skill.

    python bench/score_vs_judgement.py [--cache DIR] [--workers N] [--rows]

`--cache DIR` keeps the played transcripts, so a change to the scoring rules alone can be
measured without replaying (delete the folder after changing the engine or the acts).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulator.content.loader import load_library  # noqa: E402
from simulator.content.problems import ContentError  # noqa: E402
from simulator.records.feedback_bridge import report_for  # noqa: E402
from simulator.records.transcript import load_transcript  # noqa: E402

SCRIPTS = ROOT / "tests" / "data" / "blind" / "scripts"
DIMENSIONS = ("listening", "boundaries")
CLI = [sys.executable, "-m", "simulator.cli"]


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing their mean rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Pearson correlation of the ranks; nan when either side is constant."""
    rx, ry = ranks(xs), ranks(ys)
    n = len(rx)
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    return cov / (vx * vy) ** 0.5 if vx and vy else float("nan")


def play(script: Path, out: Path) -> Path | None:
    """Play one script (cached in `out`) and return the transcript file; None if it fails."""
    target = out / (script.stem + ".json")
    if target.exists():
        return target
    scenario, persona, _level = script.stem.split(".")
    cmd = [*CLI, "play", "--scenario", scenario, "--persona", persona, "--script", str(script), "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        print(f"{script.name}: play failed, left out: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    target.write_text(done.stdout, encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="folder for played transcripts (reused when present)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rows", action="store_true", help="print engine and judgement per script")
    args = parser.parse_args()

    judgements = json.loads((SCRIPTS / "judgements.json").read_text(encoding="utf-8"))
    cache = args.cache or Path(tempfile.mkdtemp(prefix="oudergesprek-blind-"))
    cache.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(args.workers) as pool:
        files = list(pool.map(lambda j: play(SCRIPTS / j["file"], cache), judgements))
    try:
        library = load_library()
    except ContentError:
        library = None  # only bad news needs the scenario; listening and boundaries do not
    rows = []
    for j, path in zip(judgements, files, strict=True):
        if path is None:
            continue
        report = report_for(load_transcript(path), library)
        level = j["file"].split(".")[2]
        rows.append((j["file"], level, report.listening.score, report.boundaries.score, j))
    if args.rows:
        for name, _level, lis, bnd, j in rows:
            print(f"{name:58} L {lis:3d} ({j['listening']:3d})  B {bnd:3d} ({j['boundaries']:3d})")
    groups = {"all": rows} | {lvl: [r for r in rows if r[1] == lvl] for lvl in sorted({r[1] for r in rows})}
    print(f"{'scripts':10} {'n':>3} {'Spearman L':>10} {'B':>5}   mean engine (judgement) L, B")
    for name, group in groups.items():
        rho = [spearman([r[2 + d] for r in group], [r[4][dim] for r in group]) for d, dim in enumerate(DIMENSIONS)]
        means = [
            f"{sum(r[2 + d] for r in group) / len(group):.0f} ({sum(r[4][dim] for r in group) / len(group):.0f})"
            for d, dim in enumerate(DIMENSIONS)
        ]
        print(f"{name:10} {len(group):3d} {rho[0]:10.2f} {rho[1]:5.2f}   {means[0]}, {means[1]}")


if __name__ == "__main__":
    main()
