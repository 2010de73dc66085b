"""Reading content files: UTF-8 text and YAML with a line for every field, so errors can name it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from simulator.content.problems import ContentError, Problem

LineMap = dict[tuple[object, ...], int]


def read_text(path: Path) -> str:
    """Read a UTF-8 file, or raise a ContentError that says it is not UTF-8 or empty."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ContentError([Problem(str(path), f"kan bestand niet lezen: {exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError(
            [
                Problem(
                    str(path), f"geen geldige UTF-8-tekst (byte {exc.start}); sla het bestand op als UTF-8", line=line
                )
            ]
        ) from None
    if not text.strip():
        raise ContentError([Problem(str(path), "bestand is leeg")])
    return text


def _line_map(node: yaml.Node, loc: tuple[object, ...] = (), out: LineMap | None = None) -> LineMap:
    """Map each field path in a YAML document to its (1-based) line."""
    out = {} if out is None else out
    out[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = (*loc, key.value)
            out[here] = key.start_mark.line + 1
            _line_map(value, here, out)
            out[here] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, (*loc, i), out)
    return out


def read_yaml(path: Path) -> tuple[Any, LineMap]:
    text = read_text(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ContentError([Problem(str(path), f"YAML-fout: {exc.problem or exc}", line=line)]) from None
    except yaml.YAMLError as exc:
        raise ContentError([Problem(str(path), f"YAML-fout: {exc}")]) from None
    if not isinstance(data, dict):
        raise ContentError(
            [Problem(str(path), "verwacht een YAML-mapping (sleutel: waarde) bovenaan het bestand", line=1)]
        )
    return data, _line_map(node) if node is not None else {}
