"""Score only what happened: n.v.t. parts, repeats, rejected reflections, and the data file's schema.

A trainee who never met a boundary moment must not be paid for "holding" it, and a trainer
must be able to see in one line what a dimension score rests on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from feedback.acts import Act
from feedback.codes import label
from feedback.datafile import DataFileError
from feedback.report_text import render_markdown, render_text
from feedback.scoring import DATA_FILE, REGISTRY, Report, ScoreContext, load_config, score, scoring_config
from tests.feedback.turns import A, P, T, Turns


def _sub(report: Report, dim: str, sid: str) -> int:
    sub = getattr(report, dim).subscore(sid)
    assert sub is not None, f"{dim}.{sid} is missing"
    return sub.score


def _calm() -> Report:
    turns = [T("We hebben een kwartier."), P("Prima, vertel maar."), T("Hoe gaat het thuis?"), P("Goed hoor.")]
    return score(turns, acts=[A("structuring"), None, A("open_question"), None])


def test_what_never_happened_is_not_applicable_and_not_paid_out() -> None:
    report = _calm()
    b = report.boundaries
    skipped = {s.id for s in b.not_applicable}
    assert {"name_limit", "consequence", "position", "no_counter_attack"} <= skipped
    assert not skipped & {s.id for s in b.subscores}
    assert all(s.reason for s in b.not_applicable)
    assert b.score == _sub(report, "boundaries", "structure"), "the score rests on structure alone"
    total = len(b.subscores) + len(b.not_applicable)
    assert b.basis == f"{len(b.subscores)} van {total} onderdelen kwamen voor."
    assert b.basis in b.summary
    data = report.to_dict()["boundaries"]
    assert data["basis"] == b.basis and {s["id"] for s in data["not_applicable"]} == skipped


def test_a_teacher_who_ignores_a_crossing_gets_no_points_for_what_never_happened() -> None:
    turns: Turns = [T("Goedemiddag."), P("Dit is ONZIN, ik ACCEPTEER dit niet!")]
    turns += [T("Zullen we naar de cijfers kijken?"), P("Nou, goed dan."), T("Hier ziet u ze."), P("Ja.")]
    report = score(turns, acts=[[], None, A("closed_question"), None, [], None])
    b = report.boundaries
    assert b.skipped("consequence") is not None, "one crossing, never repeated: no consequence was needed"
    assert b.subscore("consequence") is None
    assert b.score < scoring_config().fair // 2, [(s.id, s.score) for s in b.subscores]


def test_a_position_nobody_tested_is_not_held() -> None:
    report = _calm()
    assert report.boundaries.skipped("position") is not None
    pushed = [T("Het advies is vmbo-gt."), P("Daar ben ik het niet mee eens, ik wil havo.")]
    pushed += [T("Ik hoor dat u havo wilt, en het advies blijft vmbo-gt."), P("Hm.")]
    held = score(pushed, acts=[[], None, A("holds_position"), None])
    assert _sub(held, "boundaries", "position") >= scoring_config().good
    engine_says_calm = score(pushed, ScoreContext(pressure_turns=()), acts=[[], None, [], None])
    assert engine_says_calm.boundaries.skipped("position") is not None


def test_a_phrase_repeated_word_for_word_counts_once() -> None:
    def conversation(lines: list[str]) -> Report:
        turns: Turns = []
        acts: list[list[Act] | None] = []
        for line in lines:
            turns += [P("Het gaat thuis niet zo goed met hem."), T(line), P("Ja."), T("Wat merkt u daarvan?")]
            acts += [None, A("paraphrase"), None, A("open_question", "closed_question")]
        return score(turns, acts=acts)

    varied = conversation(["Thuis gaat het moeizaam.", "Het loopt thuis stroef.", "Thuis is het zwaar nu."])
    same = conversation(["Thuis gaat het moeizaam."] * 3)
    assert "Reflecties, dus teruggeven wat u hoorde (parafrase, gevoel benoemen of samenvatting): 1." in (
        same.listening.subscore("reflection_ratio").explanation  # type: ignore[union-attr]
    )
    assert _sub(same, "listening", "reflection_ratio") <= _sub(varied, "listening", "reflection_ratio") - 10


@pytest.mark.parametrize("rejection", ["Nee, dat zeg ik niet.", "Dat bedoel ik niet. Het gaat om iets anders."])
def test_a_reflection_the_parent_rejects_counts_less(rejection: str) -> None:
    def conversation(reply: str) -> Report:
        turns = [P("Hij slaapt slecht."), T("U maakt zich zorgen om hem."), P(reply), T("Hoe merkt u dat?"), P("Zo.")]
        return score(turns, acts=[None, A("feeling_reflection"), None, A("open_question"), None])

    accepted, rejected = conversation("Ja, heel erg."), conversation(rejection)
    assert _sub(rejected, "listening", "reflection_ratio") < _sub(accepted, "listening", "reflection_ratio")


def test_every_registered_sub_score_has_its_block_in_the_data_file() -> None:
    cfg = scoring_config()
    dims = {r.dimension for r in REGISTRY}
    assert dims == {"listening", "boundaries", "bad_news"}
    for r in REGISTRY:
        spec = cfg.sub(r.dimension, r.id)
        assert spec.label and spec.weight > 0 and set(r.texts) <= set(spec.texts)
    for dim in dims:
        assert {r.id for r in REGISTRY if r.dimension == dim} == set(type(cfg.dim(dim).subscores).model_fields)


def test_act_names_come_from_the_one_code_book() -> None:
    assert "code_labels" not in DATA_FILE.read_text(encoding="utf-8")
    turns = [P("Hij is thuis anders."), T("Waarom zegt u dat?"), P("Omdat het zo is.")]
    report = score(turns, acts=[None, A("why_question"), None])
    assert label("why_question") in render_text(report)
    roadblocks = report.listening.subscore("roadblocks")
    assert roadblocks is not None and label("why_question") in roadblocks.explanation


def test_renderers_show_what_did_not_apply() -> None:
    report = _calm()
    text, md = " ".join(render_text(report).split()), render_markdown(report)
    skipped = report.boundaries.skipped("position")
    assert skipped is not None
    assert f"{skipped.label}: n.v.t." in text and f"### {skipped.label}: n.v.t." in md
    assert report.boundaries.basis in text


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("  good: 75\n", "  goed: 75\n", "bands.goed"),
        (
            "      penalty_per_turn: 35\n",
            "      penalty_per_turn: veel\n",
            "listening.subscores.jargon.penalty_per_turn",
        ),
        ("        first: 100", "        eerst: 100", "boundaries.subscores.name_limit.scores"),
    ],
)
def test_a_misspelt_key_is_one_line_naming_file_line_and_field(tmp_path: Path, old: str, new: str, field: str) -> None:
    text = DATA_FILE.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "scoring.yaml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        load_config(broken)
    message = str(err.value)
    assert "\n" not in message and message.startswith("scoring.yaml:")
    assert field in message
    line = int(message.split(":")[1])
    assert new.split(":")[0].strip() in broken.read_text(encoding="utf-8").splitlines()[line - 1] or "scores" in field


def test_a_crossing_calmed_by_acknowledging_it_is_handled() -> None:
    def conversation(answer: list[Act]) -> Report:
        turns: Turns = [T("Goedemiddag."), P("Als we er niet uitkomen, stap ik naar de directeur. Onbekwaam is dit!")]
        turns += [T("Antwoord van de leerkracht."), P("Ja, zo is het."), T("Wat ziet u thuis?"), P("Dat ze moe is.")]
        return score(turns, acts=[[], None, answer, None, A("open_question"), None])

    calmed = conversation(A("feeling_reflection"))
    ignored = conversation(A("closed_question"))
    assert _sub(calmed, "boundaries", "name_limit") >= scoring_config().good - 5
    assert _sub(ignored, "boundaries", "name_limit") == 0
    assert calmed.boundaries.skipped("i_message") is not None, "no ik-boodschap was needed"
    assert ignored.boundaries.skipped("no_counter_attack") is not None, "talking past an attack shows no calm"
    assert calmed.boundaries.score >= ignored.boundaries.score + 40
