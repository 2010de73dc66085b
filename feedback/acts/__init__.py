"""Rule-based recognition of the conversation acts in one teacher turn.

The package is split by job: `notation` (the pattern language of the rule file), `patterns`
(compiled, first-word-indexed rule lists), `schema`/`rules` (loading `act_rules.yaml`), `turn`
(a turn cut into sentences, clauses and tokens), `questions`, `feelings`, `reflections`
(paraphrase, summary), `combos` (word-class combinations) and `recogniser` (`recognise`).
Callers import from here: `from feedback.acts import Act, recognise, codes_of`.
"""

from feedback.acts.notation import to_regex
from feedback.acts.recogniser import REFLECTION_COMPANIONS, codes_of, history_from_json, recognise
from feedback.acts.rules import RULES_PATH, Rules, load_rules
from feedback.acts.turn import Act
from feedback.text import fold, lemma

__all__ = [
    "REFLECTION_COMPANIONS",
    "RULES_PATH",
    "Act",
    "Rules",
    "codes_of",
    "fold",
    "history_from_json",
    "lemma",
    "load_rules",
    "recognise",
    "to_regex",
]
