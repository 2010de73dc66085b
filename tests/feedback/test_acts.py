"""What the act recogniser sees in a teacher's turn, told with examples a trainer would recognise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from feedback.acts import Act, codes_of, load_rules, recognise
from feedback.codes import ALL_CODES

ROOT = Path(__file__).resolve().parents[2]

# (teacher text, parent's last turn or None, the code that must be found)
EXAMPLES: list[tuple[str, str | None, str]] = [
    ("Hoe gaat het thuis met Daan?", None, "open_question"),
    ("Vertelt u eens wat er die ochtend gebeurde.", None, "open_question"),
    ("Kunt u daar iets meer over vertellen?", None, "open_question"),
    ("Heeft u het rapport al gelezen?", None, "closed_question"),
    ("Hoe laat gaat hij naar bed?", None, "closed_question"),
    ("Klopt het dat ze vorige week ziek was?", None, "closed_question"),
    ("Waarom bent u niet naar de ouderavond gekomen?", None, "why_question"),
    ("Hoe komt het dat u niet op mijn mail reageerde?", None, "why_question"),
    ("U bent het toch met mij eens dat hij meer moet lezen?", None, "leading_question"),
    ("Vindt u ook niet dat ze te laat naar bed gaat?", None, "leading_question"),
    ("Het advies past goed bij hem, toch?", None, "leading_question"),
    (
        "Als ik u goed begrijp, heeft ze 's ochtends buikpijn en wil ze dan niet naar school.",
        "Ze wil 's ochtends niet naar school, ze heeft dan buikpijn.",
        "paraphrase",
    ),
    (
        "U ziet thuis een rustige jongen die graag tekent.",
        "Thuis is hij heel rustig, hij zit uren te tekenen.",
        "paraphrase",
    ),
    ("Het klinkt alsof u erg teleurgesteld bent.", None, "feeling_reflection"),
    ("Dat moet schrikken zijn geweest.", None, "feeling_reflection"),
    ("Ik merk dat dit u raakt.", None, "feeling_reflection"),
    ("Fijn dat u meteen contact met mij opnam.", None, "affirmation"),
    ("U kent uw kind het best.", None, "affirmation"),
    ("U moet gewoon strenger zijn met de telefoon.", None, "premature_advice"),
    ("Mijn advies is om hem elke avond een kwartier te laten lezen.", None, "premature_advice"),
    ("Maakt u zich geen zorgen, dat komt wel goed.", None, "dismissing"),
    ("Dat hebben alle kinderen in groep 5.", None, "dismissing"),
    ("Uit het LVS blijkt dat hij op 2F zit voor rekenen.", None, "jargon"),
    ("We gaan een OPP opstellen met de IB'er.", None, "jargon"),
    ("Wij hebben alles volgens protocol gedaan.", None, "defending"),
    ("Ik heb dat wel degelijk gemeld in Parro.", None, "defending"),
    ("Als u mij steeds onderbreekt, kan ik mijn verhaal niet afmaken.", None, "i_message"),
    ("Ik merk dat ik me ongemakkelijk voel als u zo hard praat.", None, "i_message"),
    ("U bent onredelijk.", None, "you_message"),
    ("U overdrijft.", None, "you_message"),
    ("U verheft uw stem en dat accepteer ik niet.", None, "name_limit"),
    ("Over andere kinderen kan ik niets zeggen.", None, "name_limit"),
    ("Als u blijft schreeuwen, beëindig ik het gesprek.", None, "consequence"),
    ("U kunt kiezen: we praten rustig verder, of we stoppen.", None, "consequence"),
    ("Ik begrijp dat u dat wilt, en het advies blijft vmbo-gt.", None, "holds_position"),
    ("Dat verandert niets aan ons besluit.", None, "holds_position"),
    ("Nou vooruit, dan maken we er havo van.", None, "caving"),
    ("Goed, ik app u elke dag hoe het gegaan is.", None, "caving"),
    ("Dan zien we elkaar bij de rechter.", None, "counter_attack"),
    ("Misschien moet u eerst zelf eens naar uzelf kijken.", None, "counter_attack"),
    ("We hebben twintig minuten, dus ik wil eerst de uitslag bespreken en daarna uw vragen.", None, "structuring"),
    ("Als u het niet eens bent met het advies, kunt u bij de directeur terecht.", None, "structuring"),
]


@pytest.mark.parametrize(("text", "parent", "code"), EXAMPLES, ids=[f"{c}:{t[:30]}" for t, _, c in EXAMPLES])
def test_each_code_is_recognised_in_a_typical_phrasing(text: str, parent: str | None, code: str) -> None:
    assert code in codes_of(recognise(text, parent))


@pytest.mark.parametrize(
    "text",
    [
        "Goedemiddag, komt u binnen.",
        "Daan heeft voor rekenen een C gehaald.",
        "Goed zo, prima.",
        "De directeur is vandaag ziek, dus juf Marieke vervangt haar.",
        "Volgende week gaan we met de klas op schoolreis.",
        "Ik begrijp het.",
    ],
)
def test_greetings_small_talk_and_plain_information_carry_no_code(text: str) -> None:
    assert recognise(text) == []


def test_a_turn_can_carry_several_acts_in_codebook_order() -> None:
    text = (
        "Fijn dat u er bent. We hebben een half uur; ik wil eerst horen hoe het thuis gaat. "
        "Hoe ervaart u het op dit moment?"
    )
    codes = codes_of(recognise(text))
    assert set(codes) == {"open_question", "affirmation", "structuring"}
    assert codes == [c for c in ALL_CODES if c in codes]


def test_at_most_one_act_per_code_even_when_a_code_occurs_twice() -> None:
    codes = codes_of(recognise("Slaapt ze goed? Eet ze goed? Gaat ze graag naar school?"))
    assert codes == ["closed_question"]


def test_two_kinds_of_question_in_one_sentence_are_both_coded() -> None:
    assert codes_of(recognise("Hoe gaat het thuis, slaapt hij goed?")) == ["open_question", "closed_question"]


@pytest.mark.parametrize(
    "text",
    [
        "Ik begrijp dat u boos bent, maar het advies blijft vmbo-kader.",
        "Uit het LVS blijkt dat zijn DLE laag is. Mijn advies is om thuis extra te oefenen.",
        "U schreeuwt, en zo wil ik niet met u praten. Als u daarmee doorgaat, stop ik het gesprek.",
        "Waarom heeft u niet gebeld? U moet gewoon even bellen als hij ziek is.",
    ],
)
def test_evidence_spans_point_into_the_teachers_own_words(text: str) -> None:
    acts = recognise(text)
    assert acts
    for act in acts:
        assert act.evidence.strip()
        if act.start >= 0:
            assert text[act.start : act.end] == act.evidence


def test_evidence_keeps_the_original_spelling_and_accents() -> None:
    text = "Als u blijft schreeuwen, BEËINDIG ik het gesprek."
    (act,) = [a for a in recognise(text) if a.code == "consequence"]
    assert "BEËINDIG" in act.evidence
    assert text[act.start : act.end] == act.evidence


def test_paraphrase_needs_a_parent_turn_before_it() -> None:
    text = "U zegt dus dat hij thuis zonder problemen rekent."
    assert "paraphrase" not in codes_of(recognise(text))
    assert "paraphrase" in codes_of(recognise(text, "Thuis rekent hij alles uit, dat gaat zonder problemen."))


def test_paraphrase_needs_overlap_with_what_the_parent_said() -> None:
    text = "U zegt dus dat hij thuis zonder problemen rekent."
    unrelated = "Mijn man en ik gaan in de zomer verhuizen naar Utrecht."
    assert "paraphrase" not in codes_of(recognise(text, unrelated))


def test_paraphrase_evidence_names_the_shared_words() -> None:
    (act,) = [
        a
        for a in recognise(
            "Dus thuis rekent hij zonder problemen.", "Met rekenen gaat het thuis prima, hij rekent alles uit."
        )
        if a.code == "paraphrase"
    ]
    assert "thuis" in act.evidence.lower()
    assert "rekent" in act.evidence.lower()


def test_without_parent_before_the_last_parent_turn_in_history_is_used() -> None:
    history = [
        ("teacher", "Hoe gaat het thuis?"),
        ("parent", "Slecht. Hij gooit met spullen als hij zijn zin niet krijgt."),
    ]
    text = "Thuis gooit hij dus met spullen als het niet gaat zoals hij wil."
    assert "paraphrase" in codes_of(recognise(text, None, history))


def test_a_summary_gathers_points_from_several_parent_turns_and_is_not_also_a_paraphrase() -> None:
    history = [
        ("parent", "Met lezen gaat het thuis eigenlijk best goed, hij leest strips."),
        ("teacher", "En rekenen?"),
        ("parent", "Rekenen vindt hij vreselijk, dan gaat hij huilen."),
    ]
    codes = codes_of(
        recognise("U ziet dus dat lezen thuis goed gaat, maar dat rekenen hem veel verdriet geeft.", None, history)
    )
    assert "summary" in codes
    assert "paraphrase" not in codes


def test_a_summary_with_a_check_is_also_a_closed_question() -> None:
    history = [
        ("parent", "Ze komt elke dag huilend thuis."),
        ("teacher", "Wat vertelt ze dan?"),
        ("parent", "Dat niemand met haar wil spelen in de pauze."),
    ]
    text = "Even samenvatten: ze komt verdrietig thuis en in de pauze speelt niemand met haar. Klopt dat?"
    assert codes_of(recognise(text, None, history)) == ["closed_question", "summary"]


def test_jargon_explained_in_the_same_turn_is_not_jargon() -> None:
    assert "jargon" in codes_of(recognise("De IB'er schuift de volgende keer aan."))
    explained = "De IB'er, dat is de collega die de extra zorg regelt, schuift de volgende keer aan."
    assert "jargon" not in codes_of(recognise(explained))


def test_the_doorstroomtoets_is_not_jargon_for_parents() -> None:
    assert recognise("Bij de doorstroomtoets scoorde ze boven verwachting.") == []


def test_empty_reassurance_is_dismissing_not_a_feeling_reflection() -> None:
    codes = codes_of(recognise("U hoeft niet ongerust te zijn, zo erg is het niet."))
    assert codes == ["dismissing"]


def test_a_feeling_of_the_child_or_the_teacher_is_no_reflection_of_the_parents_feeling() -> None:
    assert "feeling_reflection" not in codes_of(recognise("Ik ben zelf ook teleurgesteld over de uitslag."))
    assert "feeling_reflection" not in codes_of(recognise("Het klinkt alsof Daan verdrietig is."))


def test_a_judging_you_message_is_not_an_i_message() -> None:
    assert codes_of(recognise("Ik vind u onredelijk.")) == ["you_message"]


def test_a_counter_attack_is_not_also_counted_as_a_calm_consequence() -> None:
    assert codes_of(recognise("Als u zo doet, hoeft u hier niet meer te komen.")) == ["counter_attack"]


def test_a_legitimate_heroverweging_is_structuring_not_caving() -> None:
    text = "Na de doorstroomtoets kijken we opnieuw naar het advies; als de uitslag hoger is, gaan we het heroverwegen."
    assert codes_of(recognise(text)) == ["structuring"]


def test_a_proposal_is_structuring_and_a_yes_no_question() -> None:
    assert codes_of(recognise("Zullen we over twee weken opnieuw afspreken?")) == ["closed_question", "structuring"]


def test_typing_without_accents_capitals_or_question_mark_still_works() -> None:
    assert "consequence" in codes_of(recognise("als u blijft schreeuwen beeindig ik het gesprek"))
    assert "open_question" in codes_of(recognise("hoe kijkt u daar zelf tegenaan"))


def test_codes_of_keeps_the_order() -> None:
    acts = [Act("open_question", "Hoe?"), Act("structuring", "twintig minuten")]
    assert codes_of(acts) == ["open_question", "structuring"]


def test_every_pattern_in_the_rule_file_compiles() -> None:
    rules = load_rules()
    assert set(rules.code_rules) <= set(ALL_CODES)


def test_the_recogniser_imports_no_ui_model_or_simulator_code() -> None:
    code = (
        "import sys, feedback.acts, feedback.acts_jsonl, feedback.evaluate\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'torch', 'transformers', 'simulator')]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
