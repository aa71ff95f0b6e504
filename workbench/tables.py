"""Rich tables of data for the CLI (`stats`, `assign`, `agree`, `speakers list`).

Every cell, header and title that holds data goes in as a `DataCell`: its
text through `workbench.display.display_line` in the table's display mode,
never read as markup. A cell is cut to the width Rich gives its column, at
its logical end, before it is reordered: Rich wrapping an app-mode line
after reordering would put the line's end first.

In terminal mode a table row is one left-to-right paragraph for the
terminal's bidi, its cells separated by neutral box lines and spaces, which
between two Arabic cells would resolve right to left and swap the cells. A
LEFT-TO-RIGHT MARK on each side of an Arabic cell keeps every cell in its
column.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.measure import Measurement
from rich.style import StyleType
from rich.text import Text

from workbench.display import (
    DisplayMode,
    base_direction,
    display_line,
    display_lines,
    embedded,
    sanitize,
)

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

# Rich may squeeze a column below its widest cell; no narrower than this
# unless the cell itself is, so a cut cell still shows a word and its "…".
MIN_WIDTH = 6


class DataCell:
    """Strings from data shown in a table cell, one line each, in `mode`.

    Each string is cut to the cell's width, or with `wrap` (a title, which
    must not be cut to a narrow table's width) wrapped in logical order
    first and then each line drawn. Right-to-left lines are right-aligned
    in the cell (as `display_lines` aligns a paragraph); left-to-right ones
    take the column's justification.
    """

    def __init__(
        self,
        lines: str | Iterable[str],
        mode: DisplayMode,
        style: StyleType = "",
        wrap: bool = False,
    ):
        self.lines = [lines] if isinstance(lines, str) else list(lines)
        self.mode = mode
        self.style = style
        self.wrap = wrap

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((cell_len(display_line(line, self.mode)) for line in self.lines), default=0)
        return Measurement(min(widest, MIN_WIDTH), widest).with_maximum(options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        yield Text(
            "\n".join(shown for line in self.lines for shown in self._shown(line, width)),
            style=self.style,
            no_wrap=True,
            overflow="crop",
        )

    def _shown(self, line: str, width: int) -> list[str]:
        clean = sanitize(line)
        if self.wrap:
            shown = display_lines(clean, width, self.mode)  # right-to-left ones padded
        else:
            one = display_line(clean, self.mode, width=width)
            pad = width - cell_len(one) if base_direction(clean) == "R" else 0
            shown = [" " * max(0, pad) + one]
        if self.wrap:
            shown = [embedded(s, self.mode) for s in shown]
        return shown


def title(text: str, mode: DisplayMode) -> DataCell:
    """A table title holding data: wrapped to the table's width, never cut."""
    return DataCell(text, mode, style="table.title", wrap=True)


def figure(value: object) -> Text:
    """A cell the program made (a count, a share): plain text, never markup."""
    return Text(str(value))


def print_lines(
    console: Console,
    text: str,
    mode: DisplayMode,
    style: StyleType = "",
    soft_wrap: bool = False,
) -> None:
    """A paragraph from data outside a table, wrapped to the console in
    logical order, then each line drawn in `mode` (never re-wrapped by Rich).

    `soft_wrap`: in terminal mode one logical line, however long, left for
    the terminal to wrap, so it can be copied or parsed whole.
    """
    if soft_wrap and mode == "terminal":
        console.print(Text(display_line(text, mode), style=style), soft_wrap=True)
        return
    for line in display_lines(text, console.width, mode):
        console.print(Text(line, style=style), no_wrap=True, overflow="crop")
