"""The parent reacts to *how* the teacher talks: the dynamics a trainee must feel.

Good and poor teacher scripts per scenario live in tests/data/scripts/. The good
teacher also answers a boundary test when the parent crosses a line (a fixed
script cannot know when that happens), as a real teacher would.
"""

from __future__ import annotations

from itertools import product

import pytest

from simulator.content.loader import load_library
from simulator.engine.session import Session, SimulatedClock
from simulator.records.transcript import Transcript
from tests.conftest import DATA

pytestmark = pytest.mark.usefixtures("keyword_embedder")

LIB = load_library()
SCRIPTS = DATA / "scripts"

LIMITS = {
    "demand": "Ik hoor dat u vaker contact wilt. Ik ga u geen dagelijks contact beloven, dat is mijn grens.",
    "raise_voice": "U verheft uw stem en dan kan ik niet goed naar u luisteren. Ik wil graag rustig verder praten.",
    "threaten_complaint": "U dreigt met een klacht; zo wil ik niet met u praten. Ik wil graag rustig met u verder.",
    "personal_attack": "Als u mij persoonlijk aanvalt, kan ik niet goed luisteren. Ik wil graag rustig verder praten.",
    "cut_short": "Als u steeds wilt stoppen, kan ik mijn verhaal niet afmaken. Ik wil graag nog vijf minuten praten.",
}


def script(scenario_id: str, kind: str) -> list[str]:
    return [line for line in (SCRIPTS / f"{scenario_id}.{kind}.txt").read_text(encoding="utf-8").splitlines() if line]


def converse(
    scenario_id: str, persona_id: str, lines: list[str], seed: int = 0, answer_limits: bool = False
) -> Session:
    session = Session(LIB.scenarios[scenario_id], LIB.personas[persona_id], seed=seed)
    session.say(session.open())
    queue = list(lines)
    while queue and not session.ended:
        plan = session.teacher_says(queue.pop(0))
        if plan is None:
            break
        session.say(plan)
        if answer_limits and plan.intent == "test_boundary" and plan.request.boundary_kind and not session.ended:
            queue.insert(0, LIMITS[plan.request.boundary_kind])
    if not session.ended:
        session.end(by_teacher=False)
    return session


def parent_states(t: Transcript) -> list[tuple[int, int]]:
    return [(x.state.tension, x.state.trust) for x in t.turns if x.speaker == "parent" and x.state]


PAIRS = list(product(sorted(LIB.scenarios), sorted(LIB.personas)))


@pytest.mark.parametrize(("scenario_id", "persona_id"), PAIRS)
def test_good_conversation_calms_builds_trust_and_agrees(scenario_id: str, persona_id: str) -> None:
    session = converse(scenario_id, persona_id, script(scenario_id, "good"), answer_limits=True)
    start = LIB.personas[persona_id].start
    final = session.transcript.final_state
    assert final is not None
    assert session.outcome == "agreement", [(t.speaker, t.text, t.intent) for t in session.transcript.turns]
    assert final.tension < start.tension - 10
    assert final.trust > start.trust + 15


@pytest.mark.parametrize(("scenario_id", "persona_id"), PAIRS)
def test_poor_conversation_escalates_or_goes_nowhere(scenario_id: str, persona_id: str) -> None:
    session = converse(scenario_id, persona_id, script(scenario_id, "poor"))
    assert session.outcome in {"escalation", "stopped"}
    final = session.transcript.final_state
    good = converse(scenario_id, persona_id, script(scenario_id, "good"), answer_limits=True).transcript.final_state
    assert final is not None and good is not None
    assert final.tension > good.tension + 15
    assert final.trust < good.trust - 15


@pytest.mark.parametrize("persona_id", sorted(LIB.personas))
def test_roadblocks_raise_tension_for_every_persona(persona_id: str) -> None:
    """Jargon, defending and minimising make things worse, turn by turn."""
    for line in [
        "Volgens het LVS en de DLE-scores zit het leerrendement onder het referentieniveau.",
        "Wij hebben alles volgens protocol gedaan, daar ligt het echt niet aan.",
        "Maakt u zich geen zorgen, dat hebben alle kinderen, het komt vanzelf goed.",
    ]:
        session = Session(LIB.scenarios["schooladvies-vmbo-gt"], LIB.personas[persona_id], seed=1)
        session.say(session.open())
        session.teacher_says("Het voorlopig advies voor Lotte is vmbo-gt.")
        before = session.state.tension
        plan = session.teacher_says(line)
        assert plan is not None
        assert session.state.tension > before, line
        assert any(c.tension > 0 for c in plan.causes), "the timeline must say why tension rose"


def _boundary_session(persona_id: str) -> tuple[Session, str]:
    """Push until the parent crosses a line; return the session and the kind of line crossed."""
    session = Session(LIB.scenarios["schooladvies-vmbo-gt"], LIB.personas[persona_id], seed=2)
    session.say(session.open())
    pushes = [
        "Het voorlopig advies voor Lotte is vmbo-gt.",
        "Waarom had u eigenlijk havo verwacht?",
        "U overdrijft, zo erg is het niet.",
        "Wij hebben alles volgens protocol gedaan.",
        "Waarom reageert u zo?",
    ]
    for line in pushes:
        plan = session.teacher_says(line)
        assert plan is not None and not session.ended
        session.say(plan)
        if plan.intent == "test_boundary":
            assert plan.request.boundary_kind
            return session, plan.request.boundary_kind
    raise AssertionError("tension never led to a boundary test")


