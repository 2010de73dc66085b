"""Loading stages reported to the UI, throttled so a progress bar is not flooded."""

from __future__ import annotations

from simulator.voices.base import Progress

_last_report: dict[int, tuple[str, float]] = {}


def report(progress: Progress | None, key: str, fraction: float) -> None:
    """Tell the UI; within one stage only every whole percent. `key` names a stage label in prompt_nl.yaml."""
    if progress is None:
        return
    from simulator.voices.prompt import progress_label

    fraction = max(0.0, min(1.0, fraction))
    last = _last_report.get(id(progress))
    if last is not None and last[0] == key and fraction - last[1] < 0.01 and fraction < 1.0:
        return
    _last_report[id(progress)] = (key, fraction)
    progress(progress_label(key), fraction)
