"""Every size limit on what a user or a file can hand us, in one place.

Each limit protects a person from a hang or a full disk: a text the recogniser
would chew on for minutes, a file that expands to gigabytes, a transcript no
conversation could produce. The numbers sit far above anything a real
conversation needs; the Dutch messages for each live in `simulator/labels.yaml`.
"""

from __future__ import annotations

MAX_TYPED_CHARS = 1_000
"""A teacher turn typed or pasted in the app: longer is a paste, not something said in a conversation."""

MAX_TURN_CHARS = 4_000
"""One turn in a file (transcript, `play` script line, `acts` input line); recognition stays well under a second."""

MAX_TURNS = 3_000
"""Turns in one transcript; a 30-minute conversation has about 100."""

MAX_TRANSCRIPT_BYTES = 10 * 1024 * 1024
"""A transcript file; 3,000 full turns with acts, state and causes fit in about 6 MB."""

MAX_CONTENT_BYTES = 1024 * 1024
"""A persona or scenario YAML file; the shipped ones are about 20 KB."""

MAX_YAML_NODES = 200_000
"""YAML nodes after expanding aliases (`*name`); stops 'billion laughs' files before they fill memory."""

MAX_NESTING = 100
"""Levels of nested lists or mappings in a content or transcript file; real files use fewer than ten."""

STALE_TEMP_SECONDS = 120
"""A temp file from an interrupted save older than this belongs to no running save and is removed."""
