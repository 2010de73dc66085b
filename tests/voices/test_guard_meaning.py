"""The meaning check: lines that break the illusion are rejected with a reason; recorded Gemma lines replayed.

The labelled set is tests/data/guard_set.jsonl (built by tests/voices/guard_set_build.py); the figures
in models/README.md come from its test half. Here the set is replayed through the guard and must stay
within the targets: accepted lines fine >= 97 %, good lines accepted >= 80 %.
"""

from __future__ import annotations

import dataclasses

import pytest

from simulator.voices.guard import check_line, words
from simulator.voices.guard_lexicon import made_up_words
from simulator.voices.guard_meaning import meaning_words, rule_reason, wrong_child
from tests.voices.guard_set_tools import GUARD_SET, features, precision_recall, read_jsonl, split, verdicts

R = meaning_words().reasons


@pytest.fixture
def lotte(make_request):  # type: ignore[no-untyped-def]
    """The audit's case: the pleitbezorger Jeroen about his daughter Lotte, after the bad news."""
    request = make_request()
    return dataclasses.replace(request, intent="challenge_basis")


def test_the_audit_lines_are_rejected(lotte) -> None:  # type: ignore[no-untyped-def]
    child = lotte.scenario.dossier.child.name
    first = lotte.persona.name.split()[0]
    assert lotte.scenario.dossier.child.gender == "meisje"
    cases = {
        f"Het gaat er wel goed mee. Ik ben zeer tevreden over dit gesprek. Bedankt voor het gesprek met {child}!": R[
            "stance"
        ],
        f"Ik weet zeker dat {child} er goed mee om kan gaan. Wat wil u van hem zeggen?": R["child"],
        f"Ik ben blij dat {first} met {child} om tafel ging en hij is een echte harde werker.": R["own_name"],
        "'dat is goed om het te doen.'": R["quoted"],
    }
    for line, reason in cases.items():
        assert rule_reason(line, lotte) == reason, line


def test_an_echo_of_the_teacher_is_rejected(lotte) -> None:  # type: ignore[no-untyped-def]
    assert check_line(lotte.teacher_text, lotte) is not None


def test_invented_facts_are_rejected(lotte) -> None:  # type: ignore[no-untyped-def]
    base = "Ik snap niet waarom het advies zo laag is."
    assert rule_reason(base, lotte) is None
    for extra in (" Vorig jaar had ze nog een 9,5 voor rekenen.", " Op 14 maart zei meester Bram iets anders."):
        assert rule_reason(base + extra, lotte) == R["invented"], extra


def test_a_number_from_the_file_said_about_something_else_is_invented(lotte) -> None:  # type: ignore[no-untyped-def]
    """'8' is in Lotte's file as 'groep 8', never as a mark: 'een 8 voor spelling' is made up."""
    assert rule_reason("Ze zit nu in groep 8, en dat gaat prima.", lotte) is None
    assert rule_reason("Ze had vorig jaar nog een 8 voor spelling.", lotte) == R["invented"]


def test_a_pronoun_for_someone_named_later_is_still_the_child(lotte) -> None:  # type: ignore[no-untyped-def]
    """Lotte is a girl: 'hij' may be her grandfather once he is named, not before."""
    assert rule_reason("Mijn vader is ziek. Hij vraagt elke dag naar Lotte.", lotte) is None
    assert rule_reason("Hij heeft het moeilijk, en mijn vader is ook nog ziek.", lotte) == R["child"]


def test_they_and_hair_are_not_the_wrong_child(make_request) -> None:  # type: ignore[no-untyped-def]
    """Luuk is a boy: 'zij hebben' is 'they', 'zijn haar' is his hair; 'zij leest' is still the wrong child."""
    luuk = make_request(scenario="zorggesprek-dyslexie", persona="agnieszka-anxious")
    assert luuk.scenario.dossier.child.gender == "jongen"
    assert not wrong_child("Zij hebben ons nooit iets verteld over dyslexie.", luuk)
    assert not wrong_child("Luuk laat zijn haar nooit knippen, dat is al een strijd.", luuk)
    assert wrong_child("Zij leest thuis nooit een boek.", luuk)


def test_interjections_and_names_in_any_script_are_not_invented(lotte) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("wordfreq", reason="wordfreq (the lm extra) is not installed")
    for line in ("Goh, dat wist ik niet.", "Huh? Dat snap ik niet."):
        assert rule_reason(line, lotte) is None, line
    # A child called Şeyma (in the case file: folded "seyma"); Łukasz mid-sentence is a name.
    assert made_up_words("Şeyma en Łukasz werken heel hard.", frozenset({"seyma"})) == []


def test_a_new_demand_while_accepting_is_rejected(lotte) -> None:  # type: ignore[no-untyped-def]
    accepting = dataclasses.replace(lotte, intent="accept_next_step")
    assert rule_reason("Goed, maar anders ga ik naar de directeur.", accepting) == R["demand"]
    assert rule_reason("Dat is een mening. Ik wil de cijfers zien.", accepting) == R["demand"]
    assert rule_reason("Goed, maar ik eis dat het deze week gebeurt.", accepting) == R["demand"]
    # Agreeing with a condition is how a pleitbezorger accepts.
    assert rule_reason("Goed, maar dan wil ik het wel zwart op wit.", accepting) is None


