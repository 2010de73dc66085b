"""The turn loop: teacher text in, parent plan out, every turn saved to disk at once.

The UI, `oudergesprek play`, the tests and the benchmarks all drive a
conversation through this one class:

    session = Session(scenario, persona, voice=ScriptedVoice(), seed=7)
    plan = session.open()                       # the parent's first line
    text = session.say(plan)                    # or: for piece in session.speak(plan, cancel): ...
    plan = session.teacher_says("Goedemiddag, fijn dat u er bent.")
    ...
    session.end()                               # teacher ends; or the engine ends it

Streaming (`speak`) and committing are separate so a UI can show pieces as
they come and cancel midway; the parent turn is committed and saved when the
final piece arrives.
"""

from __future__ import annotations

import copy
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from feedback.acts import Act
from simulator.content.schemas import Persona, Scenario
from simulator.engine.clock import SimulatedClock, WallClock
from simulator.engine.director import Context, Decision, next_phase, provoking
from simulator.engine.lexicon import words
from simulator.engine.lines import fill, pick_line, slot_values
from simulator.engine.policy import decide, judge_outcome
from simulator.engine.rules import engine_rules
from simulator.engine.signals import read_turn as inspect_turn
from simulator.engine.state import ParentState, TurnFacts, apply_turn, band
from simulator.engine.understanding import move_record, moves_for, read, repeats, to_child, warm_up
from simulator.records.transcript import ActRecord, Cause, MoveRecord, Transcript, Turn, now, save_transcript
from simulator.voices.base import Piece, Voice, VoiceRequest

__all__ = ["DIFFICULTIES", "ParentPlan", "Session", "SimulatedClock", "WallClock", "play_script"]

DIFFICULTIES = ("makkelijk", "normaal", "moeilijk")


@dataclass
class ParentPlan:
    """What the engine decided for the next parent turn; a voice words it."""

    decision: Decision
    request: VoiceRequest
    causes: list[Cause] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)
    """The curated lines that could word this turn ({filled text: raw line}); a ranking voice picks one."""
    chosen_raw: str = ""
    """The raw line the engine chose; given back to the pool when a ranking voice speaks another."""

    @property
    def intent(self) -> str:
        return self.request.intent

    @property
    def ends(self) -> str | None:
        return self.decision.ends


