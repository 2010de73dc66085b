"""Loading `act_rules.yaml`: validate its shape, then compile every pattern once per process.

All Dutch words, cue phrases and patterns live in the data file, where trainers can read and
change them; the recogniser modules only know *how* to apply them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from feedback.acts.notation import anchors, to_regex
from feedback.acts.patterns import Matcher, compile_many, compile_raw
from feedback.acts.schema import PATTERN_CODES, ActRules, CodeRule
from feedback.codes import ALL_CODES
from feedback.datafile import DataFileError, LineMap, field_path, line_of, load
from feedback.text import fold

RULES_PATH = Path(__file__).resolve().parents[1] / "data" / "act_rules.yaml"
_PLAIN_QUESTION_KEYS = frozenset({"leading_particles", "unmarked_verbs", "unmarked_subjects"})
PSEUDO_CLASSES = frozenset({"imperative", "fronted_verb_u"})
"""Word classes computed from word order rather than listed in the file."""


@dataclass(frozen=True)
class CodeCues:
    """A pattern code's compiled cue lists."""

    cues: Matcher | None
    unless: Matcher | None  # checked in the sentence of the hit
    unless_clause: Matcher | None  # checked from the clause start up to the hit
    context_cues: Matcher | None  # cues that only count when `context` occurs in the turn
    context: Matcher | None


@dataclass(frozen=True)
class WordClass:
    """A lemma class: words or lemmas, word prefixes ("filme*") and multi-word phrases."""

    words: frozenset[str]
    prefixes: tuple[str, ...]
    phrases: re.Pattern[str] | None


@dataclass(frozen=True)
class Combo:
    """Word classes that together code a turn when they co-occur in one clause/sentence/turn."""

    code: str
    scope: str  # clause | sentence | turn
    all: tuple[str, ...]
    none: tuple[str, ...]
    first: tuple[str, ...]  # one of these must hold the scope's first word
    question: bool | None  # True: only in a question; False: never in a question


@dataclass(frozen=True)
class Rules:
    """The compiled rule file. `data` keeps the validated plain values (numbers, word lists)."""

    data: ActRules
    abbreviations: tuple[str, ...]
    never_names: frozenset[str]
    clause_split: re.Pattern[str]
    hesitation: re.Pattern[str]
    fillers: re.Pattern[str] | None
    q: Mapping[str, Matcher | None]  # questions.<key>
    leading_particles: re.Pattern[str] | None
    finite_verbs: frozenset[str]
    unmarked_question_verbs: frozenset[str]  # start a yes/no question even without "?"
    unmarked_question_subjects: frozenset[str]
    subjects: frozenset[str]
    para: Mapping[str, Matcher | None]  # paraphrase.<cue list>
    synonyms: Mapping[str, str]
    summary: Mapping[str, Matcher | None]
    enumeration: re.Pattern[str] | None
    feel: Mapping[str, Matcher | None]  # feeling.<cue list>
    feeling_tail: re.Pattern[str]
    experiencer: re.Pattern[str]
    other_experiencer: frozenset[str]
    experiencer_after: frozenset[str]
    transparent_after: frozenset[str]
    jargon_terms: Matcher | None
    jargon_explained: Matcher | None
    code_rules: Mapping[str, CodeCues]
    drops: Mapping[str, tuple[str, ...]]
    stop_words: frozenset[str]
    word_classes: Mapping[str, WordClass]
    combos: tuple[Combo, ...]
    no_act: Matcher | None
    loose_words: frozenset[str]  # common nouns an explicit restatement may share ("school", "anders")
    cue_words: frozenset[str]  # words of a paraphrase cue that are not content ("begrijp", "hoor")


def _words(values: Iterable[str]) -> frozenset[str]:
    return frozenset(fold(v) for v in values)


def _synonym_map(groups: Iterable[Iterable[str]]) -> dict[str, str]:
    """Every word of a synonym group -> the group's first word (its canonical form)."""
    out: dict[str, str] = {}
    for group in groups:
        words = [fold(w).strip() for w in group]
        for w in words:
            if w:
                out.setdefault(w, words[0])
    return out


def _word_classes(raw: Mapping[str, list[str]]) -> dict[str, WordClass]:
    out: dict[str, WordClass] = {}
    for name, values in raw.items():
        words: set[str] = set()
        prefixes: list[str] = []
        phrases: list[str] = []
        for v in values:
            w = fold(v).strip()
            if " " in w:
                phrases.append(r"(?<!\w)" + re.escape(w).replace(r"\ ", r"\s+") + r"(?!\w)")
            elif w.endswith("*"):
                prefixes.append(w[:-1])
            elif w:
                words.add(w)
        out[name] = WordClass(frozenset(words), tuple(prefixes), re.compile("|".join(phrases)) if phrases else None)
    return out


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(fold(w)).replace(r"\ ", r"\s+") for w in words)


class _Source:
    """Errors that name the rule file, the line and the field."""

    def __init__(self, path: Path, lines: LineMap) -> None:
        self.path, self.lines = path, lines

    def fail(self, loc: tuple[object, ...], message: str) -> DataFileError:
        return DataFileError(self.path.name, message, field_path(loc), line_of(self.lines, loc))


