"""A trainer's cohort view: 60 attempts by 10 students over 3 scenarios, played through the engine.

The expected numbers are recomputed from the transcripts themselves (their stored acts and
reports), never written down, so the tests check the counting and grouping, not the engine.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from simulator.records.cohort import Cohort, pseudonym
from simulator.records.cohort_files import Limits
from simulator.records.cohort_load import load_cohort
from simulator.records.cohort_render import CSV_BASE_COLUMNS, csv_columns, to_csv, to_html, to_text
from simulator.records.cohort_words import words
from simulator.records.feedback_bridge import report_for
from simulator.records.transcript import Transcript, load_transcript
from tests.conftest import run_cli
from tests.records.cohort_fixtures import SCENARIOS, STUDENTS, generate, write


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The generated cohort, written as a trainer receives it: one JSON file per attempt.

    Played with the keyword embedder: these tests count and group attempts, and 60 plays
    with a semantic model would take minutes on a small machine.
    """
    out = tmp_path_factory.mktemp("cohort") / "inleveringen"
    from feedback.embed import reset_embedder

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OUDERGESPREK_EMBEDDER", "keywords")
        reset_embedder()
        try:
            write(generate(), out)
        finally:
            reset_embedder()  # later tests load the embedder they would have had
    yield out


@pytest.fixture(scope="module")
def transcripts(folder: Path) -> list[Transcript]:
    return [load_transcript(p) for p in sorted(folder.glob("*.json"))]


@pytest.fixture(scope="module")
def cohort(folder: Path) -> Cohort:
    return load_cohort([folder])


def name_parts() -> set[str]:
    """Every real name and each of its words (first names, surnames), as a leak check looks for them."""
    parts = set()
    for name in STUDENTS:
        plain = re.sub(r"<[^>]+>", " ", name)
        parts.add(name)
        parts.update(w for w in re.findall(r"[^\W\d_]+", plain) if len(w) >= 3 and w.lower() != "van")
    return parts


def test_counts(cohort: Cohort, transcripts: list[Transcript]) -> None:
    assert len(transcripts) >= 30
    assert len(cohort.attempts) == len(transcripts)
    students = cohort.students()
    assert sorted(s.name for s in students) == sorted(STUDENTS)
    for s in students:
        assert len(s.attempts) == sum(1 for t in transcripts if t.trainee == s.name)
    by_scenario = {sc.scenario: sc.count for sc in cohort.scenarios()}
    assert by_scenario == {sid: sum(1 for t in transcripts if t.scenario_id == sid) for sid in SCENARIOS}
    assert cohort.skipped == [] and cohort.duplicates == 0


def test_a_students_trend_runs_from_first_to_last_attempt(cohort: Cohort, transcripts: list[Transcript]) -> None:
    student = next(s for s in cohort.students() if s.name == STUDENTS[0])
    own = sorted((t for t in transcripts if t.trainee == STUDENTS[0]), key=lambda t: t.started_at)  # type: ignore[arg-type,return-value]
    first, last = report_for(own[0]).to_dict(), report_for(own[-1]).to_dict()
    assert student.first.id == own[0].id and student.last.id == own[-1].id
    assert student.trend_listening == last["listening"]["score"] - first["listening"]["score"]
    assert student.scores("listening")[0] == first["listening"]["score"]
    # Later attempts take more lines from the good scripts: the group as a whole improves in listening.
    assert sum(s.trend_listening or 0 for s in cohort.students()) > 0


def test_sub_skill_percentage_counts_students_who_show_it_at_least_once(
    cohort: Cohort, transcripts: list[Transcript]
) -> None:
    def summarised(t: Transcript) -> bool:
        return any(a.code == "summary" for turn in t.turns if turn.speaker == "teacher" for a in turn.acts or [])

    expected = sum(1 for name in STUDENTS if any(summarised(t) for t in transcripts if t.trainee == name))
    stats = next(k for k in cohort.skills() if k.id == "summary")
    assert (stats.shown, stats.total) == (expected, len(STUDENTS))
    never = words().text.never.format(percent=round(100 - 100 * expected / len(STUDENTS)), phrase=stats.never)
    assert never in to_text(cohort)


def test_csv_has_one_row_per_attempt_and_stable_columns(cohort: Cohort) -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(cohort))))
    assert list(rows[0]) == csv_columns()
    assert csv_columns()[: len(CSV_BASE_COLUMNS)] == list(CSV_BASE_COLUMNS)
    assert {"student", "scenario", "date", "listening", "boundaries", "self_listening"} <= set(CSV_BASE_COLUMNS)
    assert len(rows) == len(cohort.attempts)
    assert {r["attempt_id"] for r in rows} == {a.id for a in cohort.attempts}
    for r in rows:
        assert 0 <= int(r["listening"]) <= 100
        assert r["boundaries"] == "" or 0 <= int(r["boundaries"]) <= 100
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", r["date"])
        assert r["shown_summary"] in {"0", "1"}


