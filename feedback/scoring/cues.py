"""What a parent turn shows (emotion, a line crossed, pressure, a rejection) and short quotes.

The cue words live in the data file so the report, the hints and a trainer's edit agree
on what counts as, say, an emotion. Quotes are trimmed the same way everywhere, so every
explanation can be checked against the teacher's own words.
"""

from __future__ import annotations

from collections.abc import Sequence

from feedback.scoring.config import scoring_config
from feedback.text import WORD_RE, sentence_spans


def parent_shows_emotion(text: str) -> bool:
    """Whether a parent turn voices an emotion (cue words from the data file)."""
    return scoring_config().cues.emotion.search(text) is not None


def parent_crosses_line(text: str) -> bool:
    """Whether a parent turn crosses a line: threat, insult, swearing, or shouting."""
    cues = scoring_config().cues
    if cues.boundary.search(text):
        return True
    if text.count("!") >= cues.exclamations:
        return True
    caps = [w for w in WORD_RE.findall(text) if len(w) >= 3 and w.isupper() and w.upper() not in cues.acronyms]
    return len(caps) >= cues.caps_words


def parent_pushes(text: str) -> bool:
    """Whether a parent turn challenges the teacher's position (disagrees, insists, demands)."""
    return scoring_config().cues.pressure.search(text) is not None


def parent_rejects(text: str) -> bool:
    """Whether a parent turn opens by rejecting what the teacher just gave back ("Nee, dat zeg ik niet")."""
    spans = sentence_spans(text)
    first = text[spans[0][0] : spans[0][1]] if spans else text
    return scoring_config().cues.rejects.search(first) is not None


def quote(
    text: str,
    start: int = -1,
    evidence: str = "",
    max_words: int | None = None,
    spans: Sequence[tuple[int, int]] | None = None,
) -> str:
    """A short quote of the sentence around `start` (or `evidence`), trimmed with '...'.

    `spans` are the text's sentence spans when the caller already has them.
    """
    if max_words is None:
        max_words = scoring_config().file.quote_max_words
    if start < 0 and evidence:
        start = text.lower().find(evidence.lower())
    spans = spans or sentence_spans(text) or [(0, len(text))]
    s0, s1 = spans[0]
    if start >= 0:
        s0, s1 = next(((a, b) for a, b in spans if a <= start < b), min(spans, key=lambda ab: abs(ab[0] - start)))
    words = text[s0:s1].split()
    first, last = 0, len(words)
    if len(words) > max_words:
        rel = max(0, start - s0) if start >= 0 else 0
        at = len(text[s0 : s0 + rel].split()) - (1 if rel and not text[s0 + rel - 1].isspace() else 0)
        # Keep the sentence opening when the evidence fits in the window; else centre on it.
        first = 0 if at + 4 <= max_words else max(0, min(at - 2, len(words) - max_words))
        last = first + max_words
    body = " ".join(words[first:last]).rstrip(".,;: ")
    return ("..." if first > 0 else "") + body + ("..." if last < len(words) else "")
