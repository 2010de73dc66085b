"""A transcript full of what a hostile or careless source could put in one, built without the engine."""

from __future__ import annotations

from simulator.records.transcript import (
    ActRecord,
    Cause,
    Comment,
    Override,
    StateSnapshot,
    Transcript,
    Turn,
)

PAYLOADS = (
    "<script>alert('weg')</script>",
    "[klik hier](javascript:alert(1))",
    "![plaatje](https://evil.example/pixel.png)",
    "<img src=https://evil.example/x.png onerror=alert(1)>",
    "<a href='https://evil.example'>link</a>",
    "\x1b[2J\x1b]0;titel\x07scherm gewist",
    "# kop\n- lijst\n> citaat",
    "{{ 7*7 }} {% raw %}",
    "<style>body{background:url(https://evil.example/bg)}</style>",
)


def hostile_transcript() -> Transcript:
    turns: list[Turn] = []
    for i, payload in enumerate(PAYLOADS):
        turns.append(
            Turn(
                speaker="teacher",
                text=f"Leerkracht {i}: {payload}",
                acts=[ActRecord(code="open_question", evidence=payload)],
                comments=[Comment(author=f"trainer {payload}", text=f"opmerking {payload}")],
                overrides=[Override(target="act:summary", engine="absent", trainer="present", reason=payload)],
            )
        )
        turns.append(
            Turn(
                speaker="parent",
                text=f"Ouder {i}: {payload}",
                state=StateSnapshot(tension=60 - 7 * i % 40, trust=30 + 9 * i % 50, heard=10 * i % 100),
                causes=[Cause(source="reflection", why=f"reden {payload}", tension=-7, trust=9)],
                fallback_reason=payload,
            )
        )
    return Transcript(
        scenario_id="<script>scenario</script>",
        persona_id="persona](javascript:x)",
        trainee="<b>Sanne</b>",
        intention="![x](https://evil.example/i.png)",
        voice="scripted",
        turns=turns,
        outcome="time_up",
        score_overrides=[
            Override(
                target="score:listening", engine="40", trainer="70", reason="Ze vatte <i>goed</i> samen.", author="Els"
            ),
        ],
    )
