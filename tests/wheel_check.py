"""`./dev wheel-check`: build the wheel, install it in a fresh venv, and use it as a trainee would.

Not collected by pytest (it takes a minute and installs packages): `./dev
wheel-check` runs it, and so does `.ci/run`. It proves that `pip install` of the
built wheel, outside the source tree, gives a working `oudergesprek list` and
`play` with all YAML content included. The fresh venv gets the base dependencies
only (the `./dev start` profile), from the same package index pip uses here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sh(*cmd: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(f"wheel-check: failed: {' '.join(str(c) for c in cmd)}")
    return result.stdout


def main() -> None:
    start = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="oudergesprek-wheel-"))
    try:
        dist = work / "dist"
        # pip builds the wheel with hatchling in an isolated build env, exactly as `pip install .` would.
        sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", dist, ROOT)
        wheels = sorted(dist.glob("oudergesprek-*.whl"))
        assert wheels, "no wheel was built"
        venv = work / "venv"
        sh(sys.executable, "-m", "venv", venv)
        py = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
        sh(py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheels[0])
        exe = py.parent / "oudergesprek"
        outside = work / "elsewhere"  # not the source tree: only the installed package can be imported
        outside.mkdir()
        env = {**os.environ, "OUDERGESPREK_HOME": str(work / "home"), "OUDERGESPREK_CACHE": str(work / "cache")}
        env.pop("PYTHONPATH", None)
        listing = sh(exe, "list", cwd=outside, env=env)
        assert "schooladvies-vmbo-gt" in listing and "jeroen-pleitbezorger" in listing, listing
        sh(exe, "validate", cwd=outside, env=env)
        script = outside / "script.txt"
        shutil.copy(ROOT / "tests" / "data" / "scripts" / "schooladvies-vmbo-gt.good.txt", script)
        played = sh(
            exe, "play", "--scenario", "schooladvies-vmbo-gt", "--persona", "jeroen-pleitbezorger",
            "--script", script, cwd=outside, env=env,
        )
        assert "Afloop:" in played and "Opgeslagen:" in played, played
        where = sh(py, "-c", "import simulator; print(simulator.__file__)", cwd=outside, env=env)
        assert str(venv) in where, f"imported from the source tree, not the wheel: {where}"
        heavy = sh(py, "-c", "import importlib.util as u; print(u.find_spec('torch') is None)", cwd=outside, env=env)
        print(f"wheel-check: {wheels[0].name} installs and plays in a fresh venv "
              f"(torch absent: {heavy.strip()}), {time.perf_counter() - start:.0f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
