"""The act recogniser as a JSON-Lines filter (wired to `oudergesprek acts`).

One JSON object per input line: {"text": ..., "parent_before": ...?, "history": ...?}.
One JSON object per output line, in the same order: {"codes": [...], "evidence": {code: span}}.
A line that cannot be read gets {"codes": [], "evidence": {}, "error": "regel N: ..."} so a
trainer's batch never stops halfway and every output line still matches its input line.
Output is flushed per line, so the filter can sit in an interactive pipe.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from feedback.acts import history_from_json, recognise

# Short error labels (Dutch: shown to trainers who feed the filter).
_NOT_JSON = "geen geldige JSON"
_NOT_OBJECT = "verwacht een JSON-object"
_NO_TEXT = "veld 'text' ontbreekt of is geen tekst"
_BAD_PARENT = "veld 'parent_before' is geen tekst"
_UNREADABLE = "regel is niet te lezen"
_INTERNAL = "interne fout"
_TOO_LONG = "veld 'text' is te lang ({n} tekens, maximum {limit})"


def _error(n: int, message: str) -> dict[str, Any]:
    return {"codes": [], "evidence": {}, "error": f"regel {n}: {message}"}


def process_line(line: str, n: int, max_chars: int | None = None) -> dict[str, Any]:
    """The output object for input line `n` (1-based); never raises. Texts over `max_chars` are refused."""
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return _error(n, _NOT_JSON)
    if not isinstance(obj, dict):
        return _error(n, _NOT_OBJECT)
    text = obj.get("text")
    if not isinstance(text, str):
        return _error(n, _NO_TEXT)
    if max_chars is not None and len(text) > max_chars:
        return _error(n, _TOO_LONG.format(n=len(text), limit=max_chars))
    parent = obj.get("parent_before")
    if parent is not None and not isinstance(parent, str):
        return _error(n, _BAD_PARENT)
    try:
        acts = recognise(text, parent, history_from_json(obj.get("history")))
    except Exception as err:  # the filter must keep going whatever one line does
        return _error(n, f"{_INTERNAL}: {type(err).__name__}")
    return {"codes": [a.code for a in acts], "evidence": {a.code: a.evidence for a in acts}}


def run(stdin: TextIO, stdout: TextIO, max_chars: int | None = None) -> int:
    """Filter stdin to stdout; 0 when every line was read, 1 when some line was not."""
    failed = False
    n = 0
    while True:
        n += 1
        try:
            line = stdin.readline()
        except (UnicodeDecodeError, ValueError):
            out: dict[str, Any] = _error(n, _UNREADABLE)
        else:
            if line == "":
                return 1 if failed else 0
            out = process_line(line, n, max_chars)
        failed = failed or "error" in out
        try:
            stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            stdout.flush()
        except BrokenPipeError:
            return 1


def main(max_chars: int | None = None) -> int:
    """`python -m feedback.acts_jsonl < in.jsonl > out.jsonl`; undecodable bytes become U+FFFD."""
    for stream in (sys.stdin, sys.stdout):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")
    return run(sys.stdin, sys.stdout, max_chars)


if __name__ == "__main__":
    raise SystemExit(main())
