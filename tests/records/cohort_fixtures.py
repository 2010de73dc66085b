"""A generated cohort: ten students, three scenarios, played through the engine from mixed scripts.

Each student has a fixed skill level; every next attempt takes a few more lines from the
good script and fewer from the poor one, so students improve the way a trainer would hope.
The test scripts in tests/data/scripts/ supply the lines; the engine decides everything else.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from simulator.content.loader import Library, load_library
from simulator.records.transcript import SelfRating, Transcript, save_transcript

SCRIPTS = Path(__file__).resolve().parent.parent / "data" / "scripts"
SCENARIOS = ("schooladvies-vmbo-gt", "startgesprek-groep5", "pesten-incident")
PERSONAS = ("agnieszka-anxious", "jeroen-pleitbezorger", "dennis-disengaged")
STUDENTS = (
    "Anouk Verhoeven",
    "Bram Kuipers",
    "Chaima Benali",
    "Daniël Oosterhuis",
    "Emre Yıldırım",
    "Femke van Dijkstra",
    "Gijs <b>Hoekstra</b>",
    "Hanna Wierenga",
    "Ilse Brouwers",
    "Joost Meijerink",
)
"""Surnames that occur nowhere in the content, so a leak in anonymised output is easy to spot."""
START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)


def script_lines(scenario: str, level: str) -> list[str]:
    text = (SCRIPTS / f"{scenario}.{level}.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def mixed_lines(scenario: str, good_share: float, rng: random.Random) -> list[str]:
    """Line i from the good script with chance `good_share`, else from the poor one."""
    good, poor = script_lines(scenario, "good"), script_lines(scenario, "poor")
    out = []
    for i in range(max(len(good), len(poor))):
        pick = good if rng.random() < good_share else poor
        other = poor if pick is good else good
        line = pick[i] if i < len(pick) else (other[i] if i < len(other) else None)
        if line:
            out.append(line)
    return out


def play(library: Library, student: str, scenario: str, persona: str, lines: list[str], seed: int) -> Transcript:
    from simulator.engine.session import Session, play_script

    session = Session(
        library.scenarios[scenario], library.personas[persona], seed=seed, trainee=student, dagdeel="vanmiddag"
    )
    return play_script(session, lines)


def generate(library: Library | None = None, attempts_per_scenario: int = 2) -> list[Transcript]:
    """10 students x 3 scenarios x `attempts_per_scenario` attempts (60 by default), dated in order."""
    library = library or load_library()
    out = []
    for s_index, student in enumerate(STUDENTS):
        base = 0.1 + 0.08 * s_index  # Anouk starts weakest, Joost strongest
        for c_index, scenario in enumerate(SCENARIOS):
            for attempt in range(attempts_per_scenario):
                rng = random.Random(f"{student}|{scenario}|{attempt}")
                share = min(1.0, base + 0.45 * attempt)
                lines = mixed_lines(scenario, share, rng)
                t = play(library, student, scenario, PERSONAS[(s_index + c_index) % 3], lines, seed=attempt + 1)
                t.started_at = START + timedelta(days=7 * attempt + c_index, hours=s_index)
                t.ended_at = t.started_at + timedelta(minutes=12)
                t.self_rating = SelfRating(listening=min(5, 2 + attempt + s_index % 2), boundaries=3)
                out.append(t)
    return out


def write(transcripts: list[Transcript], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for t in transcripts:
        path = folder / f"{(t.trainee or 'x').split()[0].lower()}-{t.id}.json"
        save_transcript(t, path)
        paths.append(path)
    return paths
