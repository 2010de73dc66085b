"""The shared reading of a turn: the words, sentences and acts the engine and the scores both use."""

from __future__ import annotations

from feedback.acts import codes_of, recognise
from feedback.reading import read_turn


def test_a_reading_holds_the_sentences_words_lemmas_and_the_same_acts_as_recognise() -> None:
    parent = "Hij zegt thuis niks over school."
    text = "Goed dat u het zegt. Wat merkt u daar thuis van?"
    r = read_turn(text, parent)
    assert r.text == text and len(r.norm) == len(text)
    assert r.sentences == ("Goed dat u het zegt.", "Wat merkt u daar thuis van?")
    assert r.tokens[:3] == ("goed", "dat", "u") and len(r.lemmas) == len(r.tokens)
    assert "merken" in r.lemmas
    assert list(r.codes) == codes_of(recognise(text, parent))


def test_reading_the_same_turn_twice_gives_the_same_reading() -> None:
    history = [("parent", "Ze slaapt slecht."), ("teacher", "Vertel eens."), ("parent", "Ze piekert veel.")]
    assert read_turn("U maakt zich zorgen.", None, history) is read_turn("U maakt zich zorgen.", None, history)


def test_odd_input_gives_an_empty_reading_not_an_error() -> None:
    r = read_turn("", None)
    assert r.acts == () and r.tokens == ()
    assert read_turn("   ?!", "").acts == ()
