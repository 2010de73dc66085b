"""The conversation log and the teacher's input box.

Parent lines grow piece by piece while a voice streams; the input is a TextArea
so long turns wrap, with Enter to send and a refusal for very long pastes.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static, TextArea

from simulator.app.backend import MAX_INPUT_CHARS
from simulator.app.labels import act_label


class ChatMessage(Vertical):
    """One turn: who speaks, the words, and (for the teacher, when meters are on) the acts found."""

    DEFAULT_CSS = """
    ChatMessage { height: auto; }
    ChatMessage > .text { height: auto; }
    ChatMessage > .acts { height: auto; display: none; }
    """

    def __init__(self, speaker: str, name: str, text: str = "", *, note: str | None = None) -> None:
        super().__init__(classes=speaker)
        self.speaker = speaker
        self.who = name
        self.text = text
        self.note = note
        self._text = Static(self._content(), classes="text")
        self._acts = Static("", classes="acts")

    def compose(self) -> ComposeResult:
        yield self._text
        yield self._acts

    def _content(self) -> Content:
        parts: list[str | Content | tuple[str, str]] = [(self.who, "bold"), "\n", self.text or "…"]
        if self.note:
            parts += ["  ", (f"({self.note})", "italic dim")]
        return Content.assemble(*parts)

    def append(self, piece: str) -> None:
        self.text += piece
        self._text.update(self._content())

    def reset(self) -> None:
        self.text = ""
        self._text.update(self._content())

    def finish(self, text: str, note: str | None = None) -> None:
        self.text = text
        self.note = note
        self._text.update(self._content())

    def set_acts(self, codes: Iterable[str]) -> None:
        labels = [act_label(c) for c in codes]
        self._acts.update(Content.styled("acties: " + (", ".join(labels) if labels else "geen"), "dim italic"))


class ChatLog(VerticalScroll):
    """The scrolling conversation; it follows the newest line."""

    def add(self, speaker: str, name: str, text: str = "", *, note: str | None = None) -> ChatMessage:
        message = ChatMessage(speaker, name, text, note=note)
        self.mount(message)
        self.scroll_end(animate=False)
        return message

    def note(self, text: str) -> Static:
        """A line from the app itself (the conversation ended, a hint)."""
        line = Static(Content(text), classes="system")
        self.mount(line)
        self.scroll_end(animate=False)
        return line


class ChatInput(TextArea):
    """The teacher's turn: wraps long lines, Enter sends, very long pastes are refused."""

    class Submitted(Message):
        def __init__(self, chat_input: ChatInput, text: str) -> None:
            super().__init__()
            self.chat_input = chat_input
            self.text = text

        @property
        def control(self) -> ChatInput:
            return self.chat_input

    def __init__(self, *, id: str | None = None, placeholder: str = "") -> None:
        super().__init__(
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            compact=True,
            placeholder=placeholder,
        )

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self, self.text))

    async def _on_paste(self, event: events.Paste) -> None:
        """Refuse a paste that would make the turn too long; the base class inserts the others."""
        if len(self.text) + len(event.text) > MAX_INPUT_CHARS:
            event.stop()
            event.prevent_default()
            self.app.notify(
                f"Dat is te lang om in één beurt te zeggen (meer dan {MAX_INPUT_CHARS} tekens). "
                "Zeg het in je eigen woorden, in kortere stukken.",
                title="Plakken geweigerd",
                severity="warning",
            )
            return
        # Newlines would otherwise split one turn; a pasted turn is one paragraph.
        if "\n" in event.text:
            event.stop()
            event.prevent_default()
            if result := self._replace_via_keyboard(" ".join(event.text.split()), *self.selection):
                self.move_cursor(result.end_location)
