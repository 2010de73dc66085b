"""Paraphrase and summary: the parent's own content words said back, marked by a cue.

Both are checked against what the parent actually said (lemma overlap with the parent's earlier
turns), so "U zegt dat het goed gaat" after a complaint about bullying is not a paraphrase.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from feedback.acts.combos import ADDRESSEES, classes_in, token_classes
from feedback.acts.feelings import feeling_spans
from feedback.acts.patterns import match_at, search
from feedback.acts.rules import Rules
from feedback.acts.rules import rules as loaded_rules
from feedback.acts.turn import Act, Token, Turn, act, content
from feedback.text import fold, lemma


class Vocabulary:
    """Content lemmas of a parent turn, indexed for fast fuzzy lookup."""

    def __init__(self, lemmas: Iterable[str]) -> None:
        self.exact = set(lemmas)
        self.by_head: dict[str, list[str]] = {}
        for w in self.exact:
            self.by_head.setdefault(w[:4], []).append(w)

    def __contains__(self, word: str) -> bool:
        if word in self.exact:
            return True
        return any(related(word, other) for other in self.by_head.get(word[:4], ()))


def related(a: str, b: str) -> bool:
    """Same word family: one is a prefix of the other, or they share most of their stem."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 4 and long_.startswith(short):
        return True
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= 5 and common >= 0.7 * len(short)


def parent_texts(parent_before: str | None, history: Sequence[tuple[str, str]]) -> list[str]:
    """Earlier parent turns, oldest first; parent_before counts as the last one."""
    texts = [t for speaker, t in history if speaker == "parent" and t]
    if parent_before and (not texts or fold(texts[-1]).strip() != fold(parent_before).strip()):
        texts.append(parent_before)
    return texts


def parent_vocab(rules: Rules, text: str) -> Vocabulary:
    if rules is loaded_rules():
        return _cached_parent_vocab(text)
    return Vocabulary(lem for lem, _ in content(rules, Turn(text, rules).tokens))


@lru_cache(maxsize=256)
def _cached_parent_vocab(text: str) -> Vocabulary:
    """Parent turns come back in every later turn's history, so their words are read once."""
    rules = loaded_rules()
    return Vocabulary(lem for lem, _ in content(rules, Turn(text, rules).tokens))


@lru_cache(maxsize=256)
def _loose_vocab(text: str) -> Vocabulary:
    """Content words, names and the common nouns of `paraphrase.loose_words` of a parent turn:
    what an explicit restatement may share ("Noor", "school", "anders")."""
    rules = loaded_rules()
    turn = Turn(text, rules)
    loose = rules.loose_words
    words = [lem for lem, _ in content(rules, turn.tokens)]
    words += [t.text for t in turn.tokens if t.name or t.text in loose or lemma(t.text) in loose]
    return Vocabulary(words)


def recent_vocab(rules: Rules, parents: Sequence[str]) -> Vocabulary:
    """The content lemmas of the parent's last two turns: a paraphrase may reach one turn back."""
    if len(parents) == 1:
        return parent_vocab(rules, parents[0])
    return Vocabulary(w for p in parents[-2:] for w in parent_vocab(rules, p).exact)


def overlap_evidence(turn: Turn, words: list[Token]) -> str:
    seen: list[str] = []
    for t in sorted(words, key=lambda t: t.start):
        w = turn.text[t.start : t.end]
        if w.lower() not in (x.lower() for x in seen):
            seen.append(w)
    return ", ".join(seen[:8])


def perspective_cue(rules: Rules, turn: Turn, s: int, e: int) -> tuple[int, int] | None:
    """The parent (u/je/jullie) within three words of a perception/report verb, in a statement
    not spoken from the teacher's side: "U had het gevoel dat ...", "Wat ze u thuis vertelt"."""
    verbs = rules.data.paraphrase.perspective_verbs
    if verbs is None or "?" in turn.norm[s:e]:
        return None
    toks = turn.tokens_in(s, e)
    if not toks or toks[0].text in ("ik", "wij", "we"):
        return None
    for i, t in enumerate(toks):
        if t.text not in ADDRESSEES:
            continue
        for j in range(max(0, i - 3), min(len(toks), i + 4)):
            if j != i and verbs in token_classes(rules, toks[j].text):
                a, b = sorted((t, toks[j]), key=lambda x: x.start)
                return a.start, b.end
    return None


