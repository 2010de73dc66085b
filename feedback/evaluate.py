"""Per-code precision, recall and F1 of the act recogniser against a labelled JSONL file.

Each line: {"id", "text", "parent_before"?, "history"?, "codes": [...]}. Used by the gold
test, by trainers who relabel items, and by anyone changing `act_rules.yaml`, so a rule
change is judged on numbers rather than on the example at hand.

    python -m feedback.evaluate tests/data/acts_gold.jsonl [--errors]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from feedback.acts import codes_of, history_from_json, recognise
from feedback.codes import ALL_CODES


@dataclass
class CodeScore:
    """Counts for one code; the ratios are derived so they never disagree with the counts."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Item:
    id: str
    text: str
    parent_before: str | None
    history: list[tuple[str, str]]
    codes: list[str]


@dataclass
class Report:
    per_code: dict[str, CodeScore]
    items: int
    exact: int
    errors: list[tuple[Item, list[str]]] = field(default_factory=list)

    @property
    def scored_codes(self) -> list[str]:
        """Codes that occur in the gold labels or the predictions (others have no F1)."""
        return [c for c in ALL_CODES if self.per_code[c].tp + self.per_code[c].fp + self.per_code[c].fn]

    @property
    def macro_f1(self) -> float:
        codes = [c for c in self.scored_codes if self.per_code[c].support]
        return sum(self.per_code[c].f1 for c in codes) / len(codes) if codes else 0.0

    @property
    def micro_f1(self) -> float:
        tp = sum(s.tp for s in self.per_code.values())
        fp = sum(s.fp for s in self.per_code.values())
        fn = sum(s.fn for s in self.per_code.values())
        return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0


def load_items(path: Path) -> list[Item]:
    """Read a labelled JSONL file; unknown codes are an error (a typo would silently score 0)."""
    items: list[Item] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        obj: Any = json.loads(line)
        codes = [str(c) for c in obj.get("codes", [])]
        unknown = [c for c in codes if c not in ALL_CODES]
        if unknown:
            raise ValueError(f"{path.name} line {n}: unknown codes {unknown}")
        parent = obj.get("parent_before")
        items.append(
            Item(
                id=str(obj.get("id", n)),
                text=str(obj.get("text", "")),
                parent_before=parent if isinstance(parent, str) else None,
                history=history_from_json(obj.get("history")),
                codes=codes,
            )
        )
    return items


def evaluate(items: Sequence[Item], embedder: Any = None) -> Report:
    """Compare the recogniser's codes with the labels, item by item (optionally with an embedder)."""
    per_code = {c: CodeScore() for c in ALL_CODES}
    exact = 0
    errors: list[tuple[Item, list[str]]] = []
    for item in items:
        predicted = set(codes_of(recognise(item.text, item.parent_before, item.history, embedder=embedder)))
        gold = set(item.codes)
        for c in ALL_CODES:
            if c in predicted and c in gold:
                per_code[c].tp += 1
            elif c in predicted:
                per_code[c].fp += 1
            elif c in gold:
                per_code[c].fn += 1
        if predicted == gold:
            exact += 1
        else:
            errors.append((item, sorted(predicted)))
    return Report(per_code, len(items), exact, errors)


def evaluate_file(path: Path | str, embedder: Any = None) -> Report:
    return evaluate(load_items(Path(path)), embedder)


def _embedder() -> Any:
    """The sentence embedder, when the optional package is installed and semantic; else None."""
    try:
        from feedback.embed import get_embedder
    except ImportError:
        return None
    found = get_embedder()
    return found if getattr(found, "semantic", False) else None


def format_table(report: Report) -> str:
    """A plain-text table: one row per code, then macro/micro F1 and exact-match rate."""
    lines = [f"{'code':<20} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4} {'n':>4}"]
    for c in report.scored_codes:
        s = report.per_code[c]
        lines.append(
            f"{c:<20} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:4d} {s.fp:4d} {s.fn:4d} {s.support:4d}"
        )
    lines.append(f"{'macro-F1':<20} {report.macro_f1:20.3f}")
    lines.append(f"{'micro-F1':<20} {report.micro_f1:20.3f}")
    rate = report.exact / report.items if report.items else 0.0
    lines.append(f"{'exact match':<20} {rate:20.3f}  ({report.exact}/{report.items})")
    return "\n".join(lines)


def format_errors(report: Report) -> str:
    out: list[str] = []
    for item, predicted in report.errors:
        gold = set(item.codes)
        missing = sorted(gold - set(predicted))
        extra = sorted(set(predicted) - gold)
        out.append(f"{item.id}: {item.text!r}\n    missing={missing} extra={extra}")
    return "\n".join(out)


def main(argv: Iterable[str] | None = None, stdout: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m feedback.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--errors", action="store_true", help="list every item where codes differ")
    parser.add_argument("--embedder", action="store_true", help="let the paraphrase check use the sentence embedder")
    args = parser.parse_args(list(argv) if argv is not None else None)
    embedder = _embedder() if args.embedder else None
    if args.embedder and embedder is None:
        print("(geen semantische embedder beschikbaar: alleen woordoverlap)", file=stdout)
    report = evaluate_file(args.file, embedder)
    print(format_table(report), file=stdout)
    if args.errors:
        print(format_errors(report), file=stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
