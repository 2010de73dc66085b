"""Novice phrasings the recogniser must catch, and look-alikes it must leave alone (issue 11).

The examples are our own, written per kind of failure (never copied from a blind set): short
turns, informal "je", missing question marks, limits worded as what the teacher can do.
"""

from __future__ import annotations

import pytest

from feedback.acts import codes_of, recognise

# (teacher text, the parent's turn before it or None, a code that must be found)
MUST: list[tuple[str, str | None, str]] = [
    # paraphrase: second-person restatements checked against what the parent said
    ("U hoort thuis dus weinig over school.", "Hij vertelt thuis nooit iets over school.", "paraphrase"),
    ("Ik hoor je zeggen dat je Noor thuis heel anders meemaakt.", "Thuis is Noor echt een ander meisje.", "paraphrase"),
    (
        "Begrijp ik goed dat ze sinds de kerst slecht slaapt?",
        "Sinds de kerstvakantie slaapt ze heel onrustig.",
        "paraphrase",
    ),
    (
        "Dus jullie merken thuis dat hij snel boos wordt.",
        "Hij wordt thuis om het minste of geringste kwaad.",
        "paraphrase",
    ),
    ("Klopt het dat u de brief niet heeft gekregen?", "Ik heb nooit een brief ontvangen over die toets.", "paraphrase"),
    (
        "Als ik je goed begrijp wil je dat hij een andere plek in de klas krijgt",
        "Hij moet echt ergens anders zitten, niet naast Tim.",
        "paraphrase",
    ),
    (
        "U zegt eigenlijk: het huiswerk kost elke avond ruzie.",
        "Elke avond is het weer ruzie over dat huiswerk.",
        "paraphrase",
    ),
    # counter-attack: blame, insults, sarcasm, generalising about the parent
    ("Dat is uw probleem, niet het mijne.", None, "counter_attack"),
    ("Dat is je eigen schuld.", None, "counter_attack"),
    ("Met dit soort ouders valt niet te praten.", None, "counter_attack"),
    ("Met u valt gewoon niet te praten.", None, "counter_attack"),
    ("Bemoei je met je eigen zaken.", None, "counter_attack"),
    ("Houdt u nou eens uw mond.", None, "counter_attack"),
    ("Goh, fijn dat u ook eens de moeite neemt om te komen.", None, "counter_attack"),
    ("Het ligt gewoon aan u.", None, "counter_attack"),
    ("Ouders zoals u maken het ons onmogelijk.", None, "counter_attack"),
    ("Wat voor ouder bent u eigenlijk?", None, "counter_attack"),
    ("Schaam je!", None, "counter_attack"),
    ("Kom eerst maar eens een dag voor de klas staan.", None, "counter_attack"),
    # you-message: judging the parent as a person
    ("Met u is het altijd wat.", None, "you_message"),
    ("U maakt het alleen maar erger.", None, "you_message"),
    ("U bent zo ongeduldig.", None, "you_message"),
    ("je wil gewoon altijd je zin hebben", None, "you_message"),
    ("Doe eens normaal.", None, "you_message"),
    ("U kunt ook nooit eens tevreden zijn.", None, "you_message"),
    ("Wat bent u toch een lastige moeder.", None, "you_message"),
    ("U zoekt altijd ruzie.", None, "you_message"),
    # name_limit: what the teacher can and cannot do, with an alternative
    ("Elke dag een bericht sturen kan ik niet waarmaken; wel bel ik u elke vrijdag.", None, "name_limit"),
    ("Dat kan ik niet beloven, wat ik wel kan doen is hem vrijdag extra uitleg geven.", None, "name_limit"),
    ("Ik kan niet elke dag mailen. Wel stuur ik u iedere week een kort bericht.", None, "name_limit"),
    ("Ik ben niet 's avonds bereikbaar, u kunt me overdag mailen.", None, "name_limit"),
    ("U mag hier niet filmen, wilt u de telefoon wegleggen?", None, "name_limit"),
    ("Stop met schreeuwen alsjeblieft.", None, "name_limit"),
    ("Laat me even uitpraten.", None, "name_limit"),
    ("U mag boos zijn, maar niet schelden.", None, "name_limit"),
    ("Mijn telefoonnummer geef ik niet, u kunt via Parro berichten sturen.", None, "name_limit"),
    ("Jullie thuis zijn het probleem.", None, "counter_attack"),
    ("U bent zelf ook niet bepaald een voorbeeld.", None, "counter_attack"),
    ("U doet zo negatief.", None, "you_message"),
    ("Ik begrijp het, en toch blijft het vmbo-kader.", None, "holds_position"),
    ("Mijn tip: minder schermtijd.", None, "premature_advice"),
    ("heeft ze het naar haar zin", None, "closed_question"),
    ("En toen?", None, "open_question"),
    # a limit with an alternative also names the next step
    ("Elke dag een bericht sturen kan ik niet waarmaken; wel bel ik u elke vrijdag.", None, "structuring"),
    # dismissing, in novice words
    ("Joh, niks aan de hand hoor.", None, "dismissing"),
    ("Dat gaat vanzelf wel over.", None, "dismissing"),
    ("ach zo erg is het niet", None, "dismissing"),
]

