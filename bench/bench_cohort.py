"""Time the cohort overview over 1,000 transcripts with stored acts (target: < 5 s, reading to HTML).

Plays a few dozen conversations through the engine (mixed good/poor scripts, keyword
embedder), copies them under new ids and names up to 1,000 files in a temporary folder
and a zip, then times `load_cohort` and each output format, as `oudergesprek cohort` runs them.

    .venv/bin/python bench/bench_cohort.py [N]
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OUDERGESPREK_EMBEDDER", "keywords")

TARGET_S = 5.0


def make_files(folder: Path, n: int) -> list[Path]:
    from simulator.content.loader import load_library
    from simulator.records.transcript import save_transcript
    from tests.records.cohort_fixtures import PERSONAS, SCENARIOS, mixed_lines, play

    library = load_library()
    rng = random.Random(1)
    played = []
    for i in range(24):
        scenario = SCENARIOS[i % 3]
        played.append(play(library, "x", scenario, PERSONAS[i % 3], mixed_lines(scenario, i / 24, rng), seed=i))
    paths = []
    for i in range(n):
        t = played[i % len(played)].model_copy(deep=True)
        t.id = f"bench{i:07d}"
        t.trainee = f"Student {i % 40:02d}"
        path = folder / f"t{i:05d}.json"
        save_transcript(t, path)
        paths.append(path)
    return paths


def timed(label: str, fn, repeats: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    best, median = min(times), statistics.median(times)
    print(f"{label:<40} median {median:6.2f} s   best {best:6.2f} s")
    return median


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}  transcripts: {n}")
    from simulator.records.cohort_load import default_workers, load_cohort
    from simulator.records.cohort_render import to_csv, to_html, to_text

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "groep"
        folder.mkdir()
        start = time.perf_counter()
        paths = make_files(folder, n)
        print(f"{'setup (play 24, copy to files)':<40} {time.perf_counter() - start:6.2f} s")
        archive = Path(tmp) / "groep.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in paths:
                zf.write(p, f"groep/{p.name}")
        cohort = load_cohort([folder])
        assert len(cohort.attempts) == n, (len(cohort.attempts), cohort.skipped[:3])
        timed("load_cohort(folder), one process", lambda: load_cohort([folder], workers=1), repeats=1)
        folder_s = timed(f"load_cohort(folder), {default_workers()} processes", lambda: load_cohort([folder]))
        zip_s = timed("load_cohort(zip)", lambda: load_cohort([archive]))
        text_s = timed("to_text", lambda: to_text(cohort))
        csv_s = timed("to_csv", lambda: to_csv(cohort))
        html_s = timed("to_html", lambda: to_html(cohort))
        total = folder_s + max(text_s, csv_s, html_s)
        verdict = "OK" if total < TARGET_S else "MISSED"
        print(f"{'folder → slowest format':<40} {total:6.2f} s   target < {TARGET_S:.0f} s: {verdict}")
        print(f"{'zip → slowest format':<40} {zip_s + max(text_s, csv_s, html_s):6.2f} s")


if __name__ == "__main__":
    main()
