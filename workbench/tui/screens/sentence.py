"""What the labeling and review screens share: a sentence shown in context."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from workbench.display import DisplayMode
from workbench.tui.widgets import ArabicBlocks


class SentenceScreen(Screen[None]):
    """A status line, the headline, the sentence in its paragraph and a line
    of marks; subclasses add their panel below and draw in `refresh_view`."""

    def compose_sentence(self) -> ComposeResult:
        yield Static(id="status", markup=False)
        yield ArabicBlocks(id="headline")
        with VerticalScroll(id="context-box"):
            yield ArabicBlocks(id="context")
        yield Static(id="flags", markup=False)

    def on_mount(self) -> None:
        self.refresh_view()

    def refresh_view(self) -> None:
        raise NotImplementedError

    @property
    def mode(self) -> DisplayMode:
        return self.app.display_mode  # type: ignore[attr-defined]

    def action_toggle_display(self) -> None:
        self.app.toggle_display()  # type: ignore[attr-defined]
        self.refresh_view()
