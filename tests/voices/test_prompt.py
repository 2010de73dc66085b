"""Prompt building: what the parent may know goes in, nothing else; long conversations are trimmed."""

from __future__ import annotations

import dataclasses
import itertools

from simulator.voices.prompt import (
    ChatPrompt,
    LineStream,
    StopScanner,
    chat_prompt,
    dialogue_prompt,
    fit,
    history_turns,
    parent_label,
    system_fixed,
)


def test_chat_prompt_holds_persona_facts_state_intent_and_examples(request_obj) -> None:
    prompt = chat_prompt(request_obj)
    system = prompt.messages[0]["content"]
    persona, scenario = request_obj.persona, request_obj.scenario
    assert persona.name in system
    assert persona.background.job in system
    assert persona.speaking_style.expressions[0] in system
    for fact in scenario.parent_knows:
        assert fact.split("{")[0][:30] in system
    for hidden in scenario.parent_does_not_know:
        assert hidden not in system
    for example in request_obj.style_examples[:3]:
        assert example in system
    assert "Wat je nu doet:" in system
    assert "beantwoord" in system  # the rule to answer the teacher's last question
    assert system.startswith(prompt.fixed)  # the fixed part comes first, so a model can keep it computed


def test_chat_prompt_alternates_roles_and_ends_with_the_teacher(request_obj) -> None:
    messages = chat_prompt(request_obj).messages
    roles = [m["role"] for m in messages]
    assert roles[0] == "system" and roles[1] == "user"
    assert all(a != b for a, b in itertools.pairwise(roles[1:]))
    assert messages[-1]["role"] == "user"
    assert messages[-1]["content"].endswith(request_obj.teacher_text)


def test_dialogue_prompt_for_base_models_ends_at_the_parent_label(request_obj) -> None:
    prompt = dialogue_prompt(request_obj)
    text = prompt.text
    assert text.endswith(f"{parent_label(request_obj)}:")
    assert f"Leerkracht: {request_obj.teacher_text}" in text
    assert prompt.stop == ("\n",)
    for hidden in request_obj.scenario.parent_does_not_know:
        assert hidden not in text
    # Header and history come first and recur unchanged next turn.
    assert "".join(prompt.segments[: prompt.stable]) in text
    assert prompt.stable == 1 + len(request_obj.history)


def test_fixed_part_is_the_same_every_turn(make_request) -> None:
    first = make_request(())
    later = make_request(("Ik begrijp dat dit advies u verrast.", "Wat ziet u thuis bij Daan?"))
    assert system_fixed(first) == system_fixed(later)
    assert dialogue_prompt(later).segments[0] == dialogue_prompt(first).segments[0]


def test_trimming_drops_oldest_turns_into_a_summary_and_keeps_the_last(request_obj) -> None:
    turns = [
        ("teacher" if i % 2 else "parent", f"Dit is beurt {i} met woorden over huiswerk en toetsen.") for i in range(60)
    ]
    long_history = (*turns, ("teacher", request_obj.teacher_text))
    request = dataclasses.replace(request_obj, history=long_history)

    def size(p: ChatPrompt) -> int:  # words as a stand-in for tokens
        return sum(len(m["content"].split()) for m in p.messages)

    full, smallest = chat_prompt(request), chat_prompt(request, len(long_history))
    budget = (size(full) + size(smallest)) // 2
    trimmed = fit(lambda d: chat_prompt(request, d), size, budget, history_turns(request))
    assert size(trimmed) <= budget
    assert trimmed.dropped > 0
    assert "Eerder in het gesprek (ingekort)" in trimmed.messages[0]["content"]
    assert trimmed.messages[-1]["content"].endswith(request_obj.teacher_text)
    # The fewest turns are dropped: one turn fewer would not fit.
    assert size(chat_prompt(request, trimmed.dropped - 1)) > budget


def test_stop_scanner_cuts_at_a_label_split_across_pieces() -> None:
    scan = StopScanner(["\nLeerkracht:", "\n\n"])
    shown = scan.feed("Dat vind ik niet eerlijk.") + scan.feed("\nLeer") + scan.feed("kracht: Maar")
    assert shown == "Dat vind ik niet eerlijk."
    assert scan.stopped
    assert scan.feed("meer tekst") == ""


def test_line_stream_drops_the_parents_own_label(request_obj) -> None:
    label = parent_label(request_obj)
    stream = LineStream(request_obj, ["\n"])
    pieces = [stream.feed(p) for p in (label[:2], label[2:] + ":", " Nou", ", dat vind ik raar.\nLeerkracht:")]
    assert "".join(pieces) + stream.finish() == "Nou, dat vind ik raar."
