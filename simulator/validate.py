"""`oudergesprek validate`: content files and transcripts, every problem collected."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from simulator.content.loader import cross_check, expand, load_files
from simulator.content.problems import Problem
from simulator.records.transcript import load_transcript


def validate_paths(paths: Iterable[Path]) -> list[Problem]:
    lib, problems = load_files(expand(paths), check_other=load_transcript)
    return problems + cross_check(lib)
