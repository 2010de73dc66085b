"""Fuzz every file reader with hypothesis: whatever the bytes, it returns or says one Dutch line, quickly.

Readers: content YAML (validate), transcript JSON, config TOML, `acts` JSON-Lines input and
`gold-export` input. Each gets random bytes, random YAML/JSON trees, deep nesting and huge
strings. A reader may accept the input or raise its own error type whose every problem is a
single line naming the file; any other exception (a traceback for the user) fails the test.
All examples together stay well under 60 s (see `FUZZ`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from simulator.content.problems import ContentError
from simulator.records.overrides import gold_from_files
from simulator.records.transcript import load_transcript
from simulator.settings.config import ConfigError, read_file
from simulator.validate import validate_paths

FUZZ = settings(
    max_examples=60,
    deadline=3000,
    derandomize=True,  # the same examples in CI as here: a failure is reproducible
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a slow failing example must not run for minutes
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
TIME_LIMIT_S = 3.0

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
trees = st.recursive(
    scalars,
    lambda kids: st.lists(kids, max_size=5) | st.dictionaries(st.text(max_size=12), kids, max_size=5),
    max_leaves=30,
)


def _deep(open_: str, close: str) -> st.SearchStrategy[str]:
    return st.integers(50, 20_000).map(lambda n: open_ * n + close * n)


huge_strings = st.integers(10_000, 3_000_000).map(lambda n: "x" * n)
hostile_text = st.one_of(
    st.text(max_size=500),
    st.binary(max_size=500).map(lambda b: b.decode("latin-1")),
    _deep("[", "]"),
    _deep("{a: ", "}"),
    _deep('{"a": ', "}"),
    _deep("- ", ""),
    huge_strings,
)


def _file(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(data)
    return path


def _bounded(call: Callable[[], Any], *errors: type[Exception]) -> list[str]:
    """Run one reader: it may return or raise `errors`; its lines come back. Anything else fails the test."""
    started = time.monotonic()
    lines: list[str] = []
    try:
        result = call()
    except ContentError as err:
        lines = [str(p) for p in err.problems]
    except errors as err:
        lines = [str(err)]
    else:
        if isinstance(result, list):
            lines = [str(p) for p in result]
    assert time.monotonic() - started < TIME_LIMIT_S
    for line in lines:
        assert line and "\n" not in line and "\r" not in line and "Traceback" not in line
        assert "\x1b" not in line
    return lines


# --- content YAML -------------------------------------------------------------------------


@FUZZ
@given(data=st.binary(max_size=2000))
def test_content_yaml_random_bytes(tmp_path: Path, data: bytes) -> None:
    path = _file(tmp_path, "inhoud.yaml", data)
    for line in _bounded(lambda: validate_paths([path])):
        assert line.startswith(str(path))


@FUZZ
@given(tree=trees)
def test_content_yaml_random_trees(tmp_path: Path, tree: Any) -> None:
    path = _file(tmp_path, "inhoud.yaml", yaml.safe_dump(tree, allow_unicode=True))
    for line in _bounded(lambda: validate_paths([path])):
        assert line.startswith(str(path))


@FUZZ
@given(text=hostile_text)
def test_content_yaml_deep_and_huge(tmp_path: Path, text: str) -> None:
    path = _file(tmp_path, "inhoud.yaml", "a: " + text)
    _bounded(lambda: validate_paths([path]))


# --- transcript JSON ---------------------------------------------------------------------


@FUZZ
@given(data=st.binary(max_size=2000))
def test_transcript_random_bytes(tmp_path: Path, data: bytes) -> None:
    path = _file(tmp_path, "t.json", data)
    _bounded(lambda: load_transcript(path))


@FUZZ
@given(tree=trees, turns=st.lists(trees, max_size=6))
def test_transcript_random_trees(tmp_path: Path, tree: Any, turns: list[Any]) -> None:
    for doc in (tree, {"turns": turns}, {"turns": [{"speaker": "teacher", "text": t} for t in turns]}):
        path = _file(tmp_path, "t.json", json.dumps(doc))
        _bounded(lambda path=path: load_transcript(path))  # type: ignore[misc]
        _bounded(lambda path=path: validate_paths([path]))  # type: ignore[misc]


@FUZZ
@given(text=hostile_text)
def test_transcript_deep_and_huge(tmp_path: Path, text: str) -> None:
    path = _file(tmp_path, "t.json", '{"turns": [{"speaker": "teacher", "text": ' + json.dumps(text) + "}]}")
    _bounded(lambda: load_transcript(path))
    raw = _file(tmp_path, "r.json", '{"turns": ' + text + "}")
    _bounded(lambda: load_transcript(raw))


# --- config TOML ---------------------------------------------------------------------------


@FUZZ
@given(data=st.binary(max_size=2000))
def test_config_random_bytes(tmp_path: Path, data: bytes) -> None:
    path = _file(tmp_path, "config.toml", data)
    for line in _bounded(lambda: read_file(path), ConfigError):
        assert line.startswith(str(path))


@FUZZ
@given(text=hostile_text, key=st.sampled_from(["voice", "threads", "theme", "extra", "[tabel]\na"]))
def test_config_deep_huge_and_wrong_types(tmp_path: Path, text: str, key: str) -> None:
    path = _file(tmp_path, "config.toml", f"{key} = {text}\n")
    _bounded(lambda: read_file(path), ConfigError)


# --- acts JSON Lines ---------------------------------------------------------------------


@FUZZ
@given(lines=st.lists(st.one_of(hostile_text, trees.map(json.dumps)), min_size=1, max_size=4))
def test_acts_input_lines(lines: list[str]) -> None:
    import io

    from feedback.acts_jsonl import run
    from simulator.limits import MAX_TURN_CHARS

    started = time.monotonic()
    stdin = io.StringIO("".join(line.replace("\n", " ") + "\n" for line in lines))
    stdout = io.StringIO()
    run(stdin, stdout, max_chars=MAX_TURN_CHARS)
    assert time.monotonic() - started < TIME_LIMIT_S
    out = [json.loads(x) for x in stdout.getvalue().splitlines()]
    assert len(out) == len(lines)


# --- gold-export input ---------------------------------------------------------------------


@FUZZ
@given(files=st.lists(st.one_of(st.binary(max_size=500), trees.map(json.dumps), hostile_text), max_size=3))
def test_gold_export_input(tmp_path: Path, files: list[bytes | str]) -> None:
    folder = tmp_path / "transcripten"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for i, data in enumerate(files):
        _file(folder, f"{i}.json", data)
    _file(folder, "notitie.txt", "geen transcript")
    text, problems = gold_from_files([folder, folder / "notitie.txt"])
    assert len(problems) >= 1  # the named .txt file is reported
    for p in problems:
        assert "\n" not in str(p)
    assert all(json.loads(line) for line in text.splitlines())