def _cue_skip(rules: Rules, turn: Turn, span: tuple[int, int]) -> list[tuple[int, int]]:
    """The cue's own words ("hoort", "begrijp") are not content; other words inside it are ("thuis")."""
    cue_words = rules.cue_words
    return [
        (t.start, t.end)
        for t in turn.tokens_in(*span)
        if t.text in cue_words
        or lemma(t.text) in cue_words
        or rules.data.paraphrase.perspective_verbs in token_classes(rules, t.text)
    ]


def _restatement(rules: Rules, turn: Turn, s: int, e: int, parents: Sequence[str]) -> Act | None:
    """An explicit restatement frame ("Ik hoor u zeggen dat ...", "Begrijp ik goed dat ...").

    The frame itself says the teacher is giving back the parent's words, so a looser check is
    enough: one word shared with the parent's last two turns, where names and common nouns
    ("school", "anders") count too.
    """
    m = search(rules.para["restatements"], turn.norm, s, e)
    if m is None:
        return None
    skip = feeling_spans(rules, turn, s, e)
    vocabs = [_loose_vocab(p) for p in parents[-2:]]
    toks = [t for t in turn.tokens_in(m.end(), e) if not any(a <= t.start < b for a, b in skip)]
    loose = rules.loose_words
    keys = content(rules, toks) + [(t.text, t) for t in toks if t.name or t.text in loose or lemma(t.text) in loose]
    shared = [t for key, t in keys if any(key in v for v in vocabs)]
    if len({lemma(t.text) for t in shared}) >= rules.data.paraphrase.min_overlap_restatement:
        return Act("paraphrase", overlap_evidence(turn, shared))
    return None


def paraphrase(
    rules: Rules, turn: Turn, parents: Sequence[str], feeling: bool, codes: set[str], embedder: object = None
) -> Act | None:
    """Content words of the parent's last turn said back, marked by a cue.

    A strong cue ("Als ik u goed begrijp") needs one shared content word, a weak one ("U ...",
    "Dus ...") two. In a sentence that reflects a feeling, the feeling frame often doubles as the
    cue, so two shared words are needed there too. A turn that sets a boundary describes the
    parent's behaviour ("U roept, en dat gaat mij te ver"): that is not saying back, so weak cues
    are off there.

    Without any cue, a sentence can still be an echo of the parent's turn: most of its content
    words come from that turn. That only counts in a turn that does nothing else (no boundary,
    no defence, no question word) and not in a sentence spoken from the school's side.
    """
    cfg, para = rules.data.paraphrase, rules.para
    vocab = recent_vocab(rules, parents)
    if not parents or codes & set(cfg.off_with):
        return None
    weak_off = bool(codes & set(cfg.weak_cues_off_with))
    norm = turn.norm
    for s, e in turn.sentences:
        if match_at(para["not_paraphrase"], norm, s, e):
            continue
        feelings = feeling_spans(rules, turn, s, e)
        felt = feeling and bool(feelings)
        restated = _restatement(rules, turn, s, e, parents)
        if restated:
            return restated
        strong_m = search(para["strong_cues"], norm, s, e)
        strong = strong_m.span() if strong_m else None
        if strong is None and not weak_off:
            strong = perspective_cue(rules, turn, s, e)
        skip = [*feelings, *_cue_skip(rules, turn, strong)] if strong else feelings
        hits = [t for lem, t in content(rules, turn.tokens_in(s, e), skip) if lem in vocab]
        distinct = {lem for lem, t in content(rules, hits)}
        cued = strong or search(para["weak_cues"], norm, s, e)
        if cued and (strong or distinct) and _similar(rules, turn, s, e, parents, embedder):
            return Act("paraphrase", overlap_evidence(turn, hits) or turn.text[s:e].strip())
        if strong and len(distinct) >= (cfg.min_overlap_weak if felt else cfg.min_overlap_strong):
            return Act("paraphrase", overlap_evidence(turn, hits))
        if strong or not search(para["weak_cues"], norm, s, e) or weak_off:
            continue
        if match_at(para["not_weak_paraphrase"], norm, s, e):
            continue
        wh = bool(codes & {"open_question", "why_question", "leading_question"}) and "?" in norm[s:e]
        if not wh and len(distinct) >= cfg.min_overlap_weak:
            return Act("paraphrase", overlap_evidence(turn, hits))
    if cfg.echo_min_overlap <= 0 or codes - set(cfg.echo_allowed_with):
        return None
    return _echo(rules, turn, vocab)


