"""Render a session report as plain text (terminal) or Markdown (export, trainers).

Both renderers read the JSON form (`Report.to_dict()`), so a report saved as JSON
renders the same as a fresh one (older saved reports without n.v.t. parts too).
Headings come from scoring.yaml, act names from codes.yaml.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

from feedback.codes import LABELS as CODE_LABELS
from feedback.scoring import Report, scoring_config

WIDTH = 88
DIMENSIONS = ("listening", "boundaries", "bad_news")


def _as_dict(report: Report | Mapping[str, Any]) -> Mapping[str, Any]:
    return report.to_dict() if isinstance(report, Report) else report


def _labels() -> tuple[Mapping[str, str], Mapping[str, str], Mapping[str, str]]:
    """(report headings, dimension labels, code labels) from scoring.yaml."""
    file = scoring_config().file
    dims = {d: getattr(file, d).label for d in DIMENSIONS}
    return file.report.model_dump(), dims, CODE_LABELS


def _title(data: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    title = labels["title"]
    scenario = data.get("scenario_title")
    return f"{title}: {scenario}" if scenario else title


def _codes(codes: list[str], code_labels: Mapping[str, str], empty: str) -> str:
    return ", ".join(code_labels.get(c, c) for c in codes) if codes else empty


def _counts(data: Mapping[str, Any], code_labels: Mapping[str, str]) -> str:
    counts = {c: n for c, n in data.get("counts", {}).items() if n}
    return ", ".join(f"{code_labels.get(c, c)} {n}" for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent)


def render_text(report: Report | Mapping[str, Any]) -> str:
    """Plain text for the terminal: scores, explanations with quotes, acts per teacher turn."""
    data = _as_dict(report)
    labels, dims, code_labels = _labels()
    out: list[str] = [_title(data, labels), ""]
    for dim in DIMENSIONS:
        d = data.get(dim)
        if not d:
            continue
        out.append(f"{dims[dim]}: {d['score']}/100")
        out.append(_wrap(d["summary"], "  "))
        for s in d["subscores"]:
            out.append(f"  - {s['label']}: {s['score']}/100 ({labels['weight']} {s['weight']})")
            out.append(_wrap(s["explanation"], "      "))
            for e in s["evidence"]:
                out.append(_wrap(f'{labels["turn"]} {e["turn"] + 1}: "{e["text"]}"', "        > "))
        for s in d.get("not_applicable", []):
            out.append(f"  - {s['label']}: {labels['not_applicable']} ({labels['not_applicable_short']})")
            out.append(_wrap(s["reason"], "      "))
        out.append("")
    out.append(labels["turns"])
    for t in data.get("turns", []):
        out.append(_wrap(f"{labels['turn']} {t['index'] + 1}: {t['text']}", "  "))
        out.append(_wrap(_codes(t["codes"], code_labels, labels["no_codes"]), "      "))
    counts = _counts(data, code_labels)
    if counts:
        out += ["", _wrap(f"{labels['counts']}: {counts}", "")]
    return "\n".join(out).rstrip() + "\n"


def _md(text: str) -> str:
    """Escape the characters that would turn a quote into Markdown markup."""
    for ch in ("\\", "*", "_", "`", "[", "]", "<", ">", "#", "|"):
        text = text.replace(ch, "\\" + ch)
    return text


def render_markdown(report: Report | Mapping[str, Any]) -> str:
    """Markdown for export: one section per dimension, sub-scores with quotes, a turn list."""
    data = _as_dict(report)
    labels, dims, code_labels = _labels()
    out: list[str] = [f"# {_md(_title(data, labels))}", ""]
    for dim in DIMENSIONS:
        d = data.get(dim)
        if not d:
            continue
        out += [f"## {dims[dim]}: {d['score']}/100", "", _md(d["summary"]), ""]
        for s in d["subscores"]:
            out += [f"### {_md(s['label'])}: {s['score']}/100 ({labels['weight']} {s['weight']})", ""]
            out += [_md(s["explanation"]), ""]
            for e in s["evidence"]:
                out.append(f'> {labels["turn"]} {e["turn"] + 1}: "{_md(e["text"])}"  ')
            if s["evidence"]:
                out.append("")
        for s in d.get("not_applicable", []):
            out += [f"### {_md(s['label'])}: {labels['not_applicable']}", "", _md(s["reason"]), ""]
    out += [f"## {labels['turns']}", ""]
    for t in data.get("turns", []):
        codes = _codes(t["codes"], code_labels, labels["no_codes"])
        out.append(f"- **{labels['turn']} {t['index'] + 1}**: {_md(t['text'])}  ")
        out.append(f"  *{_md(codes)}*")
    counts = _counts(data, code_labels)
    if counts:
        out += ["", f"**{labels['counts']}**: {_md(counts)}"]
    return "\n".join(out).rstrip() + "\n"
