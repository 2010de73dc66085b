"""A trainer can see whether the parent understands meaning or only keywords."""

from __future__ import annotations

from tests.conftest import run_cli


def test_models_names_the_sentence_embedder_and_says_when_only_keywords_work(tmp_path) -> None:
    missing = tmp_path / "geen-model"
    result = run_cli("models", env={"OUDERGESPREK_EMBEDDER": str(missing)})
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("Zinsbegrip"))
    assert "alleen trefwoorden" in line and "bestaat niet" in line


def test_models_reports_the_keyword_choice_plainly() -> None:
    result = run_cli("models", env={"OUDERGESPREK_EMBEDDER": "keywords"})
    assert result.returncode == 0, result.stderr
    assert "Zinsbegrip: alleen trefwoorden." in result.stdout
