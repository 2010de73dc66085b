"""One readable line per problem in a file a user gave us: file, line, field, message."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    field: str = ""
    line: int | None = None

    def __str__(self) -> str:
        """Always one line: a field name or message taken from a hostile file cannot add lines or escapes."""
        from simulator.safe_text import clean_line

        place = self.file if self.line is None else f"{self.file}:{self.line}"
        field, message = clean_line(self.field, 200), clean_line(self.message, 500)
        return clean_line(place) + (f": {field}: {message}" if field else f": {message}")


class ContentError(Exception):
    """Raised with every problem found, so the CLI can print them all and exit 1."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def field_path(loc: Iterable[object]) -> str:
    """`('turns', 2, 'speaker')` -> `turns[2].speaker`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_MESSAGES = {
    "missing": "verplicht veld ontbreekt",
    "extra_forbidden": "onbekend veld",
}


def problems_from_validation(
    path: Path | str, err: ValidationError, line_of: dict[tuple[object, ...], int] | None = None
) -> list[Problem]:
    """Turn pydantic's errors into Problems, with YAML/JSON line numbers where we know them."""
    out: list[Problem] = []
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        message = _MESSAGES.get(e["type"], e["msg"])
        if e["type"] not in _MESSAGES and "input" in e and e["type"].endswith("_type"):
            message = f"{e['msg']} (gekregen: {type(e['input']).__name__} {str(e['input'])[:40]!r})"
        line = None
        if line_of:
            probe = loc
            while probe and probe not in line_of:
                probe = probe[:-1]
            line = line_of.get(probe)
        out.append(Problem(str(path), message, field_path(loc), line))
    return out
