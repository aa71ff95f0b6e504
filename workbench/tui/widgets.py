"""Widgets shared by the screens."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import RenderResult
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Static

from workbench.display import DisplayMode
from workbench.keymap import _CHARACTERS, KeyBinding
from workbench.tui.fit import ALWAYS, Part, fit_parts
from workbench.tui.render import Block, blocks_text


class Laid(Static):
    """Text the app lays out itself for the size the widget gets.

    App mode must wrap before it reorders, so wrapping cannot be left to
    Textual or Rich: `build(width, height)` makes lines that already fit.
    `height` is None for a widget whose height follows its content; a widget
    made with `fill=True` takes the height layout gives it (1fr) and its
    builder chooses what fits.
    """

    DEFAULT_CSS = "Laid { height: auto; }"

    def __init__(self, *, id: str | None = None, classes: str | None = None, fill: bool = False):
        super().__init__("", id=id, classes=classes, markup=False)
        self.fill = fill
        if fill:
            self.styles.height = "1fr"
        self._key: object = None
        self._build: Callable[[int, int | None], Text] | None = None
        self._laid: tuple[object, int, int | None] | None = None
        self._filled = Text()

    def lay(self, key: object, build: Callable[[int, int | None], Text]) -> None:
        """Show what `build` makes; `key` says when it has changed."""
        if key == self._key and self._build is not None:
            return
        self._key, self._build = key, build
        if self.fill:
            self.refresh()  # `render` builds for the size it is painted at
        elif self.content_region.width:
            self._layout(self.content_region.width, relayout=True)
        else:
            # Not laid out yet: layout asks get_content_height at the real width.
            # (Laying out at a guessed width painted a first frame wrapped wrong.)
            self.refresh(layout=True)

    def render(self) -> RenderResult:
        # A filling widget's height is known only once it is placed, and
        # the first frame is painted before any resize event arrives: so it
        # is built here, at the size it is painted at.
        if self.fill and self._build is not None:
            size = self.content_region.size
            if size.width and self._laid != (self._key, size.width, size.height):
                self._laid = (self._key, size.width, size.height)
                self._filled = self._build(max(size.width, 10), max(size.height, 1))
            return self._filled
        return super().render()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # Layout is measuring at the width it will give: the text must be
        # laid out for that width before it is measured, not after a resize.
        self._layout(width, relayout=False)
        return super().get_content_height(container, viewport, width)

    def _layout(self, width: int, *, relayout: bool) -> None:
        if self._build is None or self.fill:
            return
        width = max(width, 10)
        # Unchanged content at an unchanged width: no update, so no second
        # layout pass and no second frame (the enter key's hot path).
        if self._laid == (self._key, width, None):
            return
        self._laid = (self._key, width, None)
        self.update(self._build(width, None), layout=relayout)

    def on_resize(self) -> None:
        if self.fill:
            self.refresh()
        elif self.content_region.width:
            self._layout(self.content_region.width, relayout=True)


class ArabicBlocks(Laid):
    """Blocks of Arabic text (a headline, sentences in context), wrapped to
    the widget's width in the display mode; with `fill`, as many blocks
    around the current one as fit the height."""

    def show(self, blocks: list[Block], mode: DisplayMode) -> None:
        shown = tuple(blocks)
        self.lay((shown, mode), lambda width, height: blocks_text(shown, width, mode, height))


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
