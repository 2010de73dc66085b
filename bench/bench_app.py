"""How fast the app feels: time to the first screen, and key latency while the parent is talking.

Run: `python bench/bench_app.py [--runs N] [--keys N]`. Prints machine facts and
figures; asserts nothing (targets: first screen < 1 s without torch/transformers,
keys < 50 ms during a parent turn).

- First screen: a fresh interpreter per run, clock started by the parent process
  just before launch, stopped after the Start screen's first refresh (headless;
  timed by wrapping StartScreen.on_mount in the child process). "Content ready"
  is when the library has loaded in its worker and the choices are filled in.
- Key latency: in one headless app, keys are posted while the scripted voice
  streams a parent turn (a word per `--delay` s); latency is from posting the key
  event until the character is in the input box, measured only while streaming.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, sys, time
t0 = float(os.environ["BENCH_T0"])
import simulator.cli  # what `oudergesprek` imports before run_app()
from simulator.app.app import OudergesprekApp
from simulator.app.screens.start import StartScreen

marks = {}
original_on_mount = StartScreen.on_mount

def timed_on_mount(self):
    original_on_mount(self)
    self.call_after_refresh(lambda: marks.setdefault("painted_s", time.time() - t0))

StartScreen.on_mount = timed_on_mount

async def auto(pilot):
    from textual.widgets import Button
    while "painted_s" not in marks:
        await pilot.pause(0.001)
    marks["first_screen_s"] = marks["painted_s"]
    app = pilot.app
    while not any(not b.disabled for b in app.screen.query("#go").results(Button)):
        await pilot.pause(0.005)
        if time.time() - t0 > 30:
            break
    marks["content_ready_s"] = time.time() - t0
    marks["torch"] = "torch" in sys.modules
    marks["transformers"] = "transformers" in sys.modules
    app.exit()

OudergesprekApp().run(headless=True, size=(80, 24), auto_pilot=auto)
print("BENCH " + json.dumps(marks))
"""


def first_screen(runs: int) -> list[dict[str, float | bool]]:
    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as home:
            from simulator.settings.config import update_config

            os.environ["OUDERGESPREK_HOME"] = home
            update_config(trainee_name="Bench")  # a returning trainee: no name question
            env = {**os.environ, "BENCH_T0": repr(time.time()), "OUDERGESPREK_HOME": home}
            env["BENCH_T0"] = repr(time.time())
            out = subprocess.run(
                [sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
            )
        line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH ")), None)
        if line is None:
            print(out.stdout[-2000:], out.stderr[-2000:], file=sys.stderr)
            raise SystemExit("child run failed")
        results.append(json.loads(line.removeprefix("BENCH ")))
    return results


async def key_latency(keys: int, delay: float) -> tuple[list[float], list[float]]:
    """(latencies while streaming, latencies while idle), in seconds."""
    from textual import events

    from simulator.app.app import AppOptions, OudergesprekApp
    from simulator.app.widgets.chat import ChatInput
    from simulator.settings.config import update_config

    update_config(trainee_name="Bench")
    app = OudergesprekApp(options=AppOptions(voice_delay=delay, check_unfinished=False))
    streaming: list[float] = []
    idle: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        while not app.screen.query("#go") or app.screen.query_one("#go").disabled:
            await pilot.pause(0.01)
        await pilot.press("ctrl+n")
        while type(app.screen).__name__ != "DossierScreen":
            await pilot.pause(0.01)
        await pilot.press("x", "enter")
        while type(app.screen).__name__ != "GesprekScreen":
            await pilot.pause(0.01)
        screen = app.screen
        box = screen.query_one(ChatInput)
        lines = ["Hoe gaat het thuis?", "Wat merkt u daarvan?", "Kunt u daar meer over vertellen?"]
        turn = 0
        while len(streaming) < keys or len(idle) < keys // 4:
            if not screen.busy and len(streaming) < keys:
                if screen.session.ended:
                    break
                box.clear()
                box.insert(lines[turn % len(lines)])
                turn += 1
                await pilot.press("enter")
                while not screen.streaming and not screen.session.ended:
                    await asyncio.sleep(0.005)
                continue
            before = box.text
            was_streaming = screen.streaming
            t0 = time.perf_counter()
            app.post_message(events.Key("a", "a"))
            while box.text == before:
                await asyncio.sleep(0.0002)
            latency = time.perf_counter() - t0
            if was_streaming and screen.streaming:
                streaming.append(latency)
            elif not screen.busy:
                idle.append(latency)
            await asyncio.sleep(0.02)
    return streaming, idle


def summary(values: list[float], unit: float = 1000.0) -> str:
    if not values:
        return "no samples"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (
        f"median {statistics.median(ordered) * unit:.1f} ms, p95 {p95 * unit:.1f} ms, "
        f"max {ordered[-1] * unit:.1f} ms (n={len(ordered)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh starts for the first-screen figure")
    parser.add_argument("--keys", type=int, default=150, help="keys measured during parent turns")
    parser.add_argument("--delay", type=float, default=0.03, help="seconds per streamed word (app default 0.03)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    print(f"machine: {platform.platform()}, python {platform.python_version()}, os.cpu_count()={os.cpu_count()}")
    import textual

    print(f"textual {textual.__version__}")

    runs = first_screen(args.runs)
    firsts = [float(r["first_screen_s"]) for r in runs]
    readies = [float(r["content_ready_s"]) for r in runs]
    print(
        f"first screen (process start -> Start screen painted, {args.runs} runs): "
        f"median {statistics.median(firsts):.3f} s, min {min(firsts):.3f} s, max {max(firsts):.3f} s"
    )
    print(f"content ready (library loaded in a worker, choices filled): median {statistics.median(readies):.3f} s")
    print(
        "torch imported: " + ("yes" if any(r["torch"] for r in runs) else "no")
        + ", transformers imported: " + ("yes" if any(r["transformers"] for r in runs) else "no")
    )

    with tempfile.TemporaryDirectory() as home:
        os.environ["OUDERGESPREK_HOME"] = home
        streaming, idle = asyncio.run(key_latency(args.keys, args.delay))
    print(f"key latency during a parent turn (voice {args.delay}s/word): {summary(streaming)}")
    print(f"key latency with the parent silent: {summary(idle)}")
    print(
        "after the conversation: torch imported: " + ("yes" if "torch" in sys.modules else "no")
        + ", transformers imported: " + ("yes" if "transformers" in sys.modules else "no")
    )


if __name__ == "__main__":
    main()
