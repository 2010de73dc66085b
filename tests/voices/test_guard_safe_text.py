"""The one output filter: nothing that steers a terminal or hides text gets through; Dutch text is untouched."""

from __future__ import annotations

import pytest

from simulator.safe_text import clean, clean_line, has_control


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Hallo\x1b[2J daar", "Hallo daar"),  # clear screen
        ("Hallo\x1b]0;titel\x07 daar", "Hallo daar"),  # OSC window title, BEL-terminated
        ("Hallo\x1b]0;titel\x1b\\ daar", "Hallo daar"),  # OSC, ST-terminated
        ("A\x1b[8mverborgen\x1b[0m", "Averborgen"),  # hidden text becomes visible
        ("x\u202eevil", "xevil"),  # bidi override
        ("x\u2066y\u2069", "xy"),  # bidi isolate
        ("A\u200bI", "AI"),  # zero-width space
        ("a\x00b\x07c\x7fd", "abcd"),  # C0 and DEL
        ("a\x9b31mb", "ab"),  # 8-bit CSI
        ("a\x85b", "a\nb"),  # NEL is a line break
        ("regel\r\nregel", "regel\nregel"),
        ("onaf \x1b]0;titel", "onaf "),  # unterminated OSC
    ],
)
def test_control_sequences_are_removed(raw: str, shown: str) -> None:
    assert clean(raw) == shown
    line_breaks_only = "\x85" in raw or "\r" in raw
    assert has_control(raw) is not line_breaks_only


@pytest.mark.parametrize(
    "text",
    [
        "Ik vind het één café-gesprek waard.\tJa.\n",
        "Zo'n advies — „raar” hè?",
        "👨\u200d👩\u200d👧 gezin",
        "Groep 8, 12 jaar",
    ],
)
def test_plain_text_passes_unchanged(text: str) -> None:
    assert clean(text) == text
    assert not has_control(text)


def test_clean_line_folds_and_cuts() -> None:
    assert clean_line("fout \x1b[31mrood\x1b[0m\n\nmeer") == "fout rood meer"
    assert clean_line("a" * 50, 10) == "a" * 9 + "…"
