"""Widgets shared by the screens."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rich.segment import Segment
from rich.text import Text
from textual.app import RenderResult
from textual.content import Content
from textual.geometry import Size
from textual.strip import Strip
from textual.visual import RenderOptions, RulesMap, Visual
from textual.widget import Widget
from textual.widgets import Static

from workbench.display import DisplayMode
from workbench.keymap import _CHARACTERS, KeyBinding
from workbench.tui.fit import ALWAYS, Part, fit_parts
from workbench.tui.render import Block, blocks_lines

if TYPE_CHECKING:
    from textual.selection import Selection
    from textual.style import Style


# -- lines drawn once ------------------------------------------------------------
#
# Textual renders a widget's text whole on every repaint: Rich Text to
# Content, every line wrapped, styled and made a Strip. On the labeling
# screen an `enter` repaints the context (some 20 lines, most of them the
# neighbours already shown a key earlier) and the field panel (the same
# lines but the one that changed). `LineStrips` renders line by line and
# keeps each line's strip, so an unchanged line costs a look-up. Its strips
# are exactly Content's (`tests/test_render_cache.py` compares them, the
# selection offsets in each segment's meta included); whatever the fast
# path does not cover (a line wider than the box, a tab, alignment other
# than left, a selection) is rendered whole by Content as before.

_TRAILING_SPACE = re.compile(r"\s+$")
LineKey = tuple[str, tuple[Any, ...], Any]  # a Rich line: plain, spans, style


@lru_cache(maxsize=256)
def _line_content(line: LineKey, console: Any, theme: Any) -> Content:
    # The app's console parses the spans' style names; its ANSI theme (in
    # the key, though unused here) is how Content maps ANSI colours.
    plain, spans, style = line
    return Content.from_rich_text(Text(plain, style=style, spans=list(spans)), console=console)


@lru_cache(maxsize=256)
def _line_runs(
    line: tuple[LineKey, Any, Any], style: Style
) -> tuple[tuple[tuple[str, Style], ...], int]:
    # Content's spans are Styles, never names, so rendering needs no
    # `get_style` (the widget's parser of style names).
    content = _line_content(*line)
    runs = tuple((text, style + run) for text, run in content.render(style, ""))
    return runs, content.cell_length


@lru_cache(maxsize=128)
def _line_strip(runs: tuple[tuple[str, Style], ...], cells: int, y: int) -> Strip:
    # What Content's left-aligned line gives: each run styled with its offset
    # (x, y) in the meta, which text selection reads. Few kept: a strip keeps
    # what Textual derives from it (crops, filters), so each one held costs
    # the garbage collector dozens of objects; the field panel's lines, at
    # the same rows key after key, are what it is for.
    segments = []
    x = 0
    for text, style in runs:
        segments.append(Segment(text, style.rich_style_with_offset(x, y)))
        x += len(text)
    return Strip(segments, cells)


class LineStrips(Visual):
    """A Rich `Text` rendered line by line, each line's strip cached."""

    def __init__(self, widget: Widget, text: Text | Sequence[Text]) -> None:
        """`text` whole, or its lines (never modified)."""
        self._widget = widget
        self._text = text if isinstance(text, Text) else None
        self._lines = None if isinstance(text, Text) else list(text) or [Text()]
        self._whole: Content | None = None
        self._keyed: tuple[tuple[int, Any, Any], list[tuple[LineKey, Any, Any]] | None] | None = (
            None
        )

    @property
    def text(self) -> Text:
        if self._text is None:
            self._text = Text("\n").join(self.lines())
        return self._text

    @property
    def plain(self) -> str:
        return self.text.plain

    def __str__(self) -> str:
        return self.text.plain

    def lines(self) -> list[Text]:
        if self._lines is None:
            text = self.text
            self._lines = list(text.split("\n", allow_blank=True)) if text.plain else [text]
        return self._lines

    def content(self) -> Content:
        """The whole text as Textual renders it."""
        if self._whole is None:
            self._whole = Content.from_rich_text(self.text, console=self._widget.app.console)
        return self._whole

    def _keys(self, rules: RulesMap, width: int) -> list[tuple[LineKey, Any, Any]] | None:
        """Each line's cache key, or None when a line would not be drawn
        as it is (wrapped, cut, padded, aligned, tabs expanded)."""
        if rules.get("line_pad", 0) or rules.get("text_align", "left") not in ("left", "start"):
            return None
        app = self._widget.app
        console, theme = app.console, app.ansi_theme
        if self._keyed is not None and self._keyed[0] == (width, console, theme):
            return self._keyed[1]  # measured, then drawn
        keys = self._line_keys(width, console, theme)
        self._keyed = ((width, console, theme), keys)
        return keys

    def _line_keys(
        self, width: int, console: Any, theme: Any
    ) -> list[tuple[LineKey, Any, Any]] | None:
        out = []
        for line in self.lines():
            plain = line.plain
            if "\t" in plain:
                return None
            key = ((plain, tuple(line.spans), line.style), console, theme)
            if _line_content(*key).cell_length > width or (
                len(plain) > width and _TRAILING_SPACE.search(plain)
            ):
                return None
            out.append(key)
        return out

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        if not width:
            return []
        keys = None
        if options.selection is None and options.post_style is None:
            keys = self._keys(options.rules, width)
        if keys is None:
            return self.content().render_strips(width, height, style, options)
        if height is not None:
            keys = keys[:height]
        return [_line_strip(*_line_runs(key, style), y) for y, key in enumerate(keys)]

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.content().get_optimal_width(rules, container_width)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return self.content().get_minimal_width(rules)

    def get_height(self, rules: RulesMap, width: int) -> int:
        if self._keys(rules, width) is not None:
            return len(self.lines())  # no line wraps
        return self.content().get_height(rules, width)


