"""Widgets shared by the screens."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Static

from workbench.display import DisplayMode
from workbench.keymap import _CHARACTERS, KeyBinding
from workbench.tui.fit import ALWAYS, Part, fit_parts
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


# How keys are shown: as the keys (`/`, `?`, `esc`), never by their Textual
# names (`slash`, `question_mark`, `escape`).
_KEY_NAMES = {
    **_CHARACTERS,
    "space": "space",
    "enter": "⏎",
    "escape": "esc",
    "backspace": "⌫",
    "delete": "del",
    "tab": "tab",
    "shift+tab": "⇧tab",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "pgup",
    "pagedown": "pgdn",
}


def key_label(key: str, *, short: bool = True) -> str:
    """How a Textual key name is shown: question_mark as ?, ctrl+z as ^z
    (as ctrl+z when not `short`). Of alternatives ("up,k"), the first."""
    first = key.split(",")[0].strip()
    if first.startswith("ctrl+") and short:
        return "^" + first[5:]
    return _KEY_NAMES.get(first, first)


def keys_label(key: str) -> str:
    """Every alternative of a binding, spelled out, as the help lists them:
    "up,k" as "↑ k", "ctrl+z" as itself."""
    return " ".join(key_label(k, short=False) for k in key.split(","))


# Which keys the bar drops first when the line is too narrow: the highest
# number first; 0 never (commit, open, back to the list, help and quit
# always show). The help screen lists every key.
_BAR_PRIORITY = {
    "commit": ALWAYS,
    "open": ALWAYS,
    "back": ALWAYS,
    "help": ALWAYS,
    "quit": ALWAYS,
    "speaker": 1,
    "filter": 1,
    "previous": 1,
    "next": 1,
    "majority": 1,
    "edit": 1,
    "skip": 2,
    "flag": 2,
    "undo": 2,
    "reason": 2,
    "note": 3,
    "redo": 3,
    "find": 3,
    "majority_all": 3,
    "display": 4,
}


class FitLine(Widget):
    """One line of parts that fits the width it gets (see `workbench.tui.fit`):
    a status line, the key bar. Laid out again whenever its width changes."""

    DEFAULT_CSS = "FitLine { height: 1; }"

    def __init__(
        self, parts: Sequence[Part] = (), *, separator: str = "  ", id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self._parts = list(parts)
        self._separator = separator

    def show(self, parts: Sequence[Part]) -> None:
        self._parts = list(parts)
        self.refresh()

    def render(self) -> Text:
        return fit_parts(self._parts, self.content_size.width, self._separator)


class KeyBar(FitLine):
    """The screen's keys on one line, drawn from the keymap; when they do not
    all fit, the least needed go first.

    One widget instead of Textual's Footer, which mounts a widget per key:
    on the labeling screen that was 12 of 19 widgets and a third of the
    cold start spent applying CSS. The app is keyboard-first; nothing here
    needs to be clicked.
    """

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        padding: 0 0 0 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    def __init__(self, bindings: tuple[KeyBinding, ...]) -> None:
        super().__init__(
            [
                (
                    Text.assemble((key_label(b.key), "bold"), f" {b.description}"),
                    _BAR_PRIORITY.get(b.id, 3),
                )
                for b in bindings
                if b.show
            ]
        )


class TooSmall(Static):
    """Covers the whole screen when the terminal is smaller than the app needs."""

    DEFAULT_CSS = """
    TooSmall {
        overlay: screen;
        position: absolute;
        offset: 0 0;
        width: 100vw;
        height: 100vh;
        content-align: center middle;
        text-align: center;
        background: $background;
        color: $warning;
    }
    """
