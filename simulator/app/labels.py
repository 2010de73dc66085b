"""The app's names for the shared Dutch labels (see `simulator/labels.py` and `simulator/labels.yaml`).

Screens import these names; the wording itself lives in one YAML file shared
with the exports, and act labels in the act vocabulary (`feedback.codes`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from simulator.labels import act_label, labels, outcome_label, role_label, voice_label

__all__ = [
    "ACT_LABELS",
    "COUNTERS",
    "DIFFICULTY_LABELS",
    "OUTCOMES",
    "ROLE_LABELS",
    "SPEAKERS",
    "TYPE_LABELS",
    "VOICE_LABELS",
    "act_label",
    "outcome_label",
    "role_label",
]


class _Lookup(Mapping[str, str]):
    """A read-only view on labels owned elsewhere (act vocabulary, voice registry), read when asked."""

    def __init__(self, keys: Callable[[], Iterable[str]], label: Callable[[str], str]) -> None:
        self._keys, self._label = keys, label

    def __getitem__(self, key: str) -> str:
        if key not in tuple(self._keys()):
            raise KeyError(key)
        return self._label(key)

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(self._keys()))

    def __len__(self) -> int:
        return len(tuple(self._keys()))


def _act_codes() -> tuple[str, ...]:
    from feedback.codes import ALL_CODES

    return ALL_CODES


def _voice_kinds() -> tuple[str, ...]:
    from simulator.voices.registry import kinds

    return kinds()


ACT_LABELS: Mapping[str, str] = _Lookup(_act_codes, act_label)
VOICE_LABELS: Mapping[str, str] = _Lookup(_voice_kinds, voice_label)
OUTCOMES: Mapping[str, str] = labels().outcomes
DIFFICULTY_LABELS: Mapping[str, str] = labels().difficulties
SPEAKERS: Mapping[str, str] = labels().speakers
TYPE_LABELS: Mapping[str, str] = labels().conversation_types
ROLE_LABELS: Mapping[str, str] = labels().roles
COUNTERS: tuple[tuple[str, str], ...] = tuple(labels().counters)
"""The live listening counters on the Gesprek screen, in display order."""
