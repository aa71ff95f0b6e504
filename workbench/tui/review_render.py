"""What the review screen draws: the coders' values side by side, and gold.

As in `render`, every string from the corpus, the codebook or a coder
becomes `Text` (never markup) after `workbench.display.sanitize`.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from workbench.codebook import Field
from workbench.display import DisplayMode, base_direction, display_line
from workbench.gold import Row
from workbench.review import UNDECIDED, ReviewSession
from workbench.tui.fit import ALWAYS, Part, fit_parts

_STATUS_STYLE = {"labeled": "green", "skipped": "magenta", "flagged": "red"}


def _line(text: str, mode: DisplayMode, width: int) -> str:
    """A cell's line from data, cut to `width` at its logical end; in app mode
    right-to-left text is right-aligned in the cell."""
    shown = display_line(text, mode, width)
    if mode == "app" and base_direction(text) == "R":
        return " " * max(0, width - cell_len(shown)) + shown
    return shown


def value_text(
    f: Field | None,
    value: Any,
    mode: DisplayMode,
    names: dict[str, tuple[str, str]],
    width: int = 24,
) -> Text:
    """One value as the table shows it: labels, not ids. Every line is cut to
    `width` cells before it is laid out, so the table never wraps or crops
    it (a wrap after app-mode reordering would put its end first, a crop
    would drop the start of Arabic)."""
    if value is UNDECIDED:
        return Text("? decide", style="bold yellow")
    if f is None:
        return Text(_line(value, mode, width), style=_STATUS_STYLE.get(value, ""))
    if value is None:
        return Text("unset", style="dim")
    if f.kind == "entity":
        english, arabic = names.get(value, (value, ""))
        shown = Text(_line(english, mode, width))
        if arabic:
            shown.append("\n")
            shown.append(_line(arabic, mode, width))
        return shown
    if f.kind == "stance":
        if not value:
            return Text("no stance", style="dim")
        return Text(
            "\n".join(
                _line(
                    f"{f.value(p['polarity'], 'polarity').label} "
                    f"{f.value(p['target'], 'target').label}",
                    mode,
                    width,
                )
                for p in value
            )
        )
    if f.kind == "multi":
        return Text(_line(", ".join(f.value(v).label for v in value), mode, width))
    return Text(_line(f.value(value).label, mode, width))


_MARKS = 4  # the row name's marks: "▶ " before it, " ≠" after it
_HEAD_MAX = 18  # the row name column at most (a long field label is cut)
_MIN_CELL = 8


def comparison_table(
    session: ReviewSession, mode: DisplayMode, names: dict[str, tuple[str, str]], width: int
) -> Table:
    """Rows: the status and every non-text field; columns: each coder (with
    the key that takes its value), the majority, and the gold draft.

    The row names take what their longest needs; the value columns share the
    rest equally, two spaces between columns (11 cells each at 80 columns
    with three coders, 19 at 120)."""
    head = min(_HEAD_MAX, max(cell_len(_row_title(row)) for row in session.unit.rows) + _MARKS)
    columns = len(session.coders) + 2
    # Each column: its cells, one cell of padding and the (blank) rule.
    column = max(_MIN_CELL, (width - head) // columns - 2)
    # Fixed, equal widths: every line is cut to fit one and never wraps.
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, padding=(0, 1, 0, 0))
    table.add_column("", no_wrap=True, width=head)
    for n, coder in enumerate(session.coders, start=1):
        header = Text.assemble((f"{n} ", "bold cyan"), display_line(coder, mode, column - 2))
        table.add_column(header, width=column, no_wrap=True, overflow="ellipsis")
    for title in ("m majority", "gold"):
        table.add_column(Text(title, style="bold"), width=column, no_wrap=True, overflow="ellipsis")
    cursor = session.row.name
    for row in session.unit.rows:
        table.add_row(
            *_cells(session, row, mode, names, column, head), style=_row_style(row, cursor)
        )
    return table


def _row_title(row: Row) -> str:
    return row.field.label if row.field is not None else "Status"


def _row_style(row: Row, cursor: str) -> str:
    if row.name == cursor:
        return "on grey23"
    return "" if row.compared else "dim"


def _cells(
    session: ReviewSession,
    row: Row,
    mode: DisplayMode,
    names: dict[str, tuple[str, str]],
    width: int,
    head_width: int,
) -> list[Text]:
    marker = "▶ " if row.name == session.row.name else "  "
    # No bold on anything from the codebook or a coder: it can hold Arabic,
    # and bold fonts lack the presentation forms (see workbench.display).
    head = Text(marker + display_line(_row_title(row), mode, head_width - _MARKS))
    if row.compared and not row.agrees:
        head.append(" ≠", style="bold red")
    draft = session.draft.get(row.name, UNDECIDED) if row.compared else None
    agreeing = set(row.coders_with(draft)) if row.compared and draft is not UNDECIDED else set()
    cells = [head]
    for coder in session.coders:
        if coder not in row.values:
            cells.append(Text("(skipped)", style="dim magenta"))
            continue
        shown = value_text(row.field, row.values[coder], mode, names, width)
        if coder in agreeing:
            shown.stylize("green")
        cells.append(shown)
    if not row.compared:
        return [*cells, Text("not compared", style="dim"), Text("")]
    majority = row.majority()
    cells.append(
        value_text(row.field, majority[0], mode, names, width)
        if majority
        else Text("none", style="dim")
    )
    cells.append(value_text(row.field, draft, mode, names, width))
    return cells


def review_status(session: ReviewSession, mode: DisplayMode, width: int = 200) -> Text:
    """The status line, its least needed parts dropped to fit `width`."""
    unit = session.unit
    book = session.codebook
    parts: list[Part] = [
        (Text(display_line(f"{unit.ext_id} #{unit.idx + 1}", mode, 30), style="cyan"), ALWAYS),
        (Text(f"queue {session.position + 1}/{len(session.items)}"), ALWAYS),
        (Text(f"decided {session.decided_count()}"), 2),
        (Text(f"agreement {unit.agreement():.2f}"), 1),
        (Text("adjudicator " + display_line(session.adjudicator, mode, 24)), 3),
        (Text(display_line(f"{book.name} {book.version}", mode, 30)), 4),
        (Text(f"display {mode}"), 5),
    ]
    return fit_parts(parts, width)


def review_flags(session: ReviewSession, mode: DisplayMode, width: int = 100) -> Text:
    unit = session.unit
    text = Text()
    if unit.gold is None:
        text.append("◆ unresolved", style="yellow")
    else:
        by = display_line(unit.gold["adjudicator"], mode, 24)
        text.append(f"✔ adjudicated by {by}", style="green")
        if unit.changed:
            text.append(
                "   ⚠ a coder changed a label since: check and commit again", style="bold red"
            )
    notes = [(c, s["note"]) for c, s in sorted(unit.labels.items()) if s["note"]]
    for coder, note in notes:
        name = display_line(coder, mode, 24)
        text.append(f"\n  {name}: ", style="cyan")
        text.append(display_line(note, mode, max(10, width - cell_len(name) - 4)), style="italic")
    return text


def reason_line(session: ReviewSession, mode: DisplayMode, width: int = 120) -> Text:
    missing = session.missing()
    to_decide = "   to decide: " + ", ".join(missing) if missing else ""
    text = Text("Reason [r]: ", style="bold")
    if session.reason:
        room = max(10, width - text.cell_len - cell_len(to_decide))
        text.append(display_line(session.reason, mode, room))
    else:
        text.append("—", style="dim")
    if to_decide:
        text.append(to_decide, style="yellow")
    text.truncate(width, overflow="ellipsis")
    return text
