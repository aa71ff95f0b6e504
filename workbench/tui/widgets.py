"""Widgets shared by the screens."""

from __future__ import annotations

from textual.widgets import Input, Static

from workbench.display import DisplayMode
from workbench.tui.render import Block, blocks_text


class ArabicBlocks(Static):
    """Blocks of Arabic text, re-wrapped to the widget's width in the display mode.

    App mode must wrap before it reorders, so wrapping cannot be left to
    Textual: the text is laid out here for the current width on every resize.
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
        self._layout()

    def _layout(self) -> None:
        width = max(self.content_region.width or self.size.width or 78, 10)
        # Unchanged content at an unchanged width: no update, so no second
        # layout pass and no second frame (the enter key's hot path).
        if self._laid_out == (self._blocks, self._mode, width):
            return
        self._laid_out = (self._blocks, self._mode, width)
        self.update(blocks_text(self._blocks, width, self._mode))

    def on_resize(self) -> None:
        self._layout()


class TextInput(Input):
    """An Input whose cursor blinks unless the app says not to (snapshot tests)."""

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "blink", True)
