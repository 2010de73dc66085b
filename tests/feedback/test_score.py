"""Session scores: what a trainee sees in the report.

Transcript pairs in tests/data/transcripts/ are scored twice: with the real act
recogniser, and with hand-coded acts (tests/data/transcripts/acts/), so a failure
tells whether the scoring rules or the recogniser fell short. Sub-score rules are also
tested on small conversations with precomputed acts, independent of the recogniser.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from feedback.acts import Act
from feedback.codes import ALL_CODES
from feedback.report_text import render_markdown, render_text
from feedback.scoring import (
    Report,
    ScoreContext,
    parent_crosses_line,
    parent_shows_emotion,
    quote,
    score,
    scoring_config,
)
from tests.feedback.turns import A, P, T, Turns

DATA = Path(__file__).resolve().parents[1] / "data" / "transcripts"
MARGIN = 25
MODES = ["recognised", "hand_coded"]


def load(name: str) -> Turns:
    data = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    return [(t["speaker"], t["text"]) for t in data["turns"]]


def hand_coded(name: str) -> list[list[Act] | None]:
    coded = json.loads((DATA / "acts" / f"{name}.json").read_text(encoding="utf-8"))["acts"]
    turns = load(name)
    return [
        [Act(code, ev) for code, ev in coded.get(str(i), [])] if speaker == "teacher" else None
        for i, (speaker, _) in enumerate(turns)
    ]


def run(name: str, mode: str, **context: object) -> Report:
    acts = hand_coded(name) if mode == "hand_coded" else None
    return score(load(name), ScoreContext(**context), acts=acts)  # type: ignore[arg-type]


def teacher_lines(turns: Turns) -> dict[int, str]:
    return {i: text for i, (speaker, text) in enumerate(turns) if speaker == "teacher"}


def quotes_in(text: str) -> list[str]:
    return [q.replace("...", "").strip() for q in re.findall(r'"([^"]+)"', text)]


# ---------------------------------------------------------------------------------------
# Pairs: the good conversation clearly outscores the poor one on its own dimension


@pytest.mark.parametrize("mode", MODES)
def test_good_listening_outscores_poor_listening(mode: str) -> None:
    good, poor = run("listening_good", mode), run("listening_poor", mode)
    assert good.listening.score >= poor.listening.score + MARGIN
    assert good.listening.score >= scoring_config().fair


@pytest.mark.parametrize("mode", MODES)
def test_good_boundaries_outscore_poor_boundaries(mode: str) -> None:
    good, poor = run("boundaries_good", mode), run("boundaries_poor", mode)
    assert good.boundaries.score >= poor.boundaries.score + MARGIN
    assert good.boundaries.no_boundary_moment is False
    assert poor.boundaries.no_boundary_moment is False


@pytest.mark.parametrize("mode", MODES)
def test_bad_news_first_outscores_the_sandwich(mode: str) -> None:
    direct = run("badnews_direct", mode, bad_news=True)
    sandwich = run("badnews_sandwich", mode, bad_news=True)
    assert direct.bad_news is not None and sandwich.bad_news is not None
    assert direct.bad_news.score >= sandwich.bad_news.score + MARGIN
    sub = sandwich.bad_news.subscore("no_sandwich")
    assert sub is not None and sub.score < scoring_config().fair
    assert "sandwich" in sub.explanation


def test_news_cue_words_find_the_news_in_the_first_turn_without_any_acts() -> None:
    direct = run("badnews_direct", "hand_coded", bad_news=True)
    late = run("badnews_sandwich", "hand_coded", bad_news=True)
    assert direct.bad_news and late.bad_news
    early_sub, late_sub = direct.bad_news.subscore("news_early"), late.bad_news.subscore("news_early")
    assert early_sub and late_sub
    assert early_sub.evidence[0].turn == 0
    assert early_sub.score > late_sub.score
    assert "vmbo-kb" in late_sub.explanation


@pytest.mark.parametrize("mode", MODES)
def test_parent_who_shouts_and_threatens_is_detected_as_crossing_a_line(mode: str) -> None:
    turns = load("boundaries_good")
    report = run("boundaries_good", mode)
    moments = report.boundaries.boundary_turns or ()
    assert moments, "the shouting and the threat of a lawyer are boundary moments"
    assert all(turns[i][0] == "parent" for i in moments)
    assert any("ACCEPTEER" in turns[i][1] for i in moments)
    assert any("advocaat" in turns[i][1] for i in moments)


@pytest.mark.parametrize("mode", MODES)
def test_conversation_without_boundary_moment_says_so(mode: str) -> None:
    report = run("no_boundary", mode)
    assert report.boundaries.no_boundary_moment is True
    assert {s.id for s in report.boundaries.subscores} <= {"position", "structure"}
    assert "niet over een grens" in report.boundaries.summary
    data = report.to_dict()["boundaries"]
    assert data["no_boundary_moment"] is True


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "name", ["listening_good", "listening_poor", "boundaries_good", "boundaries_poor", "badnews_sandwich"]
)
def test_explanations_quote_the_teachers_own_lines(name: str, mode: str) -> None:
    turns = load(name)
    lines = teacher_lines(turns)
    report = run(name, mode, bad_news=name.startswith("badnews"))
    quoted = 0
    for dim in (report.listening, report.boundaries, report.bad_news):
        if dim is None:
            continue
        for sub in dim.subscores:
            for ev in sub.evidence:
                assert ev.turn in lines, "evidence points at a teacher turn"
                assert ev.text.replace("...", "").strip() in lines[ev.turn]
            for q in quotes_in(sub.explanation):
                if any(q in line for line in lines.values()):
                    quoted += 1
    assert quoted >= 3


def test_hand_coded_explanations_name_the_exact_lines_a_trainer_would_point_at() -> None:
    poor = run("listening_poor", "hand_coded")
    canned = poor.listening.subscore("canned_empathy")
    assert canned is not None
    assert "Ik zie dat u" in canned.explanation
    boundaries = run("boundaries_poor", "hand_coded").boundaries
    position = boundaries.subscore("position")
    assert position is not None and "Nou vooruit, dan maken we er havo van" in position.explanation
    counter = boundaries.subscore("no_counter_attack")
    assert counter is not None and "naar uzelf kijken" in counter.explanation


@pytest.mark.parametrize("mode", MODES)
def test_scores_are_integers_in_range_and_texts_are_calm_dutch(mode: str) -> None:
    for name in ("listening_good", "listening_poor", "boundaries_poor", "badnews_sandwich", "no_boundary"):
        report = run(name, mode, bad_news=True)
        for dim in (report.listening, report.boundaries, report.bad_news):
            assert dim is not None
            assert isinstance(dim.score, int) and 0 <= dim.score <= 100
            assert dim.summary and "!" not in dim.summary
            for sub in dim.subscores:
                assert isinstance(sub.score, int) and 0 <= sub.score <= 100
                assert sub.explanation and "!" not in sub.explanation


def test_report_json_has_the_documented_shape() -> None:
    turns = load("boundaries_good")
    data = json.loads(json.dumps(run("boundaries_good", "hand_coded", bad_news=True).to_dict()))
    for dim in ("listening", "boundaries", "bad_news"):
        assert set(data[dim]) >= {"score", "subscores", "summary"}
        for sub in data[dim]["subscores"]:
            assert set(sub) >= {"id", "label", "score", "weight", "explanation", "evidence"}
            for ev in sub["evidence"]:
                assert set(ev) == {"turn", "text"}
    assert "no_boundary_moment" in data["boundaries"]
    assert [t["index"] for t in data["turns"]] == [i for i, (s, _) in enumerate(turns) if s == "teacher"]
    first = data["turns"][0]
    assert first["text"] == turns[0][1]
    assert "structuring" in first["codes"] and "structuring" in first["evidence"]
    assert set(data["counts"]) >= set(ALL_CODES)
    assert data["counts"]["name_limit"] == 2
    assert run("no_boundary", "hand_coded").to_dict()["bad_news"] is None


# ---------------------------------------------------------------------------------------
# Sub-score rules on small conversations with precomputed acts


def _sub(report: Report, dim: str, sid: str) -> int:
    sub = getattr(report, dim).subscore(sid)
    assert sub is not None, f"{dim}.{sid} is missing"
    return sub.score


def _ratio_conversation(reflections: int, questions: int) -> tuple[Turns, list[list[Act] | None]]:
    turns: Turns = []
    acts: list[list[Act] | None] = []
    for n in range(max(reflections, questions)):
        turns += [P("Het gaat thuis niet zo goed met hem."), T(f"Beurt {n} van de leerkracht.")]
        codes = (["paraphrase"] if n < reflections else []) + (["open_question"] if n < questions else [])
        acts += [None, A(*codes)]
    return turns, acts


def test_reflection_ratio_follows_the_miti_thresholds() -> None:
    cfg = scoring_config()
    scores = {}
    for r, q in ((0, 4), (4, 4), (8, 4)):
        turns, acts = _ratio_conversation(r, q)
        scores[(r, q)] = _sub(score(turns, acts=acts), "listening", "reflection_ratio")
    assert scores[(0, 4)] < scores[(4, 4)] < scores[(8, 4)]
    assert cfg.fair <= scores[(4, 4)] < cfg.good, "1:1 is fair"
    assert scores[(8, 4)] >= cfg.good, "2:1 is good"


def test_a_check_after_a_summary_is_not_counted_as_a_closed_question() -> None:
    turns = [P("Hij slaapt slecht en eet weinig."), T("Als ik het samenvat: ... Klopt dat?"), P("Ja.")]
    turns += [T("Hoe merkt u dat thuis?"), P("Hij is stil.")]
    acts = [None, A("summary", "closed_question"), None, A("open_question"), None]
    report = score(turns, acts=acts)
    assert _sub(report, "listening", "open_questions") == 100
    turns2 = [*turns[:1], T("Slaapt hij slecht?"), *turns[2:]]
    acts2 = [None, A("closed_question"), None, A("open_question"), None]
    assert _sub(score(turns2, acts=acts2), "listening", "open_questions") < 100


def _emotion_case(first_teacher: list[Act], second_teacher: list[Act]) -> Report:
    turns = [
        T("Goedemiddag, fijn dat u er bent."),
        P("Ik ben echt boos over hoe dit gegaan is."),
        T("Eerste reactie van de leerkracht."),
        P("Ja."),
        T("Tweede reactie van de leerkracht."),
        P("Oké."),
    ]
    return score(turns, acts=[[], None, first_teacher, None, second_teacher, None])


def test_emotion_acknowledged_before_advice_scores_higher_than_advice_first() -> None:
    acknowledged = _emotion_case(A("feeling_reflection", "open_question"), A("premature_advice"))
    later = _emotion_case(A("open_question"), A("feeling_reflection"))
    advice_first = _emotion_case(A("premature_advice"), A("feeling_reflection"))
    yes_but = _emotion_case(A("feeling_reflection", "defending"), [])
    a, lt, b, yb = (_sub(r, "listening", "emotion_first") for r in (acknowledged, later, advice_first, yes_but))
    assert a > lt > b
    assert a >= b + 50
    assert b < yb < a, "'ik begrijp dat u boos bent, maar...' acknowledges and blocks at once"


def test_no_parent_emotion_means_emotion_first_is_not_scored() -> None:
    turns = [T("Goedemiddag."), P("Goedemiddag, ik kom voor het rapport."), T("Hoe kijkt u ernaar?"), P("Prima.")]
    report = score(turns, acts=[[], None, A("open_question"), None])
    assert report.listening.subscore("emotion_first") is None


def test_long_information_after_an_emotion_counts_as_blocking() -> None:
    lecture = " ".join(["We volgen de ontwikkeling van alle kinderen heel nauwkeurig met toetsen."] * 6)
    turns = [P("Ik maak me echt zorgen om haar."), T(lecture), P("Hm."), T("U maakt zich zorgen."), P("Ja.")]
    report = score(turns, acts=[None, [], None, A("feeling_reflection"), None])
    sub = report.listening.subscore("emotion_first")
    assert sub is not None and sub.score <= 20
    assert "We volgen de ontwikkeling" in sub.explanation


def _empathy(lines: list[str], codes: list[list[str]]) -> Report:
    turns: Turns = []
    acts: list[list[Act] | None] = []
    for line, c in zip(lines, codes, strict=True):
        turns += [P("Ik weet het echt niet meer."), T(line)]
        acts += [None, A(*c)]
    return score(turns, acts=acts)


def test_the_same_empathy_formula_three_times_is_penalised() -> None:
    canned = _empathy(
        [
            "Ik zie dat u boos bent. Wat is er?",
            "Ik zie dat u verdrietig bent. Wat is er?",
            "Ik zie dat u bang bent. En?",
        ],
        [["feeling_reflection", "open_question"]] * 3,
    )
    varied = _empathy(
        ["U klinkt boos. Wat raakt u?", "Dat maakt u verdrietig. Wat mist u?", "Het is spannend voor u. Wat vreest u?"],
        [["feeling_reflection", "open_question"]] * 3,
    )
    assert _sub(canned, "listening", "canned_empathy") <= _sub(varied, "listening", "canned_empathy") - 50
    sub = canned.listening.subscore("canned_empathy")
    assert sub is not None and "Ik zie dat u" in sub.explanation


def test_a_named_feeling_without_a_question_is_penalised() -> None:
    followed = _empathy(
        ["U bent teleurgesteld. Wat had u verwacht?", "Goed."], [["feeling_reflection", "open_question"], []]
    )
    unfollowed = _empathy(["U bent teleurgesteld.", "Het advies blijft staan."], [["feeling_reflection"], []])
    assert _sub(unfollowed, "listening", "canned_empathy") < _sub(followed, "listening", "canned_empathy")
    assert _sub(followed, "listening", "canned_empathy") == 100


def test_roadblocks_and_jargon_cost_points() -> None:
    turns = [P("Hij is thuis heel anders."), T("Waarom zegt u dat?"), P("Omdat het zo is."), T("Dat staat in het LVS.")]
    clean = score(turns, acts=[None, A("open_question"), None, []])
    blocked = score(turns, acts=[None, A("why_question"), None, A("jargon", "defending")])
    assert _sub(blocked, "listening", "roadblocks") < _sub(clean, "listening", "roadblocks") == 100
    assert _sub(blocked, "listening", "jargon") < _sub(clean, "listening", "jargon") == 100


def _boundary_case(teacher_after: list[list[Act]], **ctx: object) -> Report:
    turns: Turns = [T("We hebben twintig minuten."), P("Dit is ONZIN, ik ACCEPTEER dit niet!")]
    acts: list[list[Act] | None] = [A("structuring"), None]
    for n, a in enumerate(teacher_after):
        turns += [T(f"Reactie {n} van de leerkracht."), P("Nou, goed dan.")]
        acts += [a, None]
    return score(turns, ScoreContext(**ctx), acts=acts)  # type: ignore[arg-type]


def test_naming_the_limit_within_two_teacher_turns() -> None:
    first = _boundary_case([A("name_limit"), []])
    second = _boundary_case([[], A("i_message")])
    never = _boundary_case([[], [], A("name_limit")])
    f, s, n = (_sub(r, "boundaries", "name_limit") for r in (first, second, never))
    assert f > s > n
    assert n == 0


def test_engine_boundary_turns_override_cue_detection() -> None:
    ignored = _boundary_case([[]], boundary_turns=())
    assert ignored.boundaries.no_boundary_moment is True
    turns = [T("Goedemiddag."), P("Ik wil weten wat er met dat andere jongetje gebeurt."), T("Dat snap ik.")]
    forced = score(turns, ScoreContext(boundary_turns=(1,)), acts=[[], None, []])
    assert forced.boundaries.boundary_turns == (1,)
    assert _sub(forced, "boundaries", "name_limit") == 0


def test_i_message_beats_you_message() -> None:
    i_msg = _boundary_case([A("name_limit", "i_message")])
    you_msg = _boundary_case([A("name_limit", "you_message")])
    assert _sub(i_msg, "boundaries", "i_message") >= _sub(you_msg, "boundaries", "i_message") + 50


def _threat_case(teacher_acts: list[list[Act]], last_teacher: str = "Goed.") -> Report:
    turns: Turns = [T("We hebben twintig minuten."), P("Dit is ONZIN, ik ACCEPTEER dit niet!")]
    acts: list[list[Act] | None] = [A("structuring"), None]
    for n, a in enumerate(teacher_acts):
        text = last_teacher if n == len(teacher_acts) - 1 else f"Reactie {n}."
        turns += [T(text), P("Ik neem een advocaat, dan zie ik u bij de rechter!")]
        acts += [a, None]
    return score(turns, acts=acts)


def test_a_consequence_repeated_three_times_is_an_empty_threat() -> None:
    once = _threat_case([A("name_limit"), A("consequence"), []], last_teacher="Dan stop ik nu het gesprek.")
    thrice = _threat_case([A("name_limit", "consequence"), A("consequence"), A("consequence")])
    never = _threat_case([A("name_limit"), [], []])
    o, t, n = (_sub(r, "boundaries", "consequence") for r in (once, thrice, never))
    assert o > n > t
    sub = thrice.boundaries.subscore("consequence")
    assert sub is not None and "3 keer" in sub.explanation


def test_caving_loses_the_position_and_holding_keeps_it() -> None:
    held = _boundary_case([A("name_limit"), A("holds_position")])
    caved = _boundary_case([A("name_limit"), A("caving")])
    assert _sub(held, "boundaries", "position") >= _sub(caved, "boundaries", "position") + 50


def test_counter_attack_is_penalised() -> None:
    calm = _boundary_case([A("name_limit")])
    attack = _boundary_case([A("counter_attack")])
    assert _sub(calm, "boundaries", "no_counter_attack") == 100
    assert _sub(attack, "boundaries", "no_counter_attack") < 50


def test_structure_rewards_an_opening_and_a_next_step() -> None:
    turns = [T("a"), P("b"), T("c"), P("d"), T("e"), P("f"), T("g"), P("h")]
    both = score(turns, acts=[A("structuring"), None, [], None, [], None, A("structuring"), None])
    start = score(turns, acts=[A("structuring"), None, [], None, [], None, [], None])
    none = score(turns, acts=[[], None, [], None, [], None, [], None])
    b, s, n = (_sub(r, "boundaries", "structure") for r in (both, start, none))
    assert b > s > n
    assert b == 100 and n == 0


def test_bad_news_in_the_third_turn_is_late() -> None:
    opening = [T("Goedemiddag, komt u binnen."), P("Dank u."), T("Hoe gaat het met u?"), P("Goed.")]
    early = [T("Ik heb helaas geen goed nieuws: het advies wordt vmbo-kb."), P("O nee.")]
    late = score([*opening, *early], ScoreContext(bad_news=True), acts=[[], None, [], None, [], None])
    first = score(early, ScoreContext(bad_news=True), acts=[[], None])
    assert late.bad_news and first.bad_news
    assert _sub(first, "bad_news", "news_early") >= _sub(late, "bad_news", "news_early") + 50


def test_bad_news_not_requested_gives_no_bad_news_section() -> None:
    report = score([T("Het advies wordt vmbo-kb."), P("O.")], acts=[[], None])
    assert report.bad_news is None


# ---------------------------------------------------------------------------------------
# Edges, cues, data file, renderers


def test_empty_and_invalid_input() -> None:
    empty = score([])
    assert empty.listening.score == 0 and empty.listening.subscores == ()
    assert empty.turns == ()
    with pytest.raises(ValueError, match="speaker"):
        score([("leerling", "Hallo")])
    with pytest.raises(ValueError):
        score([T("Hallo")], acts=[])


def test_parent_cues() -> None:
    assert parent_crosses_line("Dan stap ik naar mijn advocaat.")
    assert parent_crosses_line("Dit is ONZIN, ik ACCEPTEER dit niet")
    assert not parent_crosses_line("Hij zit op de HAVO en haalt goede cijfers.")
    assert not parent_crosses_line("Ik vind het jammer, maar ik begrijp het.")
    assert parent_shows_emotion("Ik lig er echt wakker van.")
    assert not parent_shows_emotion("Jullie moeten ervoor zorgen dat hij meedoet.")


def test_quote_is_short_and_marks_what_it_leaves_out() -> None:
    text = "Goedemiddag. " + " ".join(f"woord{n}" for n in range(30)) + " en dat accepteer ik niet. Klopt dat?"
    q = quote(text, evidence="dat accepteer ik niet", max_words=8)
    assert q.startswith("...") and not q.endswith("...")
    assert "accepteer" in q and len(q.replace("...", "").split()) <= 8
    assert quote("Klopt dat?") == "Klopt dat?"


def test_data_file_texts_are_calm() -> None:
    raw = scoring_config().raw

    def strings(node: object) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, dict):
            return [s for v in node.values() for s in strings(v)]
        if isinstance(node, list):
            return [s for v in node for s in strings(v)]
        return []

    texts = strings({k: raw[k] for k in ("listening", "boundaries", "bad_news")})
    assert texts
    assert not [t for t in texts if "!" in t]


def test_renderers_use_dutch_headings_and_quote_the_teacher() -> None:
    report = run("badnews_sandwich", "hand_coded", bad_news=True, scenario_title="Adviesgesprek Noor")
    text = render_text(report)
    md = render_markdown(report.to_dict())
    flat = " ".join(text.split())  # the text renderer wraps lines
    for heading in ("Luisteren", "Grenzen stellen", "Slecht nieuws", "Per beurt"):
        assert heading in text
        assert f"## {heading}" in md
    assert "Adviesgesprek Noor" in flat and md.startswith("# Gespreksverslag")
    assert "Het voorlopig advies wordt vmbo-kb" in flat
    assert "Beurt 5" in flat, "turns are numbered from 1 for people"
    assert "vakjargon" in flat, "acts per turn are shown with Dutch names"
    no_news = " ".join(render_text(run("no_boundary", "hand_coded")).split())
    assert "Slecht nieuws" not in no_news and "niet over een grens" in no_news


def test_the_broken_record_is_not_mistaken_for_a_canned_formula() -> None:
    line = "Ik begrijp dat u dat wilt, en het advies blijft vmbo-gt."
    turns: Turns = []
    acts: list[list[Act] | None] = []
    for _ in range(3):
        turns += [P("Ik wil dat het havo wordt."), T(line)]
        acts += [None, A("holds_position")]
    report = score(turns, acts=acts)
    assert report.listening.subscore("canned_empathy") is None
    assert _sub(report, "boundaries", "position") == 100


def test_a_conditional_threat_is_not_mistaken_for_following_through() -> None:
    repeated = _threat_case(
        [A("name_limit"), A("consequence"), []], last_teacher="Als u zo doorgaat, stop ik het gesprek."
    )
    done = _threat_case([A("name_limit"), A("consequence"), []], last_teacher="Dan stop ik nu het gesprek.")
    assert _sub(done, "boundaries", "consequence") > _sub(repeated, "boundaries", "consequence")


def test_a_consequence_handles_a_new_crossing_once_the_limit_was_named() -> None:
    escalated = _threat_case([A("name_limit"), A("consequence")])
    unnamed = _threat_case([[], A("consequence")])
    assert _sub(escalated, "boundaries", "name_limit") == 100
    assert _sub(unnamed, "boundaries", "name_limit") < 50
