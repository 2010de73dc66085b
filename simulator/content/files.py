"""Reading content files: UTF-8 text and YAML with a line for every field, so errors can name it.

Every file a user hands us is read with a size limit, and YAML is checked
before it is built into Python objects: aliases may not expand past
`MAX_YAML_NODES` (a 'billion laughs' file is refused in milliseconds), nesting
stays under `MAX_NESTING`, and a key may not appear twice in one mapping.
A `.json` file is read as JSON, which is fast at any size.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from simulator.content.problems import ContentError, Problem, problems_from_validation
from simulator.labels import human_size, message
from simulator.limits import MAX_CONTENT_BYTES, MAX_NESTING, MAX_TRANSCRIPT_BYTES, MAX_YAML_NODES

M = TypeVar("M", bound=BaseModel)

LineMap = dict[tuple[object, ...], int]
_MERGE_TAG = "tag:yaml.org,2002:merge"


def _fail(path: Path | str, key: str, line: int | None = None, **values: Any) -> ContentError:
    return ContentError([Problem(str(path), message(key, **values), line=line)])


def read_bytes(path: Path, limit: int) -> bytes:
    """The file's bytes, refused before reading when it is larger than `limit`."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise _fail(path, "not_readable", reason=exc.strerror or exc) from None
    if len(raw) > limit:
        try:
            size = path.stat().st_size
        except OSError:
            size = len(raw)
        raise _fail(path, "file_too_big", size=human_size(max(size, len(raw))), limit=human_size(limit))
    return raw


def read_text(path: Path, limit: int = MAX_CONTENT_BYTES) -> str:
    """Read a UTF-8 file, or raise a ContentError that says it is too big, not UTF-8 or empty."""
    raw = read_bytes(path, limit)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(path, "not_utf8", line=line, byte=exc.start) from None
    if not text.strip():
        raise _fail(path, "empty")
    return text


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expansion(path: Path, root: yaml.Node) -> None:
    """Count the nodes the document has once aliases are expanded, visiting each node once."""
    size: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            open_nodes.discard(key)
            if size[key] > MAX_YAML_NODES:
                raise _fail(path, "yaml_too_big", line=node.start_mark.line + 1, limit=MAX_YAML_NODES)
            continue
        if key in size:
            continue
        if key in open_nodes:
            raise _fail(path, "yaml_recursive", line=node.start_mark.line + 1)
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node))


def _walk(root: yaml.Node) -> Iterator[tuple[yaml.Node, tuple[object, ...], int]]:
    """Each node once (an aliased node at its first place), with its field path and depth."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple[object, ...], int]] = [(root, (), 0)]
    while stack:
        node, loc, depth = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node, loc, depth
        if isinstance(node, yaml.MappingNode):
            stack.extend((v, (*loc, k.value), depth + 1) for k, v in reversed(node.value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((v, (*loc, i), depth + 1) for i, v in reversed(list(enumerate(node.value))))


def _line_map(path: Path, root: yaml.Node) -> LineMap:
    """Map each field path to its (1-based) line; refuse deep nesting and keys that appear twice."""
    out: LineMap = {}
    problems: list[Problem] = []
    for node, loc, depth in _walk(root):
        if depth > MAX_NESTING:
            raise _fail(path, "too_deep", line=node.start_mark.line + 1, limit=MAX_NESTING)
        out.setdefault(loc, node.start_mark.line + 1)
        if not isinstance(node, yaml.MappingNode):
            continue
        first: dict[object, int] = {}
        for key, _ in node.value:
            if key.tag == _MERGE_TAG or not isinstance(key, yaml.ScalarNode):
                continue
            line = key.start_mark.line + 1
            out[(*loc, key.value)] = line
            if key.value in first:
                field = ".".join(str(p) for p in (*loc, key.value))
                problems.append(
                    Problem(str(path), message("duplicate_key", name=key.value, first=first[key.value]), field, line)
                )
            else:
                first[key.value] = line
    if problems:
        raise ContentError(problems)
    return out


class _DepthError(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _Loader(yaml.SafeLoader):
    """The safe loader, stopping as soon as nesting passes MAX_NESTING.

    PyYAML's scanner slows down with every open bracket and its composer recurses
    per level, so a file of 20,000 `[` would take minutes; stopping at the limit
    keeps every file to milliseconds.
    """

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise _DepthError(self.peek_event().start_mark.line + 1)
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1


def _yaml_error(path: Path, exc: yaml.YAMLError) -> ContentError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        return ContentError([Problem(str(path), f"YAML-fout: {exc.problem or exc}", line=line)])
    return ContentError([Problem(str(path), f"YAML-fout: {exc}")])


def _compose(path: Path, loader: _Loader) -> yaml.Node | None:
    try:
        return loader.get_single_node()  # type: ignore[no-any-return]
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None
    except _DepthError as exc:
        raise _fail(path, "too_deep", line=exc.line, limit=MAX_NESTING) from None
    except RecursionError:
        raise _fail(path, "too_deep", limit=MAX_NESTING) from None


def _construct(path: Path, loader: _Loader, node: yaml.Node) -> Any:
    """Build Python data from the checked node, without parsing the text a second time."""
    try:
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None
    except (ValueError, TypeError, OverflowError) as exc:
        raise ContentError([Problem(str(path), f"YAML-fout: {exc}")]) from None
    except RecursionError:
        raise _fail(path, "too_deep", limit=MAX_NESTING) from None


def json_depth(data: Any) -> int:
    """How deeply lists and objects nest, counted without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return deepest


def parse_json(text: str, source: str) -> Any:
    """JSON text to data; bad syntax or deep nesting is one line naming the source."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(source, "not_json", line=exc.lineno, reason=exc.msg) from None
    except RecursionError:
        raise _fail(source, "too_deep", limit=MAX_NESTING) from None
    if json_depth(data) > MAX_NESTING:
        raise _fail(source, "too_deep", limit=MAX_NESTING)
    return data


def read_yaml(path: Path) -> tuple[Any, LineMap]:
    """A content file as data plus a line map; a `.json` file is read as JSON (fast at any size)."""
    if path.suffix.lower() == ".json":
        data = parse_json(read_text(path, MAX_TRANSCRIPT_BYTES), str(path))
        lines: LineMap = {}
    else:
        text = read_text(path)
        try:
            loader = _Loader(text)
        except yaml.YAMLError as exc:  # a character YAML does not allow, found before parsing
            raise _yaml_error(path, exc) from None
        try:
            node = _compose(path, loader)
            if node is None:
                data, lines = None, {}
            else:
                _check_expansion(path, node)
                lines = _line_map(path, node)
                data = _construct(path, loader, node)
        finally:
            loader.dispose()
    if not isinstance(data, dict):
        raise ContentError(
            [Problem(str(path), "verwacht een YAML-mapping (sleutel: waarde) bovenaan het bestand", line=1)]
        )
    return data, lines


def validated(model: type[M], path: Path, data: Any, lines: LineMap) -> M:
    """`data` checked against `model`; a ContentError naming file, line and field when it does not fit."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise ContentError(problems_from_validation(path, err, lines)) from None


def load_model(model: type[M], path: Path) -> M:
    """A data file (rules, word lists) read and checked in one step, with the same one-line errors."""
    data, lines = read_yaml(path)
    return validated(model, path, data, lines)
