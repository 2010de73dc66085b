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

import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from feedback.acts import Act, recognise
from simulator.content.schemas import Persona, Scenario
from simulator.engine.director import Decision, choose, news_reaction, next_phase
from simulator.engine.lexicon import words
from simulator.engine.lines import fill, pick_line, slot_values
from simulator.engine.rules import engine_rules
from simulator.engine.signals import read_turn
from simulator.engine.state import ParentState, apply_turn, band
from simulator.records.transcript import ActRecord, Cause, Transcript, Turn, now, save_transcript
from simulator.voices.base import Piece, Voice, VoiceRequest

DIFFICULTIES = ("makkelijk", "normaal", "moeilijk")


class SimulatedClock:
    """Conversation time from word counts, so non-interactive play is deterministic."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def add_words(self, n: int) -> None:
        self.seconds += n * 60.0 / engine_rules().turn.words_per_minute

    def elapsed(self) -> float:
        return self.seconds


class WallClock:
    """Real time since the conversation started (the app)."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def add_words(self, n: int) -> None:
        pass

    def elapsed(self) -> float:
        return time.monotonic() - self.start


@dataclass
class ParentPlan:
    """What the engine decided for the next parent turn; a voice words it."""

    decision: Decision
    request: VoiceRequest
    causes: list[Cause] = field(default_factory=list)

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
        history = self.history()
        parent_before = next((t for s, t in reversed(history) if s == "parent"), None)
        return recognise(text, parent_before, history)

    def teacher_says(self, text: str, hint: str | None = None) -> ParentPlan | None:
        """Record a teacher turn, move the state, and plan the parent's answer (None once ended)."""
        if self.ended:
            return None
        text = text.strip()
        acts = self.recognise(text)
        codes = [a.code for a in acts]
        reading = read_turn(text, codes, self.scenario)
        for cid in reading.explored_concerns:
            status = self.state.concerns.get(cid)
            if status == "raised" or (status == "unraised" and not self._is_hidden(cid)):
                self.state.concerns[cid] = "explored"
        if reading.next_step:
            for cid, status in self.state.concerns.items():
                if status == "explored":
                    self.state.concerns[cid] = "answered"
        news_now = reading.tells_news and not self.state.news_given
        causes = apply_turn(self.state, self.persona, codes, reading.signals, self.difficulty, reading.tells_news)
        self.teacher_turns += 1
        self.clock.add_words(len(words(text)))
        self.transcript.turns.append(
            Turn(
                speaker="teacher",
                text=text,
                timestamp=now(),
                acts=[ActRecord(code=a.code, evidence=a.evidence) for a in acts],
                hint=hint,
            )
        )
        self._save()
        if self.time_up():
            return self._plan(Decision("closing", ends="time_up"), text, causes)
        decision = choose(self.persona, self.scenario, self.state, reading, self.rng, self.teacher_turns)
        decision = news_reaction(decision, self.persona, self.state, news_now)
        return self._plan(decision, text, causes)

    def _is_hidden(self, concern_id: str) -> bool:
        return any(c.hidden for c in self.scenario.concerns if c.id == concern_id)

    def _plan(self, decision: Decision, teacher_text: str, causes: list[Cause]) -> ParentPlan:
        state = self.state
        state.phase = next_phase(state, decision, self.teacher_turns)
        if decision.intent == "test_boundary" and decision.boundary_kind:
            state.boundary_active = decision.boundary_kind
            state.boundary_age = 0
            state.tested.append(decision.boundary_kind)
            state.tested_at = self.teacher_turns
        if decision.concern_id and decision.intent in {"raise_concern", "reveal_concern"}:
            state.concerns[decision.concern_id] = "raised"
        raw, intent, examples = pick_line(
            self.persona, self.scenario, decision, band(state.tension), self.used, self.rng
        )
        self.used.add(raw)
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
            scripted_line=fill(raw, self.slots),
            style_examples=tuple(fill(x, self.slots) for x in examples),
            boundary_kind=decision.boundary_kind,
            answer_topic=decision.answer.id if decision.answer else None,
            concern_id=decision.concern_id,
            next_step_id=decision.next_step_id,
            slots=self.slots,
            seed=self.rng.randrange(2**31),
        )
        return ParentPlan(decision=decision, request=request, causes=causes)

    def speak(self, plan: ParentPlan, cancel: threading.Event | None = None) -> Iterator[Piece]:
        """Stream the parent's words; the turn is committed and saved when the final piece comes."""
        from simulator.voices.guarded import speak

        cancel = cancel or threading.Event()
        text = ""
        for piece in speak(self.voice, plan.request, cancel):
            if piece.reset:
                text = ""
            text += piece.text
            if piece.final:
                reason = piece.fallback_reason
                if piece.cancelled:
                    reason = "afgebroken door de leerkracht"
                self.commit(plan, text.strip() or "...", piece.voice or self.voice.name, reason)
            yield piece

    def say(self, plan: ParentPlan) -> str:
        """Speak a plan to the end and return the parent's line."""
        for _ in self.speak(plan):
            pass
        return self.transcript.turns[-1].text

    def commit(self, plan: ParentPlan, text: str, voice: str, fallback_reason: str | None = None) -> None:
        """Record the parent turn with its state, intent and causes, and save."""
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
                fallback_reason=fallback_reason,
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
        session = cls(
            scenario,
            persona,
            voice=voice,
            seed=transcript.seed or 0,
            difficulty=transcript.difficulty or "normaal",
            trainee=transcript.trainee,
            intention=transcript.intention,
            save_dir=save_dir,
            clock=clock,
        )
        if path is not None:
            session.path = path
        saving, session.path = session.path, None  # no writes while replaying
        pending: ParentPlan | None = None
        for turn in transcript.turns[:upto]:
            if turn.speaker == "teacher":
                pending = session.teacher_says(turn.text, hint=turn.hint)
                session.transcript.turns[-1].comments = list(turn.comments)
                continue
            if pending is None and not session.transcript.turns:
                pending = session.open()
            if pending is not None:
                session.commit(pending, turn.text, turn.voice or session.voice.name, turn.fallback_reason)
                session.transcript.turns[-1].comments = list(turn.comments)
            pending = None
        session.pending = pending
        session.transcript.hints_used = sum(1 for t in session.transcript.turns if t.hint)
        if upto is None:
            session.transcript.id = transcript.id
            session.transcript.started_at = transcript.started_at
        else:
            session.transcript.rewound_from = transcript.id
        session.path = saving
        session._save()
        return session

    def end(self, by_teacher: bool = True) -> None:
        """The teacher ends the conversation: 'ended_by_teacher' after a limit and a consequence."""
        if self.ended:
            return
        if by_teacher and self.state.consequences and self.state.limits_named + len(self.state.tested) > 0:
            self._finish("ended_by_teacher")
        else:
            self._finish("stopped")
        self._save()

    def _finish(self, outcome: str) -> None:
        self.ended = True
        self.outcome = outcome
        self.state.phase = "closing"
        self.transcript.outcome = outcome  # type: ignore[assignment]
        self.transcript.ended_at = now()
        self.transcript.final_state = self.state.snapshot()

    def _save(self) -> None:
        if self.path is not None:
            save_transcript(self.transcript, self.path)


def play_script(
    session: Session,
    teacher_lines: list[str],
    on_turn: Callable[[str, str], None] | None = None,
) -> Transcript:
    """Run a whole conversation from a list of teacher lines (non-interactive play)."""
    opening = session.say(session.open())
    if on_turn:
        on_turn("parent", opening)
    for line in teacher_lines:
        if session.ended:
            break
        if not line.strip():
            continue
        if on_turn:
            on_turn("teacher", line.strip())
        plan = session.teacher_says(line)
        if plan is None:
            break
        reply = session.say(plan)
        if on_turn:
            on_turn("parent", reply)
    if not session.ended:
        session.end(by_teacher=False)
    return session.transcript