def test_denying_the_worry_is_the_wrong_stance(lotte) -> None:  # type: ignore[no-untyped-def]
    worried = dataclasses.replace(lotte, intent="express_worry")
    assert rule_reason("Ach, ik maak me eigenlijk geen zorgen, het komt wel goed.", worried) == R["stance"]
    assert rule_reason("Het maakt mij eigenlijk niet zoveel uit welk advies het wordt.", worried) == R["stance"]
    assert rule_reason("Je zegt dat ik me geen zorgen hoef te maken, maar ik lig er wakker van.", worried) is None


def test_stage_directions_and_lines_about_the_line_are_rejected(lotte) -> None:  # type: ignore[no-untyped-def]
    for line in (
        "[zucht diep] Ik snap niet waarom het advies zo laag is.",
        "Als vader zou ik nu zeggen: ik snap niet waarom het advies zo laag is.",
    ):
        assert check_line(line, lotte) == words().reasons["narration"], line


def test_a_made_up_word_is_rejected_and_compounds_pass(lotte) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("wordfreq", reason="wordfreq (the lm extra) is not installed")
    assert rule_reason("Ze slaart heel lang, en daar maak ik me zorgen over.", lotte) == R["made_up"]
    assert rule_reason("Ik zag het gisteren in de klassenapp, en toen schrok ik.", lotte) is None
    assert rule_reason("Ze wil gewoon naar de brugklas met haar vriendinnen.", lotte) is None


def test_without_wordfreq_the_made_up_word_check_is_off(lotte, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from simulator.voices import guard_lexicon

    monkeypatch.setattr(guard_lexicon, "frequencies", lambda: None)
    assert not guard_lexicon.available()
    assert rule_reason("Ze slaart heel lang, en daar maak ik me zorgen over.", lotte) is None


def test_the_chosen_line_itself_passes(make_request) -> None:  # type: ignore[no-untyped-def]
    request = make_request()
    assert check_line(request.scripted_line, request) is None


@pytest.fixture(scope="module")
def replay() -> list[dict]:  # type: ignore[type-arg]
    """The test half of the guard set and every recorded Gemma line, through the guard (about a minute)."""
    if not GUARD_SET.exists():
        pytest.skip("tests/data/guard_set.jsonl is absent")
    records = read_jsonl(GUARD_SET)
    _, test = split(records)
    return features([r for r in records if r in test or r["kind"] == "gemma"])


def test_the_guard_set_is_large_and_mixed() -> None:
    records = read_jsonl(GUARD_SET)
    kinds = {r["kind"] for r in records}
    assert len(records) >= 300
    assert {"gemma", "curated_right", "curated_wrong", "third_person", "wrong_gender", "english"} <= kinds


def test_recorded_gemma_lines_replayed_through_the_guard(replay) -> None:  # type: ignore[no-untyped-def]
    """Every recorded Gemma line is wrong for its context; the guard lets through at most 1 in 10.

    The old guard accepted 6 of 6 in the audit; models/README.md lists the ones still accepted.
    """
    gemma = [f for f in replay if f["record"]["kind"] == "gemma"]
    assert len(gemma) >= 20
    accepted = [f["record"]["candidate"] for f, (acc, _) in zip(gemma, verdicts(gemma), strict=True) if acc]
    assert len(accepted) <= len(gemma) // 10, accepted


def test_precision_and_recall_on_the_test_half(replay) -> None:  # type: ignore[no-untyped-def]
    """Measured: precision 0.991, recall 0.815 (targets 0.97 / 0.80; models/README.md).

    The floors are the targets, so a change that loses either shows up.
    """
    records = [f["record"] for f in replay]
    _, test = split(records)
    ids = {r["id"] for r in test}
    precision, recall, _, _ = precision_recall(verdicts([f for f in replay if f["record"]["id"] in ids]))
    assert precision >= 0.97 and recall >= 0.80, (precision, recall)


@pytest.fixture(scope="module")
def blind() -> list[dict]:  # type: ignore[type-arg]
    """The blind set (tests/data/guard_fresh): written and labelled by helpers who never saw the guard."""
    from tests.voices.guard_fresh import records

    return features(records())


def test_the_blind_set_replayed(blind) -> None:  # type: ignore[no-untyped-def]
    """Measured on the held-out part (written after the rules were final): see models/README.md.

    Fluent lines of real words that mean nothing, or talk about something else, still pass the
    guard line by line; the track record (trust.py) is what keeps a weak model's lines away.
    """
    by_part: dict[str, list[dict]] = {}  # type: ignore[type-arg]
    for f in blind:
        by_part.setdefault(f["record"]["part"], []).append(f)
    # (precision, recall) floors a little under the measured figures, so a change that loses either shows up.
    floors = {"written": (0.76, 0.84), "heldout": (0.75, 0.60), "final": (0.75, 0.74)}
    for part, (least_precision, least_recall) in floors.items():
        precision, recall, _, _ = precision_recall(verdicts(by_part[part]))
        assert precision >= least_precision and recall >= least_recall, (part, precision, recall)
    gemma = by_part["gemma"]
    accepted = sum(acc for acc, _ in verdicts(gemma))
    assert len(gemma) >= 80 and accepted <= len(gemma) // 10, accepted
