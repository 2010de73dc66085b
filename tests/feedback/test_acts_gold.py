"""The recogniser against the hand-labelled gold set (and the development set).

Run with `-s` to see the per-code precision/recall/F1 table.

History of the numbers, so the floors below can be read honestly:
- first run on the gold set, before any rule was changed for it: macro-F1 0.793;
- after fixing rules for the *phenomena* that run showed (verb forms, word orders, synonyms,
  the labelling conventions in tests/data/README.md), never for single sentences: 0.996.
The gold set has therefore been seen; the floors guard against regressions. A held-out set that
nobody tuned on is the real judge. Four fresh batches of development items (tests/data/acts_dev.jsonl,
ids dev2- to dev5-), written after the first gold run with new phrasings, scored 0.892, 0.840,
0.790 and 0.726 (the last on purpose indirect) before their phenomena were fixed: that range is
the better estimate for phrasings nobody has seen yet.
A sixth batch (tests/data/acts_dev2.jsonl, 206 items, written before the rules were read, aimed at
the weakest codes: indirect limits, consequences as choices, defending via policy/colleagues,
holding a position without "blijft", cue-less paraphrases) scored 0.805 before its phenomena were
fixed and 0.992 after; a further 50 fresh items that were never tuned on went from 0.603 to 0.662.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from feedback.codes import ALL_CODES
from feedback.evaluate import Report, evaluate_file, format_errors, format_table

DATA = Path(__file__).resolve().parents[1] / "data"
GOLD = DATA / "acts_gold.jsonl"
DEV = DATA / "acts_dev.jsonl"
DEV2 = DATA / "acts_dev2.jsonl"
DEV3 = DATA / "acts_dev3.jsonl"

# measured 0.996 (gold), 0.998 (dev) and 0.992 (dev2), minus a margin for legitimate rule changes
# dev3 (ids d3-): 100 fresh items for the word-class combinations; 0.813 before, 0.959 after
# (50 sibling items kept out of the repo went from 0.708 to 0.837 untouched)
MACRO_F1_FLOOR = {"gold": 0.97, "dev": 0.97, "dev2": 0.96, "dev3": 0.93}
# lowest measured per-code F1 on gold: 0.964 (paraphrase)
PER_CODE_F1_FLOOR = 0.92


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    return {
        "gold": evaluate_file(GOLD),
        "dev": evaluate_file(DEV),
        "dev2": evaluate_file(DEV2),
        "dev3": evaluate_file(DEV3),
    }


@pytest.mark.parametrize("name", ["gold", "dev", "dev2", "dev3"])
def test_macro_f1_stays_above_the_floor(reports: dict[str, Report], name: str) -> None:
    report = reports[name]
    print(f"\n{name}: {report.items} items\n{format_table(report)}")
    assert report.macro_f1 >= MACRO_F1_FLOOR[name], format_errors(report)


@pytest.mark.parametrize("code", ALL_CODES)
def test_every_code_is_recognised_reliably_on_the_gold_set(reports: dict[str, Report], code: str) -> None:
    score = reports["gold"].per_code[code]
    assert score.support > 0, f"the gold set has no {code} item"
    assert score.f1 >= PER_CODE_F1_FLOOR, (
        f"{code}: P={score.precision:.3f} R={score.recall:.3f} F1={score.f1:.3f}\n{format_errors(reports['gold'])}"
    )


def test_the_gold_set_covers_every_code() -> None:
    report = evaluate_file(GOLD)
    assert {c for c in ALL_CODES if report.per_code[c].support} == set(ALL_CODES)
