"""One vocabulary: the code book, the rule file and CODES.md agree, and a bad rule file says where."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from feedback.acts import RULES_PATH, load_rules
from feedback.codes import ALL_CODES, BOUNDARY_CODES, CODES_PATH, LISTENING_CODES, label, load_codes
from feedback.datafile import DataFileError

CODES_MD = Path(__file__).resolve().parents[2] / "feedback" / "CODES.md"


def test_codes_md_defines_exactly_the_codes_of_the_code_book() -> None:
    definitions = CODES_MD.read_text(encoding="utf-8").split("## Decision rules")[0]
    listed = re.findall(r"^\| `([a-z_]+)` \|", definitions, flags=re.M)
    assert sorted(listed) == sorted(ALL_CODES)
    assert len(listed) == len(set(listed)), "a code is defined twice in CODES.md"


def test_labels_are_the_trainer_standard_terms() -> None:
    assert label("leading_question") == "sturende vraag"
    assert label("feeling_reflection") == "gevoelsreflectie"
    assert all(label(c) and label(c) != c for c in ALL_CODES)
    assert set(LISTENING_CODES).isdisjoint(BOUNDARY_CODES)


def test_a_misspelt_key_in_the_code_book_names_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "codes.yaml"
    bad.write_text("codes:\n  - code: open_question\n    group: listening\n    lable: open vraag\n", encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        load_codes(bad)
    assert str(err.value) == "codes.yaml:4: codes[0].lable: onbekend veld"
    assert load_codes(CODES_PATH).codes


def _rule_file_with(tmp_path: Path, old: str, new: str) -> Path:
    text = RULES_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "act_rules.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_misspelt_key_in_the_rule_file_gives_one_line_with_its_place(tmp_path: Path) -> None:
    text = RULES_PATH.read_text(encoding="utf-8")
    line = text[: text.index("\nname_limit:\n")].count("\n") + 3  # the line after "name_limit:"
    path = _rule_file_with(tmp_path, "\nname_limit:\n  cues:", "\nname_limit:\n  cuess:")
    with pytest.raises(DataFileError) as err:
        load_rules(path)
    message = str(err.value)
    assert "\n" not in message
    assert message == f"act_rules.yaml:{line}: name_limit.cuess: onbekend veld"


def test_a_broken_pattern_names_its_list_and_place(tmp_path: Path) -> None:
    path = _rule_file_with(tmp_path, "\nname_limit:\n  cues:\n", "\nname_limit:\n  cues:\n    - 'kapot (haakje'\n")
    with pytest.raises(DataFileError) as err:
        load_rules(path)
    assert "name_limit.cues[0]" in str(err.value)
    assert str(err.value).startswith("act_rules.yaml:")


def test_an_unknown_code_in_drops_is_refused(tmp_path: Path) -> None:
    path = _rule_file_with(tmp_path, "\ndrops:\n", "\ndrops:\n  parafrase: [summary]\n")
    with pytest.raises(DataFileError, match=r"drops\.parafrase: onbekende code 'parafrase'"):
        load_rules(path)