class Session:
    def __init__(
        self,
        scenario: Scenario,
        persona: Persona,
        *,
        voice: Voice | None = None,
        seed: int = 0,
        difficulty: str = "normaal",
        trainee: str | None = None,
        intention: str | None = None,
        save_dir: Path | None = None,
        clock: SimulatedClock | WallClock | None = None,
        dagdeel: str | None = None,
    ) -> None:
        if difficulty not in DIFFICULTIES:
            raise ValueError(f"onbekende moeilijkheid '{difficulty}' (kies uit {', '.join(DIFFICULTIES)})")
        if voice is None:
            from simulator.voices.scripted import ScriptedVoice

            voice = ScriptedVoice()
        self.scenario = scenario
        self.persona = persona
        self.voice = voice
        self.seed = seed
        self.difficulty = difficulty
        self.rng = random.Random(seed)
        self.clock = clock or SimulatedClock()
        self.state = ParentState.start(persona, scenario, difficulty)
        self.slots = slot_values(scenario, dagdeel=dagdeel)
        self.used: set[str] = set()
        self.teacher_turns = 0
        self.ended = False
        self.outcome: str | None = None
        self.transcript = Transcript(
            scenario_id=scenario.id,
            persona_id=persona.id,
            voice=voice.name,
            seed=seed,
            difficulty=difficulty,
            trainee=trainee,
            intention=intention,
            started_at=now(),
            turns=[],
            outcome="in_progress",
        )
        self.pending: ParentPlan | None = None
        self.path: Path | None = None
        if save_dir is not None:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            self.path = save_dir / f"{stamp}-{scenario.id}-{persona.id}-{self.transcript.id}.json"

    def warm_up(self) -> None:
        """Start embedding this conversation's content in the background (the app calls this at the start)."""
        warm_up(self.scenario, self.persona)

    # --- time -------------------------------------------------------------
    def minutes_left(self) -> float:
        return max(0.0, self.scenario.minutes - self.clock.elapsed() / 60.0)

    def time_up(self) -> bool:
        return self.minutes_left() <= 0.0

    # --- turns ------------------------------------------------------------
    def open(self) -> ParentPlan:
        """The parent's opening line."""
        return self._plan(Decision("greet"), teacher_text="", causes=[])

    def history(self) -> list[tuple[str, str]]:
        return self.transcript.pairs()

    def recognise(self, text: str) -> list[Act]:
        return list(read(text, self.history()).acts)

    def teacher_says(self, text: str, hint: str | None = None) -> ParentPlan | None:
        """Record a teacher turn, move the state, and plan the parent's answer (None once ended)."""
        if self.ended:
            return None
        text = text.strip()
        before = self._snapshot()
        history = self.history()
        reading = read(text, history)
        acts = list(reading.acts)
        codes = [a.code for a in acts]
        turn = inspect_turn(text, codes, self.scenario)
        moves = moves_for(reading, turn, self.scenario, self.persona, history)
        kinds = frozenset(m.kind for m in moves)
        said_before = repeats(text, [t for s, t in history if s == "teacher"])
        self._explore(turn)
        news_now = turn.tells_news and not self.state.news_given
        neutral = set(engine_rules().agenda.neutral_moves)
        facts = TurnFacts(
            attack="attack" in kinds,
            limit="limit" in kinds,
            reflects=bool(kinds & {"reflection", "check"}),
            neutral=bool(kinds) and kinds <= neutral,
            greeting_only=bool(kinds) and kinds <= {"greeting", "small_talk"} and self.teacher_turns == 0,
            repeats=said_before,
            teacher_turn=self.teacher_turns + 1,
        )
        causes = apply_turn(self.state, self.persona, codes, turn.signals, self.difficulty, turn.tells_news, facts)
        self.teacher_turns += 1
        if self.state.news_at < 0 and self.state.news_given and not facts.neutral:
            self.state.news_at = self.teacher_turns  # without bad news: the topic is on the table now
        self.clock.add_words(len(words(text)))
        self.transcript.turns.append(
            Turn(
                speaker="teacher",
                text=text,
                timestamp=now(),
                acts=[ActRecord(code=a.code, evidence=a.evidence) for a in acts],
                moves=[MoveRecord(**move_record(m)) for m in moves],
                hint=hint,
            )
        )
        try:
            self._save()
        except Exception:
            self._restore(before)  # a turn counts only once it is on disk: Enter again records it once
            raise
        if self.time_up():
            return self._plan(Decision("closing", ends=self._time_up_outcome()), text, causes)
        ctx = Context(
            persona=self.persona,
            scenario=self.scenario,
            state=self.state,
            reading=turn,
            rng=self.rng,
            teacher_turns=self.teacher_turns,
            kinds=kinds,
            news_now=news_now,
            provoked=provoking(set(codes), kinds),
            to_child=to_child(text, self.scenario),
        )
        return self._plan(decide(ctx, moves, said_before), text, causes)

    def _time_up_outcome(self) -> str:
        return "agreement" if judge_outcome(self.state, by_teacher=False) == "agreement" else "time_up"

    def _explore(self, turn: object) -> None:
        """Concerns the teacher asks or reflects about are explored; a next step answers them."""
        for cid in turn.explored_concerns:  # type: ignore[attr-defined]
            status = self.state.concerns.get(cid)
            if status == "raised" or (status == "unraised" and not self._is_hidden(cid)):
                self.state.concerns[cid] = "explored"
        if turn.next_step:  # type: ignore[attr-defined]
            for cid, status in self.state.concerns.items():
                if status == "explored":
                    self.state.concerns[cid] = "answered"

    def _is_hidden(self, concern_id: str) -> bool:
        return any(c.hidden for c in self.scenario.concerns if c.id == concern_id)

    def _commit_decision(self, decision: Decision) -> None:
        """What a decided part does to the state: a boundary test, a raised concern, an agreement, a threat."""
        state = self.state
        if decision.intent == "test_boundary" and decision.boundary_kind:
            state.boundary_active = decision.boundary_kind
            state.boundary_age = 0
            state.tested.append(decision.boundary_kind)
            state.tested_at = self.teacher_turns
            state.caved_at_test = state.caved
        if decision.concern_id and decision.intent in {"raise_concern", "reveal_concern"}:
            state.concerns[decision.concern_id] = "raised"
        step = decision.next_step_id
        if decision.intent == "accept_next_step" and step and step not in state.agreements:
            state.agreements.append(step)
        if decision.intent == "threaten_leave":
            state.threatened = True
        if decision.intent == "greet_back":
            state.greeted = True

    def _line(self, decision: Decision) -> tuple[str, str, tuple[str, ...], dict[str, str]]:
        """(filled line, intent used, filled style examples, {filled candidate: raw line} of its pool)."""
        raw, intent, examples, pool = pick_line(
            self.persona, self.scenario, decision, band(self.state.tension), self.used, self.rng
        )
        self.used.add(raw)
        options = {fill(x, self.slots): x for x in pool}
        return fill(raw, self.slots), intent, tuple(fill(x, self.slots) for x in examples), options

    def _plan(self, decision: Decision, teacher_text: str, causes: list[Cause]) -> ParentPlan:
        state = self.state
        state.phase = next_phase(state, decision, self.teacher_turns)
        parts = [d for d in (decision.lead, decision) if d is not None]
        texts: list[str] = []
        intent, examples = decision.intent, ()
        options: dict[str, str] = {}
        chosen_raw = ""
        for part in parts:
            self._commit_decision(part)
            lead = " ".join(texts)
            text, intent, examples, options = self._line(part)
            chosen_raw = options.get(text, "")
            # A ranking voice may word the last part with another line of the same pool; the lead stays.
            options = {f"{lead} {k}" if lead else k: v for k, v in options.items()}
            if text != "..." or not texts:
                texts.append(text)
        request = VoiceRequest(
            persona=self.persona,
            scenario=self.scenario,
            intent=intent,
            band=band(state.tension),
            tension=round(state.tension),
            trust=round(state.trust),
            heard=round(state.heard),
            teacher_text=teacher_text,
            history=tuple(self.history()),
            scripted_line=" ".join(texts),
            style_examples=examples,
            boundary_kind=decision.boundary_kind,
            answer_topic=next((d.answer.id for d in parts if d.answer), None),
            concern_id=decision.concern_id,
            next_step_id=next((d.next_step_id for d in parts if d.next_step_id), None),
            slots=self.slots,
            seed=self.rng.randrange(2**31),
            candidates=tuple(options) if len(options) > 1 else (),
        )
        return ParentPlan(decision=decision, request=request, causes=causes, options=options, chosen_raw=chosen_raw)

    def speak(self, plan: ParentPlan, cancel: threading.Event | None = None) -> Iterator[Piece]:
        """Stream the parent's words; the turn is committed and saved when the final piece comes."""
        from simulator.voices.fallback import speak

        cancel = cancel or threading.Event()
        text = ""
        for piece in speak(self.voice, plan.request, cancel):
            if piece.reset:
                text = ""
            text += piece.text
            if piece.final:
                self.commit(
                    plan, text.strip() or "...", piece.voice or self.voice.name, piece.fallback_reason, piece.cancelled
                )
            yield piece

    def say(self, plan: ParentPlan) -> str:
        """Speak a plan to the end and return the parent's line."""
        for _ in self.speak(plan):
            pass
        return self.transcript.turns[-1].text

    def commit(
        self, plan: ParentPlan, text: str, voice: str, fallback_reason: str | None = None, interrupted: bool = False
    ) -> None:
        """Record the parent turn with its state, intent and causes, and save."""
        picked = plan.options.get(text)
        if picked is not None and picked != plan.chosen_raw:  # a ranking voice chose another curated line
            self.used.discard(plan.chosen_raw)
            self.used.add(picked)
        self.clock.add_words(len(words(text)))
        self.transcript.turns.append(
            Turn(
                speaker="parent",
                text=text,
                timestamp=now(),
                state=self.state.snapshot(),
                intent=plan.intent,
                causes=plan.causes,
                voice=voice,
                fallback_reason=None if interrupted else fallback_reason,
                interrupted=interrupted or None,
            )
        )
        if plan.ends:
            self._finish(plan.ends)
        self._save()

    def hint(self) -> str:
        """One concrete suggestion from the feedback engine for the next teacher turn; counted."""
        from feedback.hints import suggest
        from simulator.records.feedback_bridge import recorded_acts

        acts = recorded_acts(self.transcript)
        self.transcript.hints_used += 1
        self._save()
        return suggest(self.history(), acts, parent=self.persona.relation, bad_news=self.scenario.bad_news)

    @classmethod
    def resume(
        cls,
        transcript: Transcript,
        scenario: Scenario,
        persona: Persona,
        *,
        voice: Voice | None = None,
        upto: int | None = None,
        save_dir: Path | None = None,
        path: Path | None = None,
        clock: SimulatedClock | WallClock | None = None,
    ) -> Session:
        """Rebuild a session from a saved transcript by replaying its teacher turns.

        The parent's words are kept as they were (a model voice would not say them
        again); state and used lines are rebuilt by the same engine and seed.
        `upto` keeps only the first `upto` turns: a rewind, saved as a new attempt
        in `save_dir` while the old file stays. Without `upto`, it continues at `path`.
        If the last kept turn is the teacher's, `session.pending` holds the parent's plan.
        """
        from simulator.engine.replay import replay

        return replay(
            cls, transcript, scenario, persona, voice=voice, upto=upto, save_dir=save_dir, path=path, clock=clock
        )

    def end(self, by_teacher: bool = True) -> None:
        """The conversation stops: judged from the state and the agreements made."""
        if self.ended:
            return
        self._finish(judge_outcome(self.state, by_teacher))
        self._save()

    def _finish(self, outcome: str) -> None:
        self.ended = True
        self.outcome = outcome
        self.state.phase = "closing"
        self.transcript.outcome = outcome  # type: ignore[assignment]
        self.transcript.ended_at = now()
        self.transcript.final_state = self.state.snapshot()

    def _snapshot(self) -> tuple[object, ...]:
        """What a teacher turn changes, so a turn whose save fails can be undone."""
        return (copy.deepcopy(self.state), copy.deepcopy(self.clock), self.rng.getstate(), set(self.used),
                self.teacher_turns, len(self.transcript.turns))  # fmt: skip

    def _restore(self, snapshot: tuple[object, ...]) -> None:
        state, clock, rng, used, teacher_turns, n_turns = snapshot
        self.state, self.clock, self.used = state, clock, used  # type: ignore[assignment]
        self.rng.setstate(rng)  # type: ignore[arg-type]
        self.teacher_turns = teacher_turns  # type: ignore[assignment]
        del self.transcript.turns[n_turns:]  # type: ignore[misc]

    def _save(self) -> None:
        if self.path is not None:
            save_transcript(self.transcript, self.path)


from simulator.engine.play import play_script  # noqa: E402  (re-exported: one import for callers)
