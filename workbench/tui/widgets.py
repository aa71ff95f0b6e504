"""Widgets shared by the screens."""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Size
from textual.widgets import Static

from workbench.display import DisplayMode
from workbench.keymap import KeyBinding
from workbench.tui.render import Block, blocks_text


class ArabicBlocks(Static):
    """Blocks of Arabic text, re-wrapped to the widget's width in the display mode.

    App mode must wrap before it reorders, so wrapping cannot be left to
    Textual: the text is laid out here for the width layout gives the widget.
    """

    DEFAULT_CSS = "ArabicBlocks { height: auto; }"

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes, markup=False)
        self._blocks: list[Block] = []
        self._mode: DisplayMode = "terminal"
        self._laid_out: tuple[list[Block], DisplayMode, int] | None = None

    def show(self, blocks: list[Block], mode: DisplayMode) -> None:
        self._blocks = blocks
        self._mode = mode
        if self.content_region.width:
            self._layout(self.content_region.width, relayout=True)
        else:
            # Not laid out yet: layout asks get_content_height at the real width.
            # (Laying out at a guessed width painted a first frame wrapped wrong.)
            self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # Layout is measuring at the width it will give: the text must be
        # wrapped for that width before it is measured, not after a resize.
        self._layout(width, relayout=False)
        return super().get_content_height(container, viewport, width)

    def _layout(self, width: int, *, relayout: bool) -> None:
        width = max(width, 10)
        # Unchanged content at an unchanged width: no update, so no second
        # layout pass and no second frame (the enter key's hot path).
        if self._laid_out == (self._blocks, self._mode, width):
            return
        self._laid_out = (self._blocks, self._mode, width)
        self.update(blocks_text(self._blocks, width, self._mode), layout=relayout)

    def on_resize(self) -> None:
        if self.content_region.width:
            self._layout(self.content_region.width, relayout=True)


_KEY_NAMES = {
    "enter": "⏎",
    "space": "space",
    "escape": "esc",
    "backspace": "⌫",
    "question_mark": "?",
    "slash": "/",
    "up": "↑",
    "down": "↓",
}


def key_label(key: str) -> str:
    """How a Textual key name is shown: ctrl+z as ^z, question_mark as ?."""
    first = key.split(",")[0]
    if first.startswith("ctrl+"):
        return "^" + first[5:]
    return _KEY_NAMES.get(first, first)


class KeyBar(Static):
    """The screen's keys on one line, drawn from the keymap.

    One widget instead of Textual's Footer, which mounts a widget per key:
    on the labeling screen that was 12 of 19 widgets and a third of the
    cold start spent applying CSS. The app is keyboard-first; nothing here
    needs to be clicked.
    """

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    def __init__(self, bindings: tuple[KeyBinding, ...]) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        for binding in bindings:
            if binding.show:
                text.append(f" {key_label(binding.key)} ", style="bold")
                text.append(binding.description + " ")
        super().__init__(text, markup=False)