def _similar(rules: Rules, turn: Turn, s: int, e: int, parents: Sequence[str], embedder: object) -> bool:
    """With a semantic embedder: does the sentence mean what the parent's last turn said?"""
    if embedder is None or not getattr(embedder, "semantic", False) or not parents:
        return False
    try:
        from feedback.embed import cosine  # optional package; absent means lemma overlap only

        vectors = embedder.embed([turn.text[s:e], parents[-1]], query=True)  # type: ignore[attr-defined]
        return cosine(vectors[0], vectors[1]) >= rules.data.paraphrase.semantic_min_similarity
    except Exception:  # an embedder failure must never take a turn down: fall back to words
        return False


def _echo(rules: Rules, turn: Turn, vocab: Vocabulary) -> Act | None:
    """A sentence whose content words mostly come from the parent's turn, without a cue."""
    cfg, para, norm = rules.data.paraphrase, rules.para, turn.norm
    for s, e in turn.sentences:
        if match_at(para["not_paraphrase"], norm, s, e) or match_at(para["not_weak_paraphrase"], norm, s, e):
            continue
        if cfg.echo_anchor or cfg.echo_block:
            present, _ = classes_in(rules, turn, s, e)
            if cfg.echo_anchor and not any(c in present for c in cfg.echo_anchor):
                continue
            if any(c in present for c in cfg.echo_block):
                continue
        words = content(rules, turn.tokens_in(s, e), feeling_spans(rules, turn, s, e))
        own = {lem for lem, _ in words}
        shared = {lem for lem in own if lem in vocab}
        if len(shared) >= cfg.echo_min_overlap and len(shared) >= cfg.echo_min_share * len(own):
            return Act("paraphrase", overlap_evidence(turn, [t for lem, t in words if lem in shared]))
    return None


def summary(rules: Rules, turn: Turn, parents: list[str]) -> Act | None:
    """Content from two or more earlier parent turns gathered in one turn, with a cue or a list."""
    cfg, norm = rules.data.summary, turn.norm
    cue = search(rules.summary["cues"], norm)
    recent = parents[-6:]
    vocabs = [parent_vocab(rules, p) for p in recent]
    words = content(rules, turn.tokens, feeling_spans(rules, turn, 0, len(norm)))
    owner: dict[str, int] = {}
    hits: list[Token] = []
    for lem, tok in words:
        for i in range(len(vocabs) - 1, -1, -1):
            if lem in vocabs[i]:
                owner.setdefault(lem, i)
                hits.append(tok)
                break
    turns_hit = len(set(owner.values()))
    after = norm[cue.end() :] if cue else norm
    enumerated = bool(rules.enumeration and rules.enumeration.search(after))
    if cue:
        if enumerated or turns_hit >= cfg.min_parent_turns:
            if hits:
                return Act("summary", overlap_evidence(turn, hits))
            return act("summary", turn, *cue.span())
        return None
    if len(recent) < cfg.min_parent_turns:
        return None
    # counted points ("twee dingen") over a conversation with several parent turns gather them
    if search(rules.summary["weak_cues"], norm) and hits and enumerated:
        return Act("summary", overlap_evidence(turn, hits))
    if turns_hit < cfg.min_parent_turns:
        return None
    if len(owner) < cfg.min_total_overlap or not enumerated:
        return None
    para = rules.para
    framed = any(
        not match_at(para["not_paraphrase"], norm, s, e)
        and (
            search(para["strong_cues"], norm, s, e)
            or (search(para["weak_cues"], norm, s, e) and not match_at(para["not_weak_paraphrase"], norm, s, e))
        )
        for s, e in turn.sentences
    )
    return Act("summary", overlap_evidence(turn, hits)) if framed else None
