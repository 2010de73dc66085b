"""The recogniser on phrasings nobody tuned on: the honest estimate of how it generalises.

tests/data/acts_heldout.jsonl (200 items) was written by a coder who saw only feedback/CODES.md
and the domain brief, never the rules nor the other sets, and it is never used to change a rule.
Measured when it was written: macro-F1 0.747 (precision high, recall lower on the boundary codes,
defending and paraphrase). After two rounds of generalisation on *other* fresh sets: 0.757; after a
mechanism fix for paraphrase precision (a paraphrase never shares its turn with advice, defence,
limits or attacks; true in every labelled set): 0.761. The floor guards against regressions only;
the number to quote for unseen phrasings is ~0.75, against κ≈0.6–0.7 between human coders.
"""

from __future__ import annotations

from pathlib import Path

from feedback.evaluate import evaluate_file, format_table

HELDOUT = Path(__file__).resolve().parents[1] / "data" / "acts_heldout.jsonl"
MACRO_F1_FLOOR = 0.72


def test_unseen_phrasings_stay_above_the_floor() -> None:
    report = evaluate_file(HELDOUT)
    print("\n" + format_table(report))
    assert report.macro_f1 >= MACRO_F1_FLOOR
