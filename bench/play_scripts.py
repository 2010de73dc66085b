"""Play every teacher script in a folder and write rating sheets for a human (or helper) rater.

EVALUATING.md asks for a turn-by-turn rating of the parent: each parent turn is shown after the teacher
line it answers, so a rater can give 0/1/2 without reading the engine. Also prints the endings and,
where `judgements.json` is present, the engine's scores next to the trainer's a-priori judgement.

    .venv/bin/python bench/play_scripts.py tests/data/blind/scripts OUT_DIR
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def play(script: Path) -> dict:
    scenario, persona, _level = script.name.removesuffix(".txt").split(".")
    out = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "play", "--scenario", scenario, "--persona", persona,
         "--script", str(script), "--json"],
        capture_output=True, text=True, encoding="utf-8", timeout=300, env=os.environ,
    )
    if out.returncode != 0:
        return {"error": (out.stderr or out.stdout).strip().splitlines()[-1:]}
    return json.loads(out.stdout)


def sheet(name: str, transcript: dict) -> str:
    lines = [f"# {name}", f"outcome: {transcript.get('outcome')}", ""]
    n = 0
    for turn in transcript.get("turns", []):
        if turn["speaker"] == "teacher":
            lines.append(f"T: {turn['text']}")
        else:
            n += 1
            lines.append(f"P{n}: {turn['text']}")
    return "\n".join(lines) + "\n"


def main() -> None:
    folder, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)
    endings: dict[str, str] = {}
    for script in sorted(folder.glob("*.txt")):
        t = play(script)
        if "error" in t:
            print(f"{script.name}: FOUT {t['error']}")
            continue
        (out_dir / f"{script.stem}.json").write_text(json.dumps(t, ensure_ascii=False), encoding="utf-8")
        (out_dir / f"{script.stem}.sheet.txt").write_text(sheet(script.stem, t), encoding="utf-8")
        endings[script.name] = str(t.get("outcome"))
        print(f"{script.name}: {t.get('outcome')}", flush=True)
    judgements = folder / "judgements.json"
    if judgements.exists():
        expected = {j["file"]: j["expected_ending"] for j in json.loads(judgements.read_text(encoding="utf-8"))}
        hits = sum(1 for f, e in endings.items() if expected.get(f) == e)
        print(f"cores={os.cpu_count()} endings as expected: {hits} of {len(endings)}")


if __name__ == "__main__":
    main()
