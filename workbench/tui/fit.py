"""One-line bars that fit the width they get: the key bar and status lines.

A bar is a list of parts, each with a priority. When the parts do not fit,
the least important go first (the highest number; of equals, the last),
never those of priority 0; what still does not fit is cut at the end with
"…". Parts keep their order. Parts that can hold Arabic come already cut
(`display_line` with a width): a crop here would cut the visual end of a
right-to-left string, which is its logical start.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

ALWAYS = 0  # a part that is never dropped

Part = tuple[Text, int]


def fit_parts(parts: Sequence[Part], width: int, separator: str = "  ") -> Text:
    """The parts joined by `separator`, dropping the least important until
    the line fits `width` cells."""
    kept = list(parts)
    gap = len(separator)

    def size() -> int:
        return sum(text.cell_len for text, _ in kept) + gap * max(0, len(kept) - 1)

    while size() > width:
        droppable = [i for i, (_, priority) in enumerate(kept) if priority != ALWAYS]
        if not droppable:
            break
        # The highest priority number, the last of equals.
        del kept[max(droppable, key=lambda i: (kept[i][1], i))]
    line = Text(no_wrap=True, overflow="ellipsis", end="")
    for n, (text, _) in enumerate(kept):
        if n:
            line.append(separator)
        line.append_text(text)
    if line.cell_len > width:
        line.truncate(width, overflow="ellipsis")
    return line
