"""Compatibility name: the scores now live in the `feedback.scoring` package."""

from __future__ import annotations

from feedback.scoring import *  # noqa: F403
from feedback.scoring import __all__  # noqa: F401
