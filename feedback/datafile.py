"""Reading feedback's YAML rule files with a line for every field, so an error can name it.

Trainers edit `act_rules.yaml`, `codes.yaml` and `scoring.yaml` by hand. A misspelt key must give
one line they can act on ("act_rules.yaml:590: name_limit.cuess: onbekend veld"), never a
traceback. The line-map idea is the same as `simulator/content/files.py`, but `feedback` may not
import `simulator`, so it lives here too (small, and without the content error types).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

LineMap = dict[tuple[object, ...], int]
M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "missing": "verplicht veld ontbreekt",
    "extra_forbidden": "onbekend veld",
    "list_type": "verwacht een lijst",
    "dict_type": "verwacht een mapping (sleutel: waarde)",
    "string_type": "verwacht tekst",
    "int_type": "verwacht een geheel getal",
    "int_parsing": "verwacht een geheel getal",
    "float_type": "verwacht een getal",
    "float_parsing": "verwacht een getal",
    "bool_type": "verwacht true of false",
    "bool_parsing": "verwacht true of false",
    "literal_error": "ongeldige waarde",
}


class DataFileError(ValueError):
    """One readable line: file:line: field: message."""

    def __init__(self, file: str, message: str, field: str = "", line: int | None = None) -> None:
        self.file, self.message, self.field, self.line = file, message, field, line
        place = file if line is None else f"{file}:{line}"
        super().__init__(f"{place}: {field}: {message}" if field else f"{place}: {message}")


def field_path(loc: Iterable[object]) -> str:
    """`('combos', 'caving', 2, 'scope')` -> `combos.caving[2].scope`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def line_of(lines: LineMap, loc: tuple[object, ...]) -> int | None:
    """The line of a field, or of the nearest enclosing field that has one."""
    probe = loc
    while probe and probe not in lines:
        probe = probe[:-1]
    return lines.get(probe)


def _line_map(node: yaml.Node, loc: tuple[object, ...] = (), out: LineMap | None = None) -> LineMap:
    out = {} if out is None else out
    out[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = (*loc, key.value)
            _line_map(value, here, out)
            out[here] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, (*loc, i), out)
    return out


def read_yaml(path: Path) -> tuple[dict[str, Any], LineMap]:
    """A YAML mapping and the line of each field; DataFileError for anything unreadable."""
    name = path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise DataFileError(name, f"kan bestand niet lezen: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise DataFileError(name, f"geen geldige UTF-8-tekst (byte {exc.start})") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise DataFileError(name, f"YAML-fout: {exc.problem or exc}", line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise DataFileError(name, f"YAML-fout: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DataFileError(name, "verwacht een YAML-mapping (sleutel: waarde) bovenaan het bestand", line=1)
    return data, _line_map(node) if node is not None else {}


def validate(model: type[M], data: Any, path: Path, lines: LineMap) -> M:
    """The model for the data, or DataFileError naming the first bad field and its line."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        errors = err.errors(include_url=False)
        # a misspelt key also makes its real name "missing": name the misspelling, the cause
        e = next((x for x in errors if x["type"] == "extra_forbidden"), errors[0])
        loc = tuple(e["loc"])
        message = _MESSAGES.get(e["type"], e["msg"])
        raise DataFileError(path.name, message, field_path(loc), line_of(lines, loc)) from None


def load(model: type[M], path: Path) -> tuple[M, LineMap]:
    """Read and validate one YAML data file."""
    data, lines = read_yaml(path)
    return validate(model, data, path, lines), lines
