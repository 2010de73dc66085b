"""Bridge from a saved transcript to the feedback engine's report.

The feedback package takes plain data; this module supplies what only the
simulator knows: whether the scenario brings bad news, which parent turns
crossed a line (the engine's intents), and the acts already recognised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.records.transcript import Transcript

if TYPE_CHECKING:
    from feedback.acts import Act
    from feedback.scoring import Report
    from simulator.content.loader import Library


# Parent intents that put the teacher's position to the test (scores "holding the position" only then).
PRESSURE_INTENTS = frozenset({"challenge_basis", "test_boundary", "irritated"})


def recorded_acts(transcript: Transcript) -> list[list[Act] | None]:
    """The acts stored with each teacher turn, with trainer overrides applied; None where unknown."""
    from feedback.acts import Act

    out: list[list[Act] | None] = []
    for turn in transcript.turns:
        if turn.speaker != "teacher" or turn.acts is None:
            out.append(None)
            continue
        acts = {a.code: Act(a.code, a.evidence) for a in turn.acts}
        for o in turn.overrides:
            if o.target.startswith("act:"):
                code = o.target.removeprefix("act:")
                if o.trainer == "absent":
                    acts.pop(code, None)
                elif o.trainer == "present":
                    acts.setdefault(code, Act(code, "(trainer)"))
        out.append(list(acts.values()))
    return out


def report_for(transcript: Transcript, library: Library | None = None) -> Report:
    from feedback.scoring import ScoreContext, score

    scenario = None
    if library is not None and transcript.scenario_id:
        scenario = library.scenarios.get(transcript.scenario_id)
    has_intents = any(t.intent for t in transcript.turns if t.speaker == "parent")
    boundary_turns = (
        tuple(i for i, t in enumerate(transcript.turns) if t.intent == "test_boundary") if has_intents else None
    )
    pressure_turns = (
        tuple(i for i, t in enumerate(transcript.turns) if t.intent in PRESSURE_INTENTS) if has_intents else None
    )
    context = ScoreContext(
        bad_news=bool(scenario and scenario.bad_news),
        boundary_turns=boundary_turns,
        pressure_turns=pressure_turns,
        scenario_title=scenario.title if scenario else None,
    )
    return score(transcript.pairs(), context, acts=recorded_acts(transcript))
