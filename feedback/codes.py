"""The shared vocabulary of conversation acts, read from `feedback/data/codes.yaml`.

Transcripts, reports, the engine's effect tables, the app and the tests all use these codes.
They are defined once, in the data file, with their Dutch label and group, so a new code or a
better label is one edit that every reader sees. The sets below are derived, never listed twice.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from feedback.datafile import DataFileError, load

CODES_PATH = Path(__file__).parent / "data" / "codes.yaml"

Group = Literal["listening", "boundaries"]
Tag = Literal["question", "reflection", "roadblock"]


class CodeInfo(BaseModel):
    """One act code as the data file describes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z_]*$")
    group: Group
    label: str = Field(min_length=1)
    explanation: str = Field(min_length=1)
    tags: tuple[Tag, ...] = ()


class CodeBook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    codes: tuple[CodeInfo, ...] = Field(min_length=1)

    @field_validator("codes")
    @classmethod
    def _unique(cls, codes: tuple[CodeInfo, ...]) -> tuple[CodeInfo, ...]:
        seen: set[str] = set()
        for c in codes:
            if c.code in seen:
                raise ValueError(f"code {c.code!r} staat er twee keer in")
            seen.add(c.code)
        return codes


@lru_cache(maxsize=4)
def load_codes(path: Path = CODES_PATH) -> CodeBook:
    """The code book; DataFileError (one line: file:line: field: message) when it is malformed."""
    book, _ = load(CodeBook, path)
    return book


_BOOK = load_codes()
CODE_INFO: dict[str, CodeInfo] = {c.code: c for c in _BOOK.codes}


def _with(group: Group | None = None, tag: Tag | None = None) -> tuple[str, ...]:
    return tuple(c.code for c in _BOOK.codes if (group is None or c.group == group) and (tag is None or tag in c.tags))


LISTENING_CODES: tuple[str, ...] = _with(group="listening")
BOUNDARY_CODES: tuple[str, ...] = _with(group="boundaries")
ALL_CODES: tuple[str, ...] = LISTENING_CODES + BOUNDARY_CODES
QUESTION_CODES: frozenset[str] = frozenset(_with(tag="question"))
REFLECTION_CODES: frozenset[str] = frozenset(_with(tag="reflection"))
ROADBLOCK_CODES: frozenset[str] = frozenset(_with(tag="roadblock"))
LABELS: dict[str, str] = {c.code: c.label for c in _BOOK.codes}


def label(code: str) -> str:
    """The Dutch label of a code (the code itself when unknown, so a report never breaks)."""
    return LABELS.get(code, code)


def explanation(code: str) -> str:
    """The one-sentence Dutch explanation of a code ('' when unknown)."""
    info = CODE_INFO.get(code)
    return info.explanation if info else ""


__all__ = [
    "ALL_CODES",
    "BOUNDARY_CODES",
    "CODE_INFO",
    "LABELS",
    "LISTENING_CODES",
    "QUESTION_CODES",
    "REFLECTION_CODES",
    "ROADBLOCK_CODES",
    "CodeInfo",
    "DataFileError",
    "explanation",
    "label",
    "load_codes",
]
