"""Whatever a trainee types, the recogniser answers: no crash, only known codes, valid evidence."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.acts import Act, recognise
from feedback.codes import ALL_CODES

_SAMPLE = (
    "u je ik we dat als niet geen boos toch waarom hoe wat dus dan maar en het advies blijft havo zorgen maakt "
    "zich directeur klopt IB'er LVS beëindig gesprek samenvatten vooruit rechter 's zo'n"
)
DUTCH_WORDS = [*_SAMPLE.split(), "op een rij", "?", ".", ",", "!", ":", "😊", "\n", "  ", "(", ")", "-", '"', "…"]

texts = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=400),
    st.lists(st.sampled_from(DUTCH_WORDS), max_size=80).map(" ".join),
    st.lists(st.sampled_from(DUTCH_WORDS), max_size=80).map("".join),
)
histories = st.lists(st.tuples(st.sampled_from(["parent", "teacher", "ouder", ""]), texts), max_size=5)


def assert_well_formed(text: str, acts: list[Act]) -> None:
    codes = [a.code for a in acts]
    assert set(codes) <= set(ALL_CODES)
    assert len(codes) == len(set(codes))
    assert codes == [c for c in ALL_CODES if c in codes]
    for act in acts:
        assert isinstance(act.evidence, str)
        if act.start >= 0:
            assert 0 <= act.start <= act.end <= len(text)
            assert text[act.start : act.end] == act.evidence


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, parent=st.one_of(st.none(), texts), history=histories)
def test_any_text_gives_well_formed_acts(text: str, parent: str | None, history: list[tuple[str, str]]) -> None:
    assert_well_formed(text, recognise(text, parent, history))


def test_empty_and_blank_turns_have_no_acts() -> None:
    for text in ["", " ", "\n\t ", "\u00a0", "\u200b"]:
        assert recognise(text) == []


def test_punctuation_emoji_and_english_have_no_acts() -> None:
    for text in ["??!!", "...", "😊👍", "👍🏽👍🏽👍🏽", "I don't speak Dutch, sorry.", "-- ; : ,,"]:
        assert recognise(text) == []


def test_odd_arguments_do_not_crash() -> None:
    assert recognise("Hoe gaat het?", "") == recognise("Hoe gaat het?")
    assert recognise("Hoe gaat het?", None, [("parent",)]) == recognise("Hoe gaat het?")  # type: ignore[list-item]
    assert recognise("Hoe gaat het?", None, "geen lijst") == recognise("Hoe gaat het?")  # type: ignore[arg-type]
    assert recognise(None) == []  # type: ignore[arg-type]


def test_a_ten_thousand_character_turn_is_answered_quickly() -> None:
    text = ("Ik begrijp dat u boos bent, maar het advies blijft havo. Hoe ziet u dat? " * 140)[:10_000]
    start = time.perf_counter()
    acts = recognise(text, text, [("parent", text)] * 3)
    assert time.perf_counter() - start < 5.0
    assert_well_formed(text, acts)
    assert {"open_question", "feeling_reflection", "holds_position"} <= {a.code for a in acts}


def test_pathological_repetitions_are_answered_quickly() -> None:
    for text in ["a" * 10_000, "?" * 10_000, ", " * 5_000, "u " * 5_000, "😊" * 5_000, "\n" * 10_000]:
        start = time.perf_counter()
        assert_well_formed(text, recognise(text, text[:3000]))
        assert time.perf_counter() - start < 5.0
