"""One wording per code: the app, the exports and the CLI read the same labels."""

from __future__ import annotations

import typing

from simulator.content.schemas import CONVERSATION_TYPES
from simulator.labels import labels, message, outcome_label, type_label
from simulator.records.transcript import Outcome


def test_every_outcome_and_conversation_type_has_a_label() -> None:
    assert set(typing.get_args(Outcome)) == set(labels().outcomes)
    assert set(CONVERSATION_TYPES) == set(labels().conversation_types)
    assert all(type_label(t) != t for t in CONVERSATION_TYPES)


def test_the_app_shows_the_shared_labels() -> None:
    from simulator.app import labels as app_labels

    assert app_labels.outcome_label("time_up") == outcome_label("time_up") == labels().outcomes["time_up"]
    assert dict(app_labels.TYPE_LABELS) == labels().conversation_types
    assert set(app_labels.ACT_LABELS) and all(app_labels.ACT_LABELS[c] for c in app_labels.ACT_LABELS)


def test_act_and_voice_labels_come_from_their_owners() -> None:
    from feedback.codes import ALL_CODES, label
    from simulator.app.labels import ACT_LABELS, VOICE_LABELS
    from simulator.voices.registry import kinds
    from simulator.voices.registry import label as voice_label

    assert dict(ACT_LABELS) == {c: label(c) for c in ALL_CODES}
    assert dict(VOICE_LABELS) == {k: voice_label(k) for k in kinds()}


def test_every_message_fills_in_and_is_one_line() -> None:
    values = {
        "size": "2 MB", "limit": 1, "chars": 2, "count": 3, "name": "k", "first": 4, "reason": "r", "byte": 5,
        "path": "/p", "line": 6, "problem": "x", "why": " (w)",
    }  # fmt: skip
    for key in labels().messages:
        text = message(key, **values)
        assert text and "\n" not in text and "{" not in text