class Drawn(Static):
    """A Static drawn through `LineStrips`: no links, and a mouse selection
    copies its text as it would a Text's."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes, markup=False)
        self.set_reactive(Widget.auto_links, False)  # no links: no pass over every segment

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        visual = self._render()
        if isinstance(visual, LineStrips):  # as Widget.get_selection does for a Text
            return selection.extract(visual.plain), "\n"
        return super().get_selection(selection)


class Laid(Drawn):
    """Text the app lays out itself for the size the widget gets.

    App mode must wrap before it reorders, so wrapping cannot be left to
    Textual or Rich: `build(width, height)` makes lines that already fit
    (a Text, or its lines), drawn line by line (`LineStrips`).
    `height` is None for a widget whose height follows its content; a widget
    made with `fill=True` takes the height layout gives it (1fr) and its
    builder chooses what fits.
    """

    DEFAULT_CSS = "Laid { height: auto; }"

    def __init__(self, *, id: str | None = None, classes: str | None = None, fill: bool = False):
        super().__init__(id=id, classes=classes)
        self.fill = fill
        if fill:
            self.styles.height = "1fr"
        self._key: object = None
        self._build: Callable[[int, int | None], Text | Sequence[Text]] | None = None
        self._laid: tuple[object, int, int | None] | None = None
        self._filled: LineStrips | None = None

    def lay(self, key: object, build: Callable[[int, int | None], Text | Sequence[Text]]) -> None:
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
                built = self._build(max(size.width, 10), max(size.height, 1))
                self._filled = LineStrips(self, built)
            if self._filled is not None:
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
        self.update(LineStrips(self, self._build(width, None)), layout=relayout)

    def on_resize(self) -> None:
        if self.fill:
            self.refresh()
        elif self.content_region.width:
            self._layout(self.content_region.width, relayout=True)


class Lines(Drawn):
    """Text laid out by the app in lines that fit (the field panel), drawn
    line by line (`LineStrips`). Unchanged text is not drawn again, and
    layout runs only when the number of lines changes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: Text | None = None

    def show(self, text: Text) -> None:
        if self._shown is not None and text == self._shown:
            return
        self._shown = text
        visual = LineStrips(self, text)
        width = self.content_region.width
        # A layout already asked for and not yet done still happens.
        same = bool(width) and visual.get_height(self.styles, width) == self.content_region.height
        self.update(visual, layout=not same)


def show_line(widget: Static, text: Text) -> None:
    """Show `text` in a Static whose height CSS fixes (a status line): not
    repainted when unchanged, and never a layout pass."""
    if widget.content != text:
        widget.update(text, layout=False)


class ArabicBlocks(Laid):
    """Blocks of Arabic text (a headline, sentences in context), wrapped to
    the widget's width in the display mode; with `fill`, as many blocks
    around the current one as fit the height."""

    def show(self, blocks: list[Block], mode: DisplayMode) -> None:
        shown = tuple(blocks)
        self.lay((shown, mode), lambda width, height: blocks_lines(shown, width, mode, height))


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
