"""The layering a newcomer reads in README's architecture section, enforced.

`.importlinter` holds the contracts (feedback stands alone, the engine never imports the app,
the simulator's layers point one way). A second check runs Python itself: starting the app
and the CLI must not import torch or transformers, so the scripted voice starts fast.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_app_and_cli_start_without_torch_or_transformers() -> None:
    code = (
        "import sys; import simulator.cli, simulator.app.app, simulator.engine.session, feedback.acts; "
        "bad = [m for m in ('torch', 'transformers') if m in sys.modules]; print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