def test_anonymise_leaves_no_real_name_in_any_output(folder: Path, tmp_path: Path) -> None:
    files, outputs = {}, {}
    for fmt in ("text", "csv", "html"):
        out = tmp_path / f"groep.{fmt}"
        result = run_cli("cohort", str(folder), "--format", fmt, "-o", str(out), "--anonymise")
        assert result.returncode == 0, result.stderr
        files[fmt] = out.read_text(encoding="utf-8")
        outputs[fmt] = files[fmt] + result.stdout + result.stderr
    for fmt, text in outputs.items():
        for part in name_parts():
            assert part.lower() not in text.lower(), f"{part!r} appears in the {fmt} output"
    aliases = {pseudonym(n) for n in STUDENTS}
    assert len(aliases) == len(STUDENTS)
    assert all(alias in files["csv"] for alias in aliases)
    again = run_cli("cohort", str(folder), "--format", "csv", "--anonymise")
    assert again.stdout == files["csv"], "the same name always gets the same pseudonym"


def test_anonymise_scrubs_names_from_quotes(cohort: Cohort) -> None:
    a = cohort.attempts[0]
    named = replace(a, quotes={"summary": f"Ik ben {a.student}, en als ik {a.student.split()[0]} samenvat…"})
    hidden = Cohort([named, *cohort.attempts[1:]]).anonymised_copy()
    quote = hidden.attempts[0].quotes["summary"]
    assert a.student.split()[0] not in quote and a.student.split()[-1] not in quote
    assert pseudonym(a.student) in quote


def test_damaged_newer_and_hostile_files_are_listed_while_the_rest_loads(folder: Path, tmp_path: Path) -> None:
    mixed = tmp_path / "lms"
    shutil.copytree(folder, mixed)
    files = sorted(mixed.glob("*.json"))
    (mixed / "kapot.json").write_text(files[0].read_text(encoding="utf-8")[:200], encoding="utf-8")
    newer = json.loads(files[1].read_text(encoding="utf-8"))
    newer.update(schema="oudergesprek.transcript/2", id="nieuwer00001", extra_in_v2=True)
    (mixed / "nieuw.json").write_text(json.dumps(newer), encoding="utf-8")
    (mixed / "latin1.json").write_bytes('{"turns": ["caf\xe9"]}'.encode("latin-1"))
    (mixed / "verslag.pdf").write_bytes(b"%PDF-1.4")
    with zipfile.ZipFile(mixed / "inzending.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for f in files[:3]:
            zf.write(f, f"map/{f.name}")  # the same transcript ids again
        zf.writestr("../../buiten.json", files[3].read_text(encoding="utf-8"))
        zf.writestr("bom.json", " " * (3 * 1024 * 1024))  # compresses to a few KB
        zf.writestr("binnen.zip", b"PK")
    (mixed / "geen-zip.zip").write_bytes(b"dit is geen zip")

    group = load_cohort([mixed], limits=Limits(file_bytes=1024 * 1024))
    assert len(group.attempts) == len(files), "every good transcript still loads"
    assert group.duplicates == 3
    reasons = {Path(s.name.split(":")[-1]).name: s.reason for s in group.skipped}
    assert "regel" in reasons["kapot.json"] or "JSON" in reasons["kapot.json"]
    assert "nieuwere versie" in reasons["nieuw.json"] and "transcript/2" in reasons["nieuw.json"]
    assert "UTF-8" in reasons["latin1.json"]
    assert "verslag.pdf" in reasons
    assert reasons["buiten.json"] == words().reasons.unsafe_name
    assert "te groot" in reasons["bom.json"]
    assert reasons["binnen.zip"] == words().reasons.nested_zip
    assert reasons["geen-zip.zip"] == words().reasons.bad_zip

    result = run_cli("cohort", str(mixed), "--format", "text")
    assert result.returncode == 0, result.stderr
    assert "kapot.json" in result.stdout and "nieuw.json" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_csv_cells_never_start_a_formula(transcripts: list[Transcript], tmp_path: Path) -> None:
    t = transcripts[0].model_copy(update={"trainee": '=HYPERLINK("http://x")', "id": "formule00001"})
    path = tmp_path / "f.json"
    path.write_text(t.to_json(), encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(to_csv(load_cohort([path])))))
    assert rows[0]["student"].startswith("'=")