def _check_codes(data: ActRules, src: _Source, classes: Mapping[str, WordClass]) -> None:
    for key, dropped in data.drops.items():
        for i, code in enumerate((key, *dropped)):
            if code not in ALL_CODES:
                raise src.fail(("drops", key) if i == 0 else ("drops", key, i - 1), f"onbekende code {code!r}")
    for code, entries in data.combos.items():
        if code not in ALL_CODES:
            raise src.fail(("combos", code), f"onbekende code {code!r}")
        for i, entry in enumerate(entries):
            for field in ("all", "none", "first"):
                for j, name in enumerate(getattr(entry, field)):
                    if name not in classes and name not in PSEUDO_CLASSES:
                        raise src.fail(("combos", code, i, field, j), f"onbekende woordklasse {name!r}")


def load_rules(path: Path = RULES_PATH) -> Rules:
    """Read, validate and compile the rule file; DataFileError (one line) for any mistake in it."""
    data, lines = load(ActRules, path)
    src = _Source(path, lines)
    classes = {k: fold(v) for k, v in data.classes.items()}
    anchor_map = anchors(data.clause_start_words)

    def many(section: str, key: str, values: list[str]) -> Matcher | None:
        return compile_many(values, classes, (section, key), src.fail, anchor_map)

    def lists(section: str, model: object, keys: Iterable[str]) -> dict[str, Matcher | None]:
        return {k: many(section, k, getattr(model, k)) for k in keys}

    fillers = sorted((fold(f) for f in data.question_fillers), key=len, reverse=True)
    word_classes = _word_classes(data.word_classes)
    _check_codes(data, src, word_classes)
    code_rules: dict[str, CodeCues] = {}
    for code in PATTERN_CODES:
        sec: CodeRule = getattr(data, code)
        code_rules[code] = CodeCues(*(many(code, k, getattr(sec, k)) for k in CodeRule.model_fields))
    combos = tuple(
        Combo(code, e.scope, tuple(e.all), tuple(e.none), tuple(e.first), e.question)
        for code, entries in data.combos.items()
        for e in entries
    )
    q, para, summ, feel, jar = data.questions, data.paraphrase, data.summary, data.feeling, data.jargon
    hesitations = _alternation(data.hesitations) or "(?!)"
    return Rules(
        data=data,
        abbreviations=tuple(fold(a) for a in data.abbreviations),
        never_names=_words(data.never_names),
        clause_split=re.compile(rf"[,:;]|\s(?=(?:{_alternation(data.clause_openers) or '(?!)'})\b)|\s-\s"),
        hesitation=re.compile(rf",(\s*(?:{hesitations})\s*),"),
        fillers=re.compile(rf"^(?:(?:{_alternation(fillers)})(?:[\s,]+|$))+") if fillers else None,
        q=lists("questions", q, [k for k in type(q).model_fields if k not in _PLAIN_QUESTION_KEYS]),
        leading_particles=compile_raw(
            [rf"(?<!\w){p}(?!\w)" for p in q.leading_particles], ("questions", "leading_particles"), src.fail
        ),
        finite_verbs=_words(data.finite_verbs),
        unmarked_question_verbs=_words(q.unmarked_verbs),
        unmarked_question_subjects=_words(q.unmarked_subjects),
        subjects=_words(data.subjects),
        para=lists(
            "paraphrase", para, ["strong_cues", "weak_cues", "not_paraphrase", "not_weak_paraphrase", "restatements"]
        ),
        synonyms=_synonym_map(data.synonyms),
        summary=lists("summary", summ, ["cues", "weak_cues"]),
        enumeration=compile_raw(summ.enumeration, ("summary", "enumeration"), src.fail),
        feel=lists(
            "feeling",
            feel,
            [
                "terms",
                "frame_terms",
                "empathy_frames",
                "perception_frames",
                "perception_terms",
                "blockers",
                "blockers_before",
            ],
        ),
        feeling_tail=re.compile(fold(feel.frame_term_tail or r"^\s*[.!?]*\s*$")),
        experiencer=re.compile(to_regex(feel.experiencer, classes)),
        other_experiencer=_words(feel.other_experiencer),
        experiencer_after=_words(feel.experiencer_after),
        transparent_after=_words(feel.transparent_after),
        jargon_terms=many("jargon", "terms", jar.terms),
        jargon_explained=many("jargon", "explained_by", jar.explained_by),
        code_rules=code_rules,
        drops={k: tuple(v) for k, v in data.drops.items()},
        stop_words=_words(data.stop_words),
        word_classes=word_classes,
        combos=combos,
        cue_words=_words(para.cue_words),
        loose_words=_words(para.loose_words),
        no_act=compile_many(data.no_act, classes, ("no_act",), src.fail, anchor_map),
    )


@lru_cache(maxsize=1)
def rules() -> Rules:
    """The rules, loaded once per process."""
    return load_rules()
