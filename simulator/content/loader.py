"""Load and validate personas and scenarios, shipped or given, with clear errors.

Every problem becomes one line naming the file, the line and the field path, so
a trainer who edits a YAML file can find the mistake without reading Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from simulator.content.files import LineMap, read_yaml, validated
from simulator.content.problems import ContentError, Problem
from simulator.content.register import address_problem, band_address
from simulator.content.schemas import LIFE_TOPICS, STANDARD_SLOTS, LineSet, Persona, Scenario, line_text, slots_in


def _validate(model: type[BaseModel], path: Path, data: Any, lines: LineMap) -> Any:
    return validated(model, path, data, lines)


def guess_kind(data: dict[str, Any]) -> str:
    """Personas have a role, scenarios a dossier, transcripts turns."""
    if "turns" in data:
        return "transcript"
    if "dossier" in data or "title" in data:
        return "scenario"
    return "persona"


@dataclass
class Library:
    """All personas and scenarios, by id, with the file each came from."""

    personas: dict[str, Persona] = field(default_factory=dict)
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def persona(self, persona_id: str) -> Persona:
        try:
            return self.personas[persona_id]
        except KeyError:
            known = ", ".join(sorted(self.personas))
            raise ContentError([Problem("persona", f"onbekende persona '{persona_id}' (bekend: {known})")]) from None

    def scenario(self, scenario_id: str) -> Scenario:
        try:
            return self.scenarios[scenario_id]
        except KeyError:
            known = ", ".join(sorted(self.scenarios))
            raise ContentError([Problem("scenario", f"onbekend scenario '{scenario_id}' (bekend: {known})")]) from None


def _bad_slots(lines: Iterable[tuple[str, str]], allowed: set[str], src: str) -> list[Problem]:
    out = []
    for where, text in lines:
        unknown = sorted(slots_in(text) - allowed)
        if unknown:
            out.append(Problem(src, f"onbekende plaatshouder {{{unknown[0]}}} in: {text[:50]!r}", where))
    return out


def _lineset_texts(prefix: str, lineset: LineSet) -> Iterator[tuple[str, str]]:
    for band in ("any", "low", "mid", "high"):
        for i, line in enumerate(getattr(lineset, band)):
            yield f"{prefix}.{band}[{i}]", line_text(line)


def persona_lines(p: Persona) -> Iterator[tuple[str, str]]:
    """Every curated line of a persona, with its field path."""
    for intent, ls in p.lines.items():
        yield from _lineset_texts(f"lines.{intent}", ls)
    for i, b in enumerate(p.boundary_behaviours):
        yield from _lineset_texts(f"boundary_behaviours[{i}].lines", b.lines)
    for i, a in enumerate(p.answers):
        yield from _lineset_texts(f"answers[{i}].lines", a.lines)


def scenario_lines(s: Scenario) -> Iterator[tuple[str, str]]:
    """Every curated line of a scenario, with its field path."""
    for intent, ls in s.lines.items():
        yield from _lineset_texts(f"lines.{intent}", ls)
    for role, by_intent in s.role_lines.items():
        for intent, ls in by_intent.items():
            yield from _lineset_texts(f"role_lines.{role}.{intent}", ls)
    for i, c in enumerate(s.concerns):
        yield from _lineset_texts(f"concerns[{i}].lines", c.lines)
    for i, a in enumerate(s.answers):
        yield from _lineset_texts(f"answers[{i}].lines", a.lines)
    for i, n in enumerate(s.next_steps):
        for j, text in enumerate(n.accept_lines):
            yield f"next_steps[{i}].accept_lines[{j}]", text


def _register_problems(p: Persona, src: str) -> list[Problem]:
    """Every persona line addresses the teacher as the persona does (u or je, per band)."""
    out = []
    for where, text in persona_lines(p):
        band = where.rsplit(".", 1)[-1].split("[", 1)[0]
        bands = ("low", "mid", "high") if band == "any" else (band,)
        for b in bands:
            why = address_problem(text, band_address(p, b))
            if why:
                out.append(Problem(src, f"{why}: {text[:50]!r}", where))
                break
    return out


def _life_problems(p: Persona, src: str) -> list[Problem]:
    have = {a.life for a in p.answers if a.life}
    missing = [t for t in LIFE_TOPICS if t not in have]
    if not missing:
        return []
    return [Problem(src, f"geen antwoord over het eigen leven van de ouder: life: {', '.join(missing)}", "answers")]


def cross_check(lib: Library) -> list[Problem]:
    """Checks that span files: slots, roles named in scenarios, register, life answers."""
    problems: list[Problem] = []
    roles = {p.role for p in lib.personas.values()}
    for p in lib.personas.values():
        src = lib.sources[f"persona:{p.id}"]
        problems += _bad_slots(persona_lines(p), set(STANDARD_SLOTS), src)
        problems += _register_problems(p, src)
        problems += _life_problems(p, src)
    for s in lib.scenarios.values():
        src = lib.sources[f"scenario:{s.id}"]
        problems += _bad_slots(scenario_lines(s), set(STANDARD_SLOTS) | set(s.slots), src)
        for role in s.role_lines:
            if roles and role not in roles:
                problems.append(Problem(src, f"rol '{role}' hoort bij geen enkele persona", f"role_lines.{role}"))
        for i, a in enumerate(s.answers):
            for role in a.roles:
                if roles and role not in roles:
                    problems.append(Problem(src, f"rol '{role}' hoort bij geen enkele persona", f"answers[{i}].roles"))
    return problems


def load_files(
    paths: Iterable[Path], lib: Library | None = None, check_other: Callable[[Path], None] | None = None
) -> tuple[Library, list[Problem]]:
    """Load content files into a library, collecting every problem instead of stopping at the first.

    A transcript among the files is handed to `check_other` (it raises ContentError), so that
    content never imports the records that are built on it.
    """
    lib = lib or Library()
    problems: list[Problem] = []
    for path in paths:
        try:
            data, lines = read_yaml(path)
            kind = guess_kind(data)
            if kind == "transcript":
                if check_other is not None:
                    check_other(path)
                continue
            model: type[Persona] | type[Scenario] = Persona if kind == "persona" else Scenario
            item = _validate(model, path, data, lines)
        except ContentError as err:
            problems += err.problems
            continue
        store: dict[str, Any] = lib.personas if kind == "persona" else lib.scenarios
        key = f"{kind}:{item.id}"
        if item.id in store:
            problems.append(
                Problem(str(path), f"dubbele id '{item.id}' (ook in {lib.sources[key]})", "id", lines.get(("id",)))
            )
            continue
        store[item.id] = item
        lib.sources[key] = str(path)
    return lib, problems


def shipped_files() -> list[Path]:
    """The YAML files shipped inside the personas/ and scenarios/ packages."""
    out: list[Path] = []
    for package in ("personas", "scenarios"):
        root = resources.files(package)
        out += sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith((".yaml", ".yml")))
    return out


def expand(paths: Iterable[Path]) -> list[Path]:
    """Directories become the YAML and JSON files inside them."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.suffix in {".yaml", ".yml", ".json"})
        else:
            out.append(p)
    return out


def load_library() -> Library:
    """The shipped content; raises ContentError listing every problem."""
    lib, problems = load_files(shipped_files())
    problems += cross_check(lib)
    if problems:
        raise ContentError(problems)
    return lib
