"""How a line addresses the teacher (u or je), so each persona keeps one register.

Parents only say 'u'/'uw' to the teacher, so those words mark a u-line reliably;
'je' is also the generic 'you' in Dutch, so only the unambiguous forms mark a je-line.
The marker words live in register.yaml.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from simulator.content.files import load_model

_WORD = re.compile(r"[a-zà-ÿ]+", re.IGNORECASE)


class RegisterWords(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    u: list[str]
    je: list[str]
    wrong_u: str
    wrong_je: str


@cache
def register_words() -> RegisterWords:
    path = Path(str(resources.files("simulator.content") / "register.yaml"))
    return load_model(RegisterWords, path)


def line_address(text: str) -> str | None:
    """'u' or 'je' when the line addresses the teacher unambiguously, else None."""
    words = {w.lower() for w in _WORD.findall(text)}
    reg = register_words()
    if words & set(reg.u):
        return "u"
    if words & set(reg.je):
        return "je"
    return None


def band_address(persona: object, band: str) -> str:
    """How this persona addresses the teacher at a tension band."""
    style = persona.speaking_style  # type: ignore[attr-defined]
    if band == "high" and style.address_when_angry:
        return str(style.address_when_angry)
    return str(style.address)


def fits_address(text: str, tag: str | None, address: str) -> bool:
    own = tag or line_address(text)
    return own is None or own == address


def address_problem(text: str, address: str) -> str | None:
    """A Dutch complaint when the line addresses the teacher the wrong way."""
    own = line_address(text)
    if own is None or own == address:
        return None
    reg = register_words()
    return reg.wrong_u if address == "je" else reg.wrong_je
