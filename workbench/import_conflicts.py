"""Which checked import-labels lines to write, like `merge` settles conflicts.

A line that gives a coder a label for a sentence is a conflict when the
database already holds a different label of that coder for that sentence,
or when another line of the same file does. Conflicts are listed and
nothing is written, unless `prefer` settles them:

- "newer": the later `updated_at` wins (a line without one is older than
  any stored label; between lines of the file, the later line wins a tie);
- "ours": the database's label stays (between lines: as "newer");
- "theirs": the file's line wins (between lines: as "newer").

A line identical to the stored label writes nothing (no event), so an
export imported back changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from workbench.errors import InputErrors, WorkbenchError

PREFERENCES = ("newer", "ours", "theirs")

Row = tuple[int, str, str, dict[str, Any], str, int | None]  # as Store.set_labels takes


@dataclass(frozen=True)
class Line:
    row: Row
    number: int  # line number in the file
    updated_at: str  # "" when the line has none
    place: str  # "hasakah-01:3", for messages


def _state(row: Row) -> str:
    _, _, status, data, note, _ = row
    return json.dumps({"status": status, "data": data, "note": note}, sort_keys=True)


def _brief(state: dict[str, Any]) -> str:
    data = json.dumps(state["data"], ensure_ascii=False, sort_keys=True)
    return f"{state['status']} {data}" + (f" ({state['note']})" if state.get("note") else "")


def settle(
    lines: Sequence[Line],
    stored: Callable[[int, str], tuple[dict[str, Any], str] | None],
    path: str,
    prefer: str | None = None,
) -> list[Row]:
    """The rows to write. `stored(sentence_id, coder)` gives the coder's
    current label state and its updated_at, or None. Raises InputErrors
    listing every conflict (file and line) when `prefer` is None."""
    if prefer is not None and prefer not in PREFERENCES:
        raise ValueError(f"prefer must be one of {PREFERENCES}")
    by_key: dict[tuple[int, str], list[Line]] = {}
    for line in lines:
        by_key.setdefault((line.row[0], line.row[1]), []).append(line)
    conflicts: list[WorkbenchError] = []
    rows: list[Row] = []
    for (sentence_id, coder), same in by_key.items():
        if prefer is None and len({_state(x.row) for x in same}) > 1:
            numbers = ", ".join(str(x.number) for x in same)
            conflicts.append(
                WorkbenchError(
                    f"lines {numbers} give coder {coder!r} different labels for"
                    f" {same[0].place}; --prefer newer|ours|theirs takes the newest",
                    path,
                    same[-1].number,
                )
            )
            continue
        chosen = max(same, key=lambda x: (x.updated_at, x.number))
        current = stored(sentence_id, coder)
        if current is None:
            rows.append(chosen.row)
            continue
        state, at = current
        if json.dumps(state, sort_keys=True) == _state(chosen.row):
            continue  # already here
        if prefer is None:
            conflicts.append(
                WorkbenchError(
                    f"coder {coder!r} already has a different label for {chosen.place}"
                    f" (here: {_brief(state)}; this line: "
                    f"{_brief(json.loads(_state(chosen.row)))}); --prefer newer|ours|theirs"
                    " settles it",
                    path,
                    chosen.number,
                )
            )
        elif prefer == "theirs" or (prefer == "newer" and chosen.updated_at > at):
            rows.append(chosen.row)
    if conflicts:
        raise InputErrors(conflicts)
    return rows
