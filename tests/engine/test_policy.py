"""Move first, agenda second: the parent answers what the teacher just did, for every persona and scenario.

These are the failures trainers noticed most (issue 10): unanswered questions, ignored goodbyes,
walkouts after small talk, insults that move nothing, formulas that keep working.
"""

from __future__ import annotations

import re
from itertools import product

import pytest

from simulator.content.loader import load_library
from simulator.engine.lines import fill
from simulator.engine.session import Session
from simulator.engine.understanding import GuessedMove

LIB = load_library()
PAIRS = list(product(sorted(LIB.scenarios), sorted(LIB.personas)))
pytestmark = pytest.mark.usefixtures("keyword_embedder")

NEWS = {
    "schooladvies-vmbo-gt": "Het voorlopig schooladvies voor Lotte is vmbo-gt.",
    "zorggesprek-dyslexie": "We willen Luuk graag aanmelden voor een dyslexieonderzoek.",
}

# Friendly, clumsy, not provoking: small talk, closed questions, a long-winded start.
HARMLESS = [
    "Hallo, kom binnen! Kon u het makkelijk vinden?",
    "Wilt u koffie of thee?",
    "Lekker weer vandaag, hè?",
    "Nou, fijn dat u er bent. Gaat het goed met u?",
]

GOODBYES = ["Bedankt voor het gesprek, fijne avond nog!", "Dank u wel en tot ziens."]


def start(scenario_id: str, persona_id: str, seed: int = 0, difficulty: str = "normaal") -> Session:
    session = Session(LIB.scenarios[scenario_id], LIB.personas[persona_id], seed=seed, difficulty=difficulty)
    session.say(session.open())
    return session


def talk(session: Session, line: str) -> str:
    plan = session.teacher_says(line)
    assert plan is not None
    return session.say(plan)


@pytest.mark.parametrize(("scenario_id", "persona_id"), PAIRS)
@pytest.mark.parametrize("difficulty", ["normaal", "moeilijk"])
def test_no_walkout_in_the_first_four_turns_without_provocation(
    scenario_id: str, persona_id: str, difficulty: str
) -> None:
    session = start(scenario_id, persona_id, difficulty=difficulty)
    for line in HARMLESS:
        talk(session, line)
    assert not session.ended, session.transcript.pairs()
    assert all(t.intent not in {"leave_angry", "test_boundary"} for t in session.transcript.turns)


@pytest.mark.parametrize(("scenario_id", "persona_id"), PAIRS)
def test_a_goodbye_gets_a_closing_and_ends_the_conversation(scenario_id: str, persona_id: str) -> None:
    for n, goodbye in enumerate(GOODBYES):
        session = start(scenario_id, persona_id, seed=n)
        talk(session, "Goedemiddag, fijn dat u er bent.")
        talk(session, NEWS.get(scenario_id, "Hoe gaat het thuis?"))
        plan = session.teacher_says(goodbye)
        assert plan is not None
        assert plan.intent == "closing" and plan.decision.lead is None, goodbye
        session.say(plan)
        assert session.ended and session.outcome != "escalation"
        assert session.teacher_says("En nog één ding.") is None


def hear(monkeypatch: pytest.MonkeyPatch, *moves: GuessedMove) -> None:
    """Let the next teacher turns be understood as exactly these moves (the policy, not the router, under test)."""
    monkeypatch.setattr("simulator.engine.session.moves_for", lambda *_: list(moves))


