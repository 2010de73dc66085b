"""Hints: the one suggestion a trainee gets when asking for help mid-conversation."""

from __future__ import annotations

import pytest

from feedback.acts import Act
from feedback.hints import hints_config, rule_text, suggest
from tests.feedback.turns import A, P, T, Turns


def test_before_the_first_turn_the_hint_is_about_the_opening() -> None:
    assert suggest([]) == rule_text("open")
    assert "nieuws" in suggest([], bad_news=True)
    assert suggest([P("Goedemiddag.")]) == rule_text("open")


def test_parent_who_threatens_gets_a_boundary_hint() -> None:
    turns = [T("We hebben twintig minuten."), P("Als dit zo blijft, stap ik naar mijn advocaat.")]
    hint = suggest(turns, [A("structuring"), None])
    assert hint == "Benoem wat u ziet en wat de grens is."


def test_boundary_hint_works_with_the_real_recogniser() -> None:
    turns = [T("Goedemiddag, we hebben twintig minuten."), P("Dit is ONZIN, ik ACCEPTEER dit niet!")]
    assert "grens" in suggest(turns)


def test_line_crossed_again_after_naming_it_suggests_a_consequence() -> None:
    turns = [
        P("Je bent gewoon een groentje."),
        T("Zo wil ik niet met u praten."),
        P("Dan zie ik u bij de rechter."),
    ]
    hint = suggest(turns, [None, A("name_limit"), None])
    assert "consequentie" in hint
    answered = [*turns, T("Ik ga niet in op dreigementen.")]
    assert "grens" not in suggest(answered, [None, A("name_limit"), None, A("name_limit")])


def test_emotion_not_yet_acknowledged() -> None:
    turns = [T("Goedemiddag."), P("Ik lig er echt wakker van, ik ben zo ongerust.")]
    assert suggest(turns, [[], None]) == rule_text("emotion")
    acknowledged = [*turns, T("U bent ongerust."), P("Ja, heel erg.")]
    assert suggest(acknowledged, [[], None, A("feeling_reflection"), None]) != rule_text("emotion")


def test_premature_advice_asks_to_summarise_first_naming_the_parent() -> None:
    turns = [P("Hij doet thuis nooit zijn huiswerk."), T("U moet gewoon vaste tijden afspreken."), P("Hm.")]
    assert suggest(turns, [None, A("premature_advice"), None], parent="moeder") == (
        "Vat samen wat moeder zegt voordat u uitlegt."
    )
    assert "de ouder" in suggest(turns, [None, A("defending"), None])


def test_closed_question_chain_asks_for_an_open_question() -> None:
    turns = [P("Het gaat wel."), T("Slaapt hij goed?"), P("Ja."), T("Eet hij goed?"), P("Ja.")]
    assert suggest(turns, [None, A("closed_question"), None, A("closed_question"), None]) == (
        "Stel een open vraag: wat ziet u thuis?"
    )


@pytest.mark.parametrize(
    ("codes", "rule"),
    [
        (("why_question",), "why_question"),
        (("dismissing",), "dismissing"),
        (("jargon",), "jargon"),
        (("caving",), "caved"),
        (("counter_attack",), "counter_attack"),
        (("you_message",), "counter_attack"),
        (("feeling_reflection",), "canned"),
    ],
)
def test_last_teacher_act_drives_the_hint(codes: tuple[str, ...], rule: str) -> None:
    turns = [P("Zo zit het."), T("De leerkracht reageert."), P("Nou.")]
    assert suggest(turns, [None, A(*codes), None]) == rule_text(rule)


def test_a_summary_is_due_after_several_turns_without_one() -> None:
    turns: Turns = []
    acts: list[list[Act] | None] = []
    for n in range(4):
        turns += [P(f"Punt {n} van de ouder."), T("Hoe ziet u dat?")]
        acts += [None, A("open_question")]
    turns.append(P("Zo is het."))
    acts.append(None)
    assert suggest(turns, acts) == rule_text("summarise")
    acts[-2] = A("summary", "closed_question")
    assert suggest(turns, acts) == rule_text("default")


def test_hints_are_short_calm_and_all_rules_have_text() -> None:
    cfg = hints_config()
    for rule in cfg["rules"]:
        text = rule_text(rule["id"], "vader")
        assert text and "!" not in text and len(text) <= 120
        assert "{" not in text


def test_hint_with_unknown_acts_uses_the_recogniser_without_error() -> None:
    turns = [P("Waarom krijg ik dit pas nu te horen?"), T("Dat had ik eerder moeten laten weten."), P("Ja.")]
    assert isinstance(suggest(turns, [None, None, None]), str)