def test_html_is_one_self_contained_page_with_escaped_names(cohort: Cohort) -> None:
    page = to_html(cohort)
    lowered = page.lower()
    assert "<script" not in lowered and "http://" not in lowered and "https://" not in lowered
    assert "@import" not in lowered and "url(" not in lowered and "<link" not in lowered
    assert page.count("<svg") >= len(cohort.students()) + len(cohort.scenarios())
    assert "<b>Hoekstra</b>" not in page and "&lt;b&gt;Hoekstra&lt;/b&gt;" in page


MEASURE = """<script>
window.addEventListener('load', () => {
  let worst = 0;
  for (const el of document.querySelectorAll('body *')) {
    worst = Math.max(worst, el.getBoundingClientRect().right);
  }
  const page = document.documentElement.scrollWidth;
  document.title = 'MEASURE ' + Math.ceil(Math.max(worst, page)) + ' ' + window.innerWidth;
});
</script>"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.parametrize("width", [1000, 420])
def test_html_screenshot_in_headless_chromium_nothing_escapes_the_page(
    cohort: Cohort, tmp_path: Path, width: int
) -> None:
    browser = chromium()
    if browser is None:
        pytest.skip("headless Chromium is not installed (apt-get install chromium)")
    page = tmp_path / "groep.html"
    page.write_text(to_html(cohort.anonymised_copy()), encoding="utf-8")
    shot = tmp_path / "groep.png"
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--window-size={width},1600"]
    subprocess.run([*flags, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120, check=False)
    assert shot.exists() and shot.stat().st_size > 10_000, "Chromium rendered the page"
    # The shipped page has no scripts; a copy with one measures every element against the window.
    probe = tmp_path / "meten.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    probe.write_text(probe.read_text(encoding="utf-8").replace("default-src 'none'", "script-src 'unsafe-inline'"))
    dom = subprocess.run(
        [*flags, "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    ).stdout
    found = re.search(r"<title>MEASURE (\d+) (\d+)</title>", dom)
    assert found, dom[-500:]
    right, window = int(found.group(1)), int(found.group(2))
    assert right <= window, f"content reaches {right}px in a {window}px window"


def test_every_sub_skill_names_real_act_codes_and_sub_scores() -> None:
    """A renamed act or sub-score must fail here, not silently show '0 %' for the whole group."""
    import yaml

    from feedback.codes import ALL_CODES

    scoring = yaml.safe_load((Path(__file__).resolve().parents[2] / "feedback/data/scoring.yaml").read_text("utf-8"))
    for skill in words().skills:
        assert set(skill.acts) <= set(ALL_CODES), skill.id
        if skill.subscore:
            dim, sid = skill.subscore.split(".")
            assert sid in scoring[dim]["subscores"], skill.subscore


def test_a_large_cohort_read_by_worker_processes_equals_one_read_in_process(
    transcripts: list[Transcript], tmp_path: Path
) -> None:
    from simulator.records.cohort_load import BATCH

    for i in range(BATCH + 40):
        t = transcripts[i % len(transcripts)].model_copy(update={"id": f"groot{i:06d}"})
        (tmp_path / f"{i}.json").write_text(t.to_json(), encoding="utf-8")
    (tmp_path / "kapot.json").write_text("{", encoding="utf-8")
    one, many = load_cohort([tmp_path], workers=1), load_cohort([tmp_path], workers=2)
    assert len(one.attempts) == BATCH + 40
    assert [(a.id, a.listening, a.boundaries, dict(a.shown)) for a in one.attempts] == [
        (a.id, a.listening, a.boundaries, dict(a.shown)) for a in many.attempts
    ]
    assert [s.name for s in one.skipped] == [s.name for s in many.skipped] == [str(tmp_path / "kapot.json")]


def test_anonymise_hides_a_name_quoted_in_the_reason_a_file_was_not_read(tmp_path: Path) -> None:
    """A student whose only file is damaged has no pseudonym yet; the reason must not quote their name."""
    bad = tmp_path / "zoe-geheimnaam.json"
    bad.write_text(json.dumps({"trainee": ["Zoë Geheimnaam"], "turns": []}), encoding="utf-8")
    group = load_cohort([bad])
    assert group.skipped, "the damaged file is listed"
    hidden = to_text(group.anonymised_copy()) + to_html(group.anonymised_copy())
    assert "geheimnaam" not in hidden.lower() and "zoë" not in hidden.lower()
