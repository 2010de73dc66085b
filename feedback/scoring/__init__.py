"""Session scores with evidence: listening, boundary-setting and (optionally) bad news.

A report must be something a trainee can check against what they said, so every
sub-score quotes the teacher's own words, and a sub-score whose situation never arose is
shown as n.v.t. instead of paid out. Numbers, cue words and Dutch texts live in
`feedback/data/scoring.yaml`; each sub-score is one registered rule (`registry.py`) in
`listening.py`, `boundaries.py` or `bad_news.py`. Takes plain data ((speaker, text) pairs
and optional precomputed acts) and never imports the simulator.
"""

from __future__ import annotations

from feedback.scoring.assemble import checked_config, score
from feedback.scoring.boundaries import LIMIT_CODES
from feedback.scoring.config import DATA_FILE, ScoringConfig, load_config, scoring_config
from feedback.scoring.conversation import ActsInput, Turns
from feedback.scoring.cues import parent_crosses_line, parent_pushes, parent_rejects, parent_shows_emotion, quote
from feedback.scoring.listening import BLOCKER_CODES
from feedback.scoring.model import Dimension, Evidence, NotApplicable, Report, ScoreContext, SubScore, TurnActs
from feedback.scoring.registry import REGISTRY, Registration

__all__ = [
    "BLOCKER_CODES",
    "DATA_FILE",
    "LIMIT_CODES",
    "REGISTRY",
    "ActsInput",
    "Dimension",
    "Evidence",
    "NotApplicable",
    "Registration",
    "Report",
    "ScoreContext",
    "ScoringConfig",
    "SubScore",
    "TurnActs",
    "Turns",
    "checked_config",
    "load_config",
    "parent_crosses_line",
    "parent_pushes",
    "parent_rejects",
    "parent_shows_emotion",
    "quote",
    "score",
    "scoring_config",
]