@pytest.mark.parametrize(("scenario_id", "persona_id"), PAIRS)
def test_a_goodbye_move_closes_whatever_the_state(
    scenario_id: str, persona_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = start(scenario_id, persona_id, difficulty="moeilijk")
    for line in ["U bent gewoon een slechte ouder.", "Hou toch je mond."]:
        if not session.ended:
            talk(session, line)
    if session.ended:  # the parent already left: nothing to close
        return
    session.state.boundary_active = session.persona.boundary_behaviours[0].kind
    hear(monkeypatch, GuessedMove("thanks"), GuessedMove("goodbye"))
    plan = session.teacher_says("Tot ziens.")
    assert plan is not None and plan.intent == "closing" and plan.decision.lead is None
    session.say(plan)
    assert session.ended


@pytest.mark.parametrize(("scenario_id", "persona_id"), PAIRS)
def test_every_answer_topic_gets_its_own_answer(
    scenario_id: str, persona_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario, persona = LIB.scenarios[scenario_id], LIB.personas[persona_id]
    topics = [a for a in (*scenario.answers, *persona.answers) if not a.roles or persona.role in a.roles]
    for topic in topics:
        session = start(scenario_id, persona_id, seed=3)
        if scenario_id in NEWS:
            talk(session, NEWS[scenario_id])
        move = GuessedMove("question", f"life:{topic.life}" if topic.life else f"answer:{topic.id}")
        hear(monkeypatch, move)
        plan = session.teacher_says("Mag ik u iets vragen?")
        assert plan is not None
        first = plan.decision.lead or plan.decision
        assert first.intent == "answer" and first.answer is not None and first.answer.id == topic.id
        said = session.say(plan)
        assert any(said.startswith(fill(x, session.slots)) for x in topic.lines.all_lines()), (topic.id, said)


@pytest.mark.parametrize("persona_id", sorted(LIB.personas))
@pytest.mark.parametrize("insult", ["U bent gewoon een slechte ouder.", "Hou toch je mond.", "Wat bent u een zeur."])
def test_an_insult_raises_tension_by_at_least_eight(persona_id: str, insult: str) -> None:
    session = start("schooladvies-vmbo-gt", persona_id)
    talk(session, NEWS["schooladvies-vmbo-gt"])
    before = session.state.tension
    plan = session.teacher_says(insult)
    assert plan is not None
    assert session.state.tension - before >= 8, [c.source for c in plan.causes]
    first = plan.decision.lead or plan.decision
    assert first.intent in {"defend", "threaten_leave", "leave_angry"}


def model_words(good_response: str) -> str:
    """The teacher's own words in a `good_response`: the quoted part after the advice, if there is one."""
    text = " ".join(good_response.split())
    quoted = re.search(r":\s*[\"'](.+)[\"']\s*$", text)
    return quoted.group(1) if quoted else text


@pytest.mark.parametrize(("scenario_id", "persona_id"), PAIRS)
def test_each_model_answer_to_a_boundary_moment_does_not_escalate(scenario_id: str, persona_id: str) -> None:
    """The scenario's own `good_response` for each boundary moment is a regression test."""
    scenario = LIB.scenarios[scenario_id]
    for moment in scenario.boundary_moments:
        session = start(scenario_id, persona_id)
        if scenario_id in NEWS:
            talk(session, NEWS[scenario_id])
        session.state.tension = 72.0
        session.state.boundary_active = moment.kind
        plan = session.teacher_says(model_words(moment.good_response))
        assert plan is not None
        assert session.state.tension < 72.0, (moment.id, [c.source for c in plan.causes])
        said = {plan.intent, plan.decision.lead.intent if plan.decision.lead else None}
        assert not said & {"leave_angry", "threaten_leave", "test_boundary", "defend"}, (moment.id, said)
        assert not session.ended


@pytest.mark.parametrize("persona_id", sorted(LIB.personas))
def test_a_formula_wears_off_and_then_irritates(persona_id: str) -> None:
    session = start("schooladvies-vmbo-gt", persona_id)
    talk(session, NEWS["schooladvies-vmbo-gt"])
    tensions = []
    for _ in range(10):
        talk(session, "Ik begrijp dat u boos bent.")
        tensions.append(session.state.tension)
    assert tensions[-1] >= min(tensions[:3]), tensions  # it stops working after a few times
    assert tensions[-1] > tensions[3], tensions  # and then it irritates
    assert all(status != "raised" for cid, status in session.state.concerns.items() if cid == "stempel-dom")
    assert "reveal_concern" not in {t.intent for t in session.transcript.turns}
    assert "repeat_noticed" in {t.intent for t in session.transcript.turns}


HOME_QUESTIONS = {
    "schooladvies-vmbo-gt": ("Leest Lotte thuis weleens een boek?", "thuis-lezen"),
    "zorggesprek-dyslexie": ("Leest Luuk thuis weleens een boek?", "thuis-lezen"),
    "huiswerk-gemiste-afspraken": ("Lukt het huiswerk thuis een beetje?", "huiswerk-thuis"),
    "pesten-incident": ("Wat zegt Sara er zelf over?", "wat-zegt-kind-zelf"),
    "startgesprek-groep5": ("Waar is Milan thuis goed in?", "sterke-kanten"),
}


@pytest.mark.parametrize(("scenario_id", "persona_id"), PAIRS)
def test_a_direct_question_about_the_child_gets_an_answer_from_that_topic(scenario_id: str, persona_id: str) -> None:
    question, topic = HOME_QUESTIONS[scenario_id]
    session = start(scenario_id, persona_id)
    if scenario_id in NEWS:
        talk(session, NEWS[scenario_id])
    plan = session.teacher_says(question)
    assert plan is not None
    first = plan.decision.lead or plan.decision
    assert first.intent == "answer" and first.answer is not None and first.answer.id == topic
    said = session.say(plan)
    lines = {fill(x, session.slots) for x in first.answer.lines.all_lines()}
    assert any(said.startswith(line) for line in lines), said


LIFE_QUESTIONS = {
    "work": "Wat voor werk doet u eigenlijk?",
    "own_school": "Hoe was het vroeger voor u, uw eigen schooltijd?",
    "language": "Welke taal spreekt u thuis?",
}


@pytest.mark.parametrize("persona_id", sorted(LIB.personas))
@pytest.mark.parametrize("life", sorted(LIFE_QUESTIONS))
def test_a_question_about_the_parents_own_life_gets_an_answer_about_it(persona_id: str, life: str) -> None:
    session = start("startgesprek-groep5", persona_id)
    plan = session.teacher_says(LIFE_QUESTIONS[life])
    assert plan is not None
    first = plan.decision.lead or plan.decision
    assert first.intent == "answer" and first.answer is not None and first.answer.life == life


@pytest.mark.parametrize("persona_id", sorted(LIB.personas))
def test_gibberish_and_english_get_a_repair(persona_id: str) -> None:
    session = start("startgesprek-groep5", persona_id)
    for line in ["asdf qwerty zxcv", "Can you tell me more about your son, please?"]:
        plan = session.teacher_says(line)
        assert plan is not None and plan.intent == "repair", line
        session.say(plan)


@pytest.mark.parametrize(("scenario_id", "persona_id"), PAIRS)
def test_bad_news_is_never_answered_with_a_boundary_test(scenario_id: str, persona_id: str) -> None:
    session = start(scenario_id, persona_id, difficulty="moeilijk")
    plan = session.teacher_says(NEWS.get(scenario_id, "Ik wil het met u hebben over een zorg die ik heb."))
    assert plan is not None
    assert plan.intent != "test_boundary"


@pytest.mark.parametrize("persona_id", sorted(LIB.personas))
def test_an_accepted_next_step_does_not_end_the_conversation(persona_id: str) -> None:
    session = start("startgesprek-groep5", persona_id, difficulty="makkelijk")
    for line in [
        "Goedemiddag, fijn dat jullie er zijn.",
        "Wat gaat er goed bij Milan, thuis?",
        "U wilt dat Milan dit jaar weer met plezier naar school gaat, hoor ik.",
        "Wat heeft Milan nodig om hier rustig te beginnen?",
        "Zullen we afspreken dat ik u over vier weken bel, voor de herfstvakantie, om te horen hoe het gaat?",
    ]:
        talk(session, line)
    assert not session.ended
    talk(session, "Dank u wel voor het gesprek, tot over vier weken!")
    assert session.ended
    if session.state.agreements:
        assert session.outcome == "agreement"


def test_small_talk_is_neutral_for_the_state() -> None:
    for persona_id in sorted(LIB.personas):
        session = start("startgesprek-groep5", persona_id)
        before = (session.state.tension, session.state.trust)
        talk(session, "Kon u het makkelijk vinden?")
        talk(session, "Wilt u koffie?")
        assert session.state.tension <= before[0] and session.state.trust >= before[1]


@pytest.mark.parametrize("persona_id", sorted(LIB.personas))
def test_a_question_to_the_child_is_left_to_the_child(persona_id: str) -> None:
    """In a talk the child attends, 'Milan, ...?' is not a question to the parent."""
    scenario = next(s for s in LIB.scenarios.values() if s.with_child)
    session = start(scenario.id, persona_id)
    name = scenario.dossier.child.name
    plan = session.teacher_says(f"{name}, wat vind jij het leukste op school?")
    assert plan is not None and plan.intent == "child_prompt"
    assert name in session.say(plan)
