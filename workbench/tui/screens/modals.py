"""The help screen: every key and the codebook's help with its examples.

(Pickers and prompts are not screens: see `workbench.picker` and
`SentenceScreen.open_box`.)
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen

from workbench.tui.keyed import KeyedScreen
from workbench.tui.widgets import Laid

_SCROLL = {
    "up": "scroll_up",
    "down": "scroll_down",
    "pageup": "scroll_page_up",
    "pagedown": "scroll_page_down",
    "home": "scroll_home",
    "end": "scroll_end",
}


class HelpScreen(KeyedScreen, ModalScreen[None]):
    """Every binding and the codebook's help with its examples; esc, ? or q closes."""

    def __init__(self, content: Callable[[int], Text]) -> None:
        super().__init__()
        self._content = content  # laid out for the width the dialog gets

    def compose(self) -> ComposeResult:
        scroll = VerticalScroll(classes="dialog help", id="help-scroll", can_focus=False)
        # A gutter kept for the scrollbar: the help is laid out for a width,
        # and a scrollbar appearing later would cover the ends of its lines.
        scroll.styles.scrollbar_gutter = "stable"
        with scroll:
            yield Laid(id="help")

    def on_mount(self) -> None:
        self.query_one("#help", Laid).lay("help", lambda width, _height: self._content(width))
        self.live = True

    def take_key(self, key: str, character: str | None) -> None:
        if key in ("escape", "question_mark", "q"):
            self.app.pop_screen()
        elif key == "ctrl+c":
            self.app.exit()
        elif key in _SCROLL and self.live:
            getattr(self.query_one("#help-scroll", VerticalScroll), _SCROLL[key])(animate=False)
