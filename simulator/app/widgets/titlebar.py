"""A quiet one-line title bar: app name and where you are.

Textual's Header watches the app's title from every screen; a screen replaced
while such a watcher is pending fails to find its title widget. This bar only
shows text it is given, so switching screens can never race with it.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class TitleBar(Static):
    """'Oudergesprek · <where>' docked at the top."""

    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        content-align: center middle;
        background: $panel;
        color: $foreground;
    }
    """

    def __init__(self, where: str = "") -> None:
        super().__init__(id="title-bar")
        self.where = where

    def on_mount(self) -> None:
        self.show(self.where)

    def show(self, where: str) -> None:
        self.where = where
        title = self.app.title
        self.update(
            Content.assemble((title, "bold"), ("  ·  " + where, "dim")) if where else Content.styled(title, "bold")
        )
