"""What the review screen draws: the coders' values side by side, and gold.

As in `render`, every string from the corpus, the codebook or a coder
becomes `Text` (never markup) after `workbench.display.sanitize`.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from workbench.codebook import Field
from workbench.display import DisplayMode, sanitize
from workbench.gold import Row
from workbench.review import UNDECIDED, ReviewSession
from workbench.tui.render import snippet

_STATUS_STYLE = {"labeled": "green", "skipped": "magenta", "flagged": "red"}


def value_text(
    f: Field | None,
    value: Any,
    mode: DisplayMode,
    names: dict[str, tuple[str, str]],
    width: int = 24,
) -> Text:
    """One value as the table shows it: labels, not ids. Arabic is cut to
    `width` cells before it is laid out, so the table never wraps it (a wrap
    after app-mode reordering would put its end first)."""
    if value is UNDECIDED:
        return Text("? decide", style="bold yellow")
    if f is None:
        return Text(value, style=_STATUS_STYLE.get(value, ""))
    if value is None:
        return Text("unset", style="dim")
    if f.kind == "entity":
        english, arabic = names.get(value, (value, ""))
        shown = Text(sanitize(english))
        if arabic:
            shown.append("\n")
            shown.append(snippet(arabic, mode, width))
        return shown
    if f.kind == "stance":
        if not value:
            return Text("no stance", style="dim")
        return Text(
            "\n".join(
                f"{f.value(p['polarity'], 'polarity').label} {f.value(p['target'], 'target').label}"
                for p in value
            )
        )
    if f.kind == "multi":
        return Text(", ".join(f.value(v).label for v in value))
    return Text(f.value(value).label)


def comparison_table(
    session: ReviewSession, mode: DisplayMode, names: dict[str, tuple[str, str]], width: int
) -> Table:
    """Rows: the status and every non-text field; columns: each coder (with
    the key that takes its value), the majority, and the gold draft."""
    # Each column pads one cell on each side: what is left is shared equally.
    column = max(8, (width - _HEAD - 2) // (len(session.coders) + 2) - 2)
    # Fixed, equal widths: Arabic is cut to fit one and must never wrap.
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("", no_wrap=True, width=_HEAD)
    for n, coder in enumerate(session.coders, start=1):
        header = Text.assemble((f"{n} ", "bold cyan"), snippet(coder, mode, column - 2))
        table.add_column(header, width=column, no_wrap=True, overflow="ellipsis")
    for title in ("m majority", "gold"):
        table.add_column(Text(title, style="bold"), width=column, no_wrap=True, overflow="ellipsis")
    cursor = session.row.name
    for row in session.unit.rows:
        table.add_row(*_cells(session, row, mode, names, column), style=_row_style(row, cursor))
    return table


_HEAD = 15  # the row-name column: "▶ Claim type ≠"


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
) -> list[Text]:
    marker = "▶ " if row.name == session.row.name else "  "
    title = row.field.label if row.field is not None else "Status"
    head = Text(marker + title, style="bold" if row.compared else "")
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
            shown.stylize("bold green")
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


def review_status(session: ReviewSession, mode: DisplayMode) -> Text:
    unit = session.unit
    text = Text()
    text.append(f"{unit.ext_id} #{unit.idx + 1}", style="bold")
    text.append(f"  queue {session.position + 1}/{len(session.items)}")
    text.append(f"  decided {session.decided_count()}")
    text.append(f"  agreement {unit.agreement():.2f}")
    text.append(f"  adjudicator {session.adjudicator}")
    text.append(f"  {session.codebook.name} {session.codebook.version}")
    text.append(f"  display {mode}")
    return text


def review_flags(session: ReviewSession, mode: DisplayMode) -> Text:
    unit = session.unit
    text = Text()
    if unit.gold is None:
        text.append("◆ unresolved", style="yellow")
    else:
        text.append(f"✔ adjudicated by {unit.gold['adjudicator']}", style="green")
        if unit.changed:
            text.append(
                "   ⚠ a coder changed a label since: check and commit again", style="bold red"
            )
    notes = [(c, s["note"]) for c, s in sorted(unit.labels.items()) if s["note"]]
    for coder, note in notes:
        text.append(f"\n  {coder}: ", style="bold")
        text.append(snippet(note, mode, 100), style="italic")
    return text


def reason_line(session: ReviewSession, mode: DisplayMode) -> Text:
    text = Text("Reason [r]: ", style="bold")
    if session.reason:
        text.append(snippet(session.reason, mode, 100))
    else:
        text.append("—", style="dim")
    missing = session.missing()
    if missing:
        text.append("   to decide: " + ", ".join(missing), style="yellow")
    return text