# (teacher text, parent's turn or None, a code that must NOT be found)
MUST_NOT: list[tuple[str, str | None, str]] = [
    ("Ik wil u graag vertellen waarom ik u wilde spreken.", None, "why_question"),
    ("Ik leg even uit waarom we dit doen.", None, "why_question"),
    ("Hoe komt dat bij je binnen?", None, "why_question"),
    ("Hoe komt dit bij u over?", None, "why_question"),
    ("Kom binnen, gaat u zitten.", None, "premature_advice"),
    ("Kom verder, neem plaats.", None, "premature_advice"),
    ("U bent nu wel erg emotioneel.", None, "feeling_reflection"),
    ("Dat is echt niet acceptabel.", "Mijn dochter wordt al weken gepest!", "name_limit"),
    ("Lekker weertje vandaag, toch?", None, "leading_question"),
    ("Druk op de weg vanochtend, hè?", None, "leading_question"),
    ("Goedemorgen! Kon u het een beetje vinden?", None, "why_question"),
    # a limit with an alternative is not giving in, and not defending
    ("Elke dag een bericht sturen kan ik niet waarmaken; wel bel ik u elke vrijdag.", None, "caving"),
    ("Elke dag een bericht sturen kan ik niet waarmaken; wel bel ik u elke vrijdag.", None, "defending"),
    ("Dat kan ik niet beloven, wat ik wel kan doen is hem vrijdag extra uitleg geven.", None, "caving"),
    # praise and plain information that look like an attack, a limit or reassurance
    ("Ga maar lekker zitten.", None, "counter_attack"),
    ("Het probleem ligt bij zijn concentratie.", None, "counter_attack"),
    ("Dat is uw keuze, u mag erover nadenken.", None, "counter_attack"),
    ("Ouders zoals u helpen ons enorm door zo betrokken te zijn.", None, "counter_attack"),
    ("Hij redt zich prima met lezen.", None, "dismissing"),
    ("Ik heb nu geen tijd meer voor de toets van vandaag, die doen we morgen.", None, "name_limit"),
    ("Over rekenen kan ik u niets nieuws vertellen, dat gaat prima.", None, "name_limit"),
    # a restatement of something the parent never said is not a paraphrase
    ("U vindt het rapport dus goed.", "Kunnen we het over de gymles hebben?", "paraphrase"),
]


@pytest.mark.parametrize(("text", "parent", "code"), MUST, ids=[f"{c}:{t[:40]}" for t, _, c in MUST])
def test_novice_phrasing_is_recognised(text: str, parent: str | None, code: str) -> None:
    assert code in codes_of(recognise(text, parent))


@pytest.mark.parametrize(("text", "parent", "code"), MUST_NOT, ids=[f"not-{c}:{t[:40]}" for t, _, c in MUST_NOT])
def test_look_alike_is_not_coded(text: str, parent: str | None, code: str) -> None:
    assert code not in codes_of(recognise(text, parent))


@pytest.mark.parametrize(
    "text",
    [
        "Goedemorgen, kom binnen.",
        "Lekker weertje vandaag, toch?",
        "Hoi! Was het druk op de weg?",
        "Dag meneer, gaat u zitten. Wilt u koffie of thee?",
        "Tot volgende week!",
    ],
)
def test_greetings_and_small_talk_carry_no_act(text: str) -> None:
    assert codes_of(recognise(text)) == []


class _FakeEmbedder:
    """A local stand-in for the sentence embedder: every text gets the same vector (similarity 1)."""

    name = "fake"

    def __init__(self, semantic: bool = True, fail: bool = False) -> None:
        self.semantic = semantic
        self.fail = fail

    def embed(self, texts: list[str], *, query: bool) -> list[list[float]]:
        if self.fail:
            raise RuntimeError("model weg")
        return [[1.0, 0.0] for _ in texts]


def test_a_semantic_embedder_finds_a_paraphrase_that_shares_no_words() -> None:
    parent = "Ik weet niet of hij het aankan op de middelbare."
    text = "U ervaart de overstap als een grote sprong."
    assert "paraphrase" not in codes_of(recognise(text, parent))
    assert "paraphrase" in codes_of(recognise(text, parent, embedder=_FakeEmbedder()))
    # a keyword-only embedder (semantic=False) or a broken one changes nothing
    assert "paraphrase" not in codes_of(recognise(text, parent, embedder=_FakeEmbedder(semantic=False)))
    assert "paraphrase" not in codes_of(recognise(text, parent, embedder=_FakeEmbedder(fail=True)))


def test_a_paraphrase_may_reach_back_to_the_parent_turn_before_the_last() -> None:
    history = [
        ("parent", "Sinds de verhuizing slaapt hij slecht."),
        ("teacher", "Vertel eens."),
        ("parent", "Ja, het is gewoon lastig."),
    ]
    assert "paraphrase" in codes_of(recognise("U merkt dus dat hij sinds de verhuizing slecht slaapt.", None, history))


def test_only_the_recent_history_matters_so_a_long_transcript_stays_linear() -> None:
    recent = [("parent", "Hij wordt thuis snel boos."), ("teacher", "Wanneer dan?"), ("parent", "Vooral bij huiswerk.")]
    old = [turn for i in range(500) for turn in (("parent", f"Iets anders, punt {i}."), ("teacher", "Oké."))]
    text = "Als ik u goed begrijp, wordt hij vooral bij het huiswerk boos."
    assert recognise(text, None, old + recent) == recognise(text, None, recent)


def test_a_model_answer_that_plans_the_rest_is_structuring() -> None:
    text = "Dan doen we nu de twee belangrijkste dingen. De rest bespreken we telefonisch. Past donderdag na vijven?"
    assert "structuring" in codes_of(recognise(text))
