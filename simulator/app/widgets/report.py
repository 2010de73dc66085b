"""The report: both scores with sub-scores and explanations, the self-rating beside them, acts per turn.

The texts come from the feedback engine (`report_for(...).to_dict()`); this
module only lays them out, so the terminal and the exports say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from simulator.app.labels import SPEAKERS, act_label
from simulator.records.transcript import Transcript

DIMENSIONS: tuple[tuple[str, str], ...] = (("listening", "Luisteren"), ("boundaries", "Grenzen stellen"))


def to_five(score: float) -> int:
    """The engine's 0..100 on the trainee's 1..5 scale, to put them side by side."""
    return 1 + round(max(0.0, min(100.0, score)) / 25)


def compare(self_score: int, engine_score: float) -> str:
    engine5 = to_five(engine_score)
    if self_score > engine5:
        return "Je schatte jezelf hoger in dan de feedback."
    if self_score < engine5:
        return "Je schatte jezelf lager in dan de feedback."
    return "Je inschatting komt overeen met de feedback."


def _evidence(value: Any) -> list[str]:
    """Quotes as the engine gives them: strings, or {turn, text} items."""
    if not value:
        return []
    if isinstance(value, str | dict):
        value = [value]
    out = []
    for item in value:
        if isinstance(item, dict):
            text = str(item.get("text", "")).strip()
            if text:
                turn = item.get("turn")
                out.append(f"beurt {int(turn) + 1}: “{text}”" if isinstance(turn, int) else f"“{text}”")
        elif item:
            out.append(f"“{str(item).strip()}”")
    return out


def _score_text(score: Any) -> str:
    return "n.v.t." if score is None else f"{round(float(score))}"


def dimension_blocks(
    key: str, title: str, block: dict[str, Any], transcript: Transcript
) -> Iterable[Static]:
    """Header line (score, self-rating, trainer) and one block per sub-score."""
    score = block.get("score")
    head: list[str | tuple[str, str]] = [(f"{title}: {_score_text(score)}/100", "bold")]
    rating = transcript.self_rating
    if rating is not None and score is not None and key in {"listening", "boundaries"}:
        own = getattr(rating, key)
        engine5 = to_five(float(score))
        head += ["\n", f"Jouw inschatting: {own}/5 · feedback ≈ {engine5}/5. ", compare(own, float(score))]
    for o in transcript.score_overrides:
        if o.target == f"score:{key}":
            head += ["\n", (f"Trainer: {o.trainer}/100 (feedback {o.engine}): {o.reason}", "$warning")]
    if block.get("summary"):
        head += ["\n", (str(block["summary"]), "italic")]
    yield Static(Content.assemble(*head), classes="score-head")
    for sub in block.get("subscores", []):
        parts: list[str | tuple[str, str]] = [
            (f"{sub.get('label', sub.get('id', ''))}: {_score_text(sub.get('score'))}", "bold"),
        ]
        if sub.get("explanation"):
            parts += ["\n", str(sub["explanation"])]
        for quote in _evidence(sub.get("evidence")):
            parts += ["\n", ("  " + quote, "italic dim")]
        yield Static(Content.assemble(*parts), classes="subscore")
    for sub in block.get("not_applicable", []):
        # A situation that never arose is shown, so the trainee sees what the score does not rest on.
        parts = [(f"{sub.get('label', sub.get('id', ''))}: n.v.t.", "bold dim")]
        if sub.get("reason"):
            parts += ["\n", (str(sub["reason"]), "dim")]
        yield Static(Content.assemble(*parts), classes="subscore")


class ReportView(VerticalScroll):
    """Scores and sub-scores, scrollable."""

    async def show(self, report: dict[str, Any], transcript: Transcript) -> None:
        await self.remove_children()
        widgets: list[Static] = []
        for key, title in DIMENSIONS:
            widgets += dimension_blocks(key, title, report.get(key) or {}, transcript)
        extra = report.get("bad_news")
        if isinstance(extra, dict) and extra:
            widgets += dimension_blocks("bad_news", "Slecht nieuws brengen", extra, transcript)
        await self.mount_all(widgets)


def turn_prompt(transcript: Transcript, index: int, parent_name: str) -> Content:
    """One turn as a list entry: number, speaker, words, acts, trainer notes."""
    turn = transcript.turns[index]
    who = SPEAKERS["teacher"] if turn.speaker == "teacher" else parent_name
    parts: list[str | tuple[str, str]] = [(f"{index + 1}. {who}: ", "bold"), turn.text]
    if turn.speaker == "teacher":
        codes = [a.code for a in turn.acts or []]
        parts += ["\n", ("   acties: " + (", ".join(act_label(c) for c in codes) or "geen"), "$accent")]
        if turn.hint:
            parts += ["\n", (f"   tip gebruikt: {turn.hint}", "dim")]
    for o in turn.overrides:
        if o.target.startswith("act:"):
            code = o.target.removeprefix("act:")
            sign = "+" if o.trainer == "present" else "−"
            parts += ["\n", (f"   trainer: {sign}{act_label(code)} ({o.reason})", "$warning")]
    for c in turn.comments:
        parts += ["\n", (f"   opmerking {c.author}: {c.text}", "$success")]
    return Content.assemble(*parts)


class TurnList(OptionList):
    """Every turn with the acts the engine found (trainer overrides listed beside them, never over them)."""

    def show(self, transcript: Transcript, parent_name: str) -> None:
        keep = self.highlighted
        self.clear_options()
        options: list[Option | None] = []
        for i in range(len(transcript.turns)):
            options += [Option(turn_prompt(transcript, i, parent_name), id=f"turn-{i}"), None]
        self.add_options(options[:-1])
        if keep is not None and keep < len(transcript.turns):
            self.highlighted = keep


class ReportTabs(Vertical):
    """Scores, the timeline and the turns in three tabs: fits 80×24 and reads well at 120×40."""

    def __init__(self, *, id: str | None = None, initial: str = "tab-scores") -> None:
        super().__init__(id=id)
        self.initial = initial

    def compose(self) -> ComposeResult:
        from simulator.app.widgets.timeline import TimelineView

        with TabbedContent(initial=self.initial):
            with TabPane("Scores", id="tab-scores"):
                yield Static("", id="summary", classes="summary")
                yield ReportView(id="report")
            with TabPane("Verloop", id="tab-timeline"):
                yield TimelineView(id="timeline")
            with TabPane("Beurten", id="tab-turns"):
                yield TurnList(id="turns")

    @property
    def active(self) -> str:
        return self.query_one(TabbedContent).active

    @active.setter
    def active(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    async def show(
        self, transcript: Transcript, report: dict[str, Any] | None, points: list[Any], parent_name: str, summary: str
    ) -> None:
        from simulator.app.widgets.timeline import TimelineView

        self.query_one("#summary", Static).update(Content(summary))
        view = self.query_one(ReportView)
        if report is None:
            await view.remove_children()
            await view.mount(Static("De scores zijn (nog) niet beschikbaar.", classes="subscore"))
        else:
            await view.show(report, transcript)
        self.query_one(TimelineView).show(points)
        self.query_one(TurnList).show(transcript, parent_name)


def summary_text(transcript: Transcript, scenario_title: str, parent_name: str) -> str:
    """Two or three lines above the scores: what was practised, how it ended, the intention."""
    from simulator.app.labels import outcome_label
    from simulator.records.voice_use import fallback_rate, model_chose_lines

    teacher_turns = sum(1 for t in transcript.turns if t.speaker == "teacher")
    lines = [
        f"{scenario_title} · met {parent_name} · {teacher_turns} beurten · {outcome_label(transcript.outcome)}",
        f"Tips gebruikt: {transcript.hints_used}"
        + (f" · seed {transcript.seed}" if transcript.seed is not None else ""),
    ]
    if transcript.intention:
        lines.append(f"Je voornemen: “{transcript.intention}”")
    rate = fallback_rate(transcript)
    if rate is not None:
        fallbacks, parent_turns = rate
        # A ranking voice only chose among curated lines; its fallback is the engine's own choice.
        how, spare = ("verwoord", "een vaste zin")
        if model_chose_lines(transcript):
            how, spare = ("uit de vaste zinnen gekozen", "de keuze van de simulator")
        lines.append(
            f"Stem: {transcript.voice} · {parent_turns - fallbacks} van {parent_turns} beurten door het model "
            f"{how}, {fallbacks} keer {spare}"
        )
    return "\n".join(lines)
