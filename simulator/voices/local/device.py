"""Device, dtype and threads: where and in which number format the model runs fastest here."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

from simulator.voices.base import Progress
from simulator.voices.local import cache
from simulator.voices.local.progress import report


def pick_device(requested: str | None = None) -> str:
    import torch

    if requested:
        return requested
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def measure_cpu_dtypes() -> dict[str, float]:
    """Milliseconds for a decode-like and a prefill-like matmul in float32 and bfloat16."""
    import torch

    out: dict[str, float] = {}
    gen = torch.Generator().manual_seed(0)
    for dtype in (torch.float32, torch.bfloat16) * 3:  # interleaved rounds, best of each: robust to a busy machine
        w = torch.randn(4096, 1024, generator=gen).to(dtype)
        x1 = torch.randn(1, 1024, generator=gen).to(dtype)
        x2 = torch.randn(128, 1024, generator=gen).to(dtype)
        with torch.inference_mode():
            for _ in range(3):
                torch.nn.functional.linear(x1, w)
                torch.nn.functional.linear(x2, w)
            start = time.perf_counter()
            for _ in range(24):
                torch.nn.functional.linear(x1, w)
            for _ in range(4):
                torch.nn.functional.linear(x2, w)
        name = str(dtype).removeprefix("torch.")
        out[name] = min(out.get(name, float("inf")), (time.perf_counter() - start) * 1000)
    return out


def busy() -> bool:
    """More runnable work than cores: a timing taken now says more about the neighbours than about the CPU."""
    try:
        return os.getloadavg()[0] > (os.cpu_count() or 1)
    except OSError:  # no load average (Windows): trust the measurement
        return False


def cpu_dtype(progress: Progress | None = None) -> str:
    """bfloat16 or float32, whichever this CPU runs faster: measured once per machine and thread count."""
    import torch

    key = f"{cpu_name()}|torch {torch.__version__}|threads {torch.get_num_threads()}"
    path = cache.root() / "machine.json"
    known = cache.read_json(path)
    if key in known and known[key].get("dtype") in ("float32", "bfloat16"):
        return str(known[key]["dtype"])
    report(progress, "measure", 0.97)
    times = measure_cpu_dtypes()
    choice = min(times, key=lambda k: times[k])
    if busy():
        # Measured on 2 cores at load average 10-17 (other work beside it): float32 came out ahead and, once
        # remembered, kept the int8 path off for good (1.3 instead of tens of tokens/s). Use it now, keep it not.
        return choice
    with cache.locked(path, timeout=60):
        known = cache.read_json(path)
        known[key] = {"dtype": choice, "ms": {k: round(v, 2) for k, v in times.items()}}
        cache.write_json(path, known)
    return choice
