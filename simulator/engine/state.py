"""The parent's state and how one teacher turn moves it, with a recorded cause per change.

Numbers move only through `apply_turn`, and every change is written down as a
Cause (which act or rule, by how much, why), so a trainer can replay the
timeline and see what the trainee's words did.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from simulator.content.schemas import Effect, Persona, Scenario
from simulator.engine.rules import engine_rules
from simulator.records.transcript import Cause, StateSnapshot

PHASES = ("opening", "exploring", "negotiating", "closing")
LIMIT_CODES = frozenset({"name_limit", "i_message", "consequence"})


def band(tension: float) -> str:
    rules = engine_rules().bands
    if tension < rules.low_below:
        return "low"
    if tension > rules.high_above:
        return "high"
    return "mid"


def _clamp(value: float) -> float:
    return max(0.0, min(100.0, value))


def _saturate(value: float, delta: float) -> float:
    """Shrink a change by how little room is left in its direction."""
    room = (100.0 - value) if delta > 0 else value
    floor = engine_rules().saturation.floor
    return delta * (floor + (1.0 - floor) * room / 100.0)


@dataclass
class ParentState:
    tension: float
    trust: float
    heard: float
    phase: str = "opening"
    boundary_active: str | None = None
    concerns: dict[str, str] = field(default_factory=dict)
    explorations: int = 0
    caved: int = 0
    ignored_limits: int = 0
    limits_named: int = 0
    consequences: int = 0
    tested: list[str] = field(default_factory=list)
    limit_landed: bool = False
    last_change: float = 0.0
    tested_at: int = -99
    news_given: bool = True
    boundary_age: int = 0
    news_at: int = -1  # the teacher turn where the news (or, without bad news, the topic) landed
    high_turns: int = 0
    threatened: bool = False
    greeted: bool = False  # the parent has greeted the teacher back
    caved_at_test: int = 0
    agreements: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, persona: Persona, scenario: Scenario, difficulty: str) -> ParentState:
        shift = engine_rules().difficulty[difficulty].start_tension
        return cls(
            tension=_clamp(persona.start.tension + shift),
            trust=float(persona.start.trust),
            heard=float(persona.start.heard),
            concerns={c.id: "unraised" for c in scenario.concerns},
            news_given=not (scenario.bad_news and scenario.news_keywords),
        )

    def snapshot(self) -> StateSnapshot:
        return StateSnapshot(
            tension=round(self.tension),
            trust=round(self.trust),
            heard=round(self.heard),
            phase=self.phase,
            boundary_active=self.boundary_active,
            concerns=dict(self.concerns),
        )

    def move(self, source: str, why: str, tension: float, trust: float, heard: float) -> Cause | None:
        """Apply a delta (saturating, clamped) and return the Cause that records what actually changed."""
        before = (self.tension, self.trust, self.heard)
        self.tension = _clamp(self.tension + _saturate(self.tension, tension))
        self.trust = _clamp(self.trust + _saturate(self.trust, trust))
        self.heard = _clamp(self.heard + _saturate(self.heard, heard))
        moved = (
            round(self.tension - before[0]),
            round(self.trust - before[1]),
            round(self.heard - before[2]),
        )
        if moved == (0, 0, 0):
            return None
        return Cause(source=source, why=why, tension=moved[0], trust=moved[1], heard=moved[2])


def _scaled(effect: Effect, sensitivity: float) -> tuple[float, float, float]:
    """Difficulty scales only what hurts: escalation and lost trust or feeling heard."""
    t = effect.tension * (sensitivity if effect.tension > 0 else 1.0)
    tr = effect.trust * (sensitivity if effect.trust < 0 else 1.0)
    h = effect.heard * (sensitivity if effect.heard < 0 else 1.0)
    return t, tr, h


@dataclass(frozen=True)
class TurnFacts:
    """What the moves of a teacher turn add to its acts, for the state update."""

    attack: bool = False
    limit: bool = False  # the move classifier heard a limit
    reflects: bool = False  # ...or a reflection or check of what the parent said
    neutral: bool = False  # only a greeting, small talk, thanks or goodbye
    greeting_only: bool = False
    repeats: int = 0  # how often this line (or one very like it) was said before
    teacher_turn: int = 0


def apply_turn(
    state: ParentState,
    persona: Persona,
    codes: Iterable[str],
    signals: Iterable[str],
    difficulty: str,
    tells_news: bool = False,
    facts: TurnFacts | None = None,
) -> list[Cause]:
    """Move the state for one teacher turn; return every change with its cause."""
    rules = engine_rules()
    facts = facts or TurnFacts()
    sensitivity = rules.difficulty[difficulty].sensitivity
    codes = list(codes)
    causes: list[Cause] = []
    tension_before = state.tension
    wear = rules.formula.wear
    factor = wear[facts.repeats] if facts.repeats < len(wear) else 0.0

    def record(cause: Cause | None) -> None:
        if cause is not None:
            causes.append(cause)

    if not state.news_given and not (facts.greeting_only and not tells_news):
        r = rules.news.impact if tells_news else rules.news.delayed
        record(
            state.move("regel:nieuws" if tells_news else "regel:nieuws-uitgesteld", r.why, r.tension, r.trust, r.heard)
        )
        state.news_given = tells_news
        if tells_news:
            state.news_at = facts.teacher_turn
    skip = set(rules.agenda.neutral_effects) if facts.neutral else set()
    for key in [*codes, *signals]:
        effect = persona.effects.get(key)
        if effect is None or key in skip:
            continue
        t, tr, h = _scaled(effect, sensitivity)
        if t < 0 or h > 0:  # a calming effect wears off when the same words come again
            t, tr, h = t * factor, tr * factor if tr > 0 else tr, h * factor
        record(state.move(key, effect.why, t, tr, h))
    if facts.repeats >= len(wear):
        r = rules.formula.irritate
        record(state.move("regel:herhaling", r.why, r.tension * sensitivity, r.trust, r.heard))
    if facts.attack:
        r = rules.attack
        record(state.move("regel:aanval", r.why, r.tension * sensitivity, r.trust, r.heard))
        rise = state.tension - tension_before
        if rise < r.min_rise:
            topped = min(100.0, tension_before + r.min_rise)
            causes.append(Cause(source="regel:aanval", why=r.why, tension=round(topped - state.tension)))
            state.tension = topped

    state.limit_landed = False
    if state.boundary_active:
        answers = set(rules.limit_answers.get(state.boundary_active, LIMIT_CODES)) & set(codes)
        harsh = set(rules.boundary.provoking) | {"caving", "jargon"}
        harsh &= set(codes)
        asks = {"open_question", "closed_question"} & set(codes)  # a calm question back engages, too
        heard = set(rules.limit_acknowledging) & set(codes) or facts.reflects or asks
        acknowledged = heard and not harsh and not facts.attack
        if answers or facts.limit:
            r = rules.limit_lands
            record(state.move("regel:grens-op-tijd", r.why, r.tension, r.trust, r.heard))
            state.boundary_active = None
            state.limit_landed = True
            state.limits_named += 1
            state.ignored_limits = 0
        elif acknowledged:
            r = rules.limit_acknowledged
            record(state.move("regel:grens-opgevangen", r.why, r.tension, r.trust, r.heard))
            state.boundary_active = None
            state.ignored_limits = 0
        else:
            r = rules.limit_ignored
            record(state.move("regel:grens-genegeerd", r.why, r.tension * sensitivity, r.trust, r.heard))
            state.ignored_limits += 1
            state.boundary_age += 1
            if state.boundary_age >= rules.escalation.boundary_lasts:
                state.boundary_active = None  # the moment has passed, unanswered
    elif LIMIT_CODES.intersection(codes) and band(state.tension) == "low":
        r = rules.limit_unneeded
        record(state.move("regel:grens-onnodig", r.why, r.tension, r.trust, r.heard))
    if "consequence" in codes:
        state.consequences += 1
    if "caving" in codes:
        state.caved += 1
        causes.append(Cause(source="regel:toegeven", why=rules.caving_teaches.why))
    if state.tension <= rules.exploration.max_tension and factor >= 1.0:
        state.explorations += sum(1 for c in codes if c in rules.exploration.acts)
    state.last_change = state.tension - tension_before
    state.high_turns = state.high_turns + 1 if band(state.tension) == "high" else 0
    return causes


def boundary_threshold(min_tension: int, caved: int) -> int:
    """Each time the teacher caved, the parent pushes earlier."""
    return max(0, min_tension - caved * engine_rules().caving_teaches.threshold_drop)