@pytest.mark.parametrize("persona_id", sorted(LIB.personas))
def test_boundary_moment_is_triggered_by_tension_and_calmed_by_a_clear_limit(persona_id: str) -> None:
    session, kind = _boundary_session(persona_id)
    assert session.state.boundary_active == kind
    persona = LIB.personas[persona_id]
    threshold = next(b.min_tension for b in persona.boundary_behaviours if b.kind == kind)
    assert session.transcript.turns[-1].state is not None
    assert session.transcript.turns[-1].state.tension >= threshold
    before = session.state.tension
    plan = session.teacher_says(LIMITS[kind])
    assert plan is not None
    assert plan.intent == "calm_down"
    assert session.state.tension < before
    assert session.state.boundary_active is None
    assert any(c.source == "regel:grens-op-tijd" for c in plan.causes)


@pytest.mark.parametrize("persona_id", sorted(LIB.personas))
def test_ignoring_a_boundary_lets_it_escalate(persona_id: str) -> None:
    session, _ = _boundary_session(persona_id)
    before = session.state.tension
    plan = session.teacher_says("Goed. Dan ga ik verder met de resultaten van Lotte.")
    assert plan is not None
    assert session.state.tension > before
    assert any(c.source == "regel:grens-genegeerd" for c in plan.causes)


@pytest.mark.parametrize("persona_id", sorted(LIB.personas))
def test_caving_teaches_that_pushing_works(persona_id: str) -> None:
    """After the teacher gives in, the parent pushes again, and sooner."""
    persona = LIB.personas[persona_id]
    session = Session(LIB.scenarios["schooladvies-vmbo-gt"], persona, seed=3)
    session.say(session.open())
    session.teacher_says("Het voorlopig advies voor Lotte is vmbo-gt.")
    plan = session.teacher_says("Nou vooruit, dan maken we er vmbo-gt/havo van.")
    assert plan is not None
    assert plan.intent in {"challenge_basis", "test_boundary"}
    assert session.state.caved == 1
    assert any(c.source == "regel:toegeven" for c in plan.causes)
    assert session.outcome != "agreement"


@pytest.mark.parametrize(("scenario_id", "persona_id"), PAIRS)
def test_hidden_concern_appears_only_after_exploration(scenario_id: str, persona_id: str) -> None:
    scenario = LIB.scenarios[scenario_id]
    hidden = {c.id for c in scenario.concerns if c.hidden}
    # A teacher who only informs and never explores: the hidden concern never comes up.
    flat = Session(scenario, LIB.personas[persona_id], seed=0)
    flat.say(flat.open())
    for line in [
        "Ik wil u iets vertellen.",
        "Zo zit het.",
        "Dat is de stand van zaken.",
        "Goed.",
        "Oké.",
        "Tot zover.",
    ]:
        plan = flat.teacher_says(line)
        if plan is None:
            break
        flat.say(plan)
    assert not any(flat.state.concerns[c] != "unraised" for c in hidden)
    assert "reveal_concern" not in {t.intent for t in flat.transcript.turns}
    # The good teacher explores, and the parent opens up.
    good = converse(scenario_id, persona_id, script(scenario_id, "good"), answer_limits=True)
    reveal = [i for i, t in enumerate(good.transcript.turns) if t.intent == "reveal_concern"]
    assert reveal, "the hidden concern never came up in a good conversation"
    explored_before = [
        a.code
        for t in good.transcript.turns[: reveal[0]]
        if t.speaker == "teacher"
        for a in t.acts or []
        if a.code in {"open_question", "paraphrase", "feeling_reflection", "summary"}
    ]
    assert len(explored_before) >= 2


def test_time_up_ends_the_conversation_in_the_transcript() -> None:
    scenario = LIB.scenarios["huiswerk-gemiste-afspraken"]
    clock = SimulatedClock()
    session = Session(scenario, LIB.personas[sorted(LIB.personas)[0]], seed=0, clock=clock)
    session.say(session.open())
    session.say(session.teacher_says("Hoe gaat het thuis?"))  # type: ignore[arg-type]
    assert not session.ended
    clock.seconds = scenario.minutes * 60  # the conversation has taken all its time
    plan = session.teacher_says("Wat vindt u daarvan?")
    assert plan is not None and plan.ends == "time_up"
    session.say(plan)
    assert session.outcome == "time_up"
    assert session.transcript.outcome == "time_up"
    assert session.transcript.final_state is not None
    assert session.transcript.turns[-1].intent == "closing"


def test_teacher_ends_after_limit_and_consequence() -> None:
    session, kind = _boundary_session(sorted(LIB.personas)[0])
    plan = session.teacher_says(
        "U verheft uw stem en dat accepteer ik niet. Als u zo doorgaat, beëindig ik het gesprek en plannen we "
        "een nieuwe afspraak met de directeur erbij."
    )
    assert plan is not None
    session.say(plan)
    session.end()
    assert session.outcome == "ended_by_teacher"
    assert kind in session.state.tested


def test_teacher_stopping_without_a_limit_is_not_called_a_boundary_ending() -> None:
    session = Session(LIB.scenarios["startgesprek-groep5"], LIB.personas[sorted(LIB.personas)[0]], seed=0)
    session.say(session.open())
    session.end()
    assert session.outcome == "stopped"
