"""A consistent copy of a workbench database, safe while others have it open.

A workbench database is in WAL mode: while `workbench label` runs, the newest
commits live in `NAME.db-wal`, so copying `NAME.db` with `cp` loses them (a
copy made during a session had 18 of 29 labels). SQLite's online backup API
reads the database as one transaction, WAL included, and never blocks the
writers for longer than one page step.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import WorkbenchError
from workbench.files import writing
from workbench.store import Store


@dataclass(frozen=True)
class SnapshotResult:
    path: Path
    labels: int
    articles: int
    size: int  # bytes

    def summary(self) -> str:
        from workbench.display import visible

        return (
            f"snapshot {visible(str(self.path))}: {self.articles} article(s), "
            f"{self.labels} label(s), {self.size:,} bytes"
        )


def snapshot(store: Store, out: str | Path, *, force: bool = False) -> SnapshotResult:
    """Copy `store`'s database to `out`, consistent as of one moment.

    Written to a temporary file beside `out` and renamed into place, so `out`
    is never a half-written database. An existing `out` is replaced only with
    `force`, and only if it is a regular file (never a device, FIFO or link).
    """
    out = Path(out)
    if out.resolve() == Path(store.path).resolve():
        raise WorkbenchError("a snapshot cannot replace the database it copies", out)
    try:
        with writing(out, force=force) as (_, temporary):
            copy = sqlite3.connect(temporary)
            try:
                store.conn.backup(copy)
                # A snapshot is a file to send: one file, no WAL beside it.
                copy.execute("PRAGMA journal_mode=DELETE")
                labels = copy.execute("SELECT count(*) FROM labels").fetchone()[0]
                articles = copy.execute(
                    "SELECT count(*) FROM articles WHERE is_current = 1"
                ).fetchone()[0]
            finally:
                copy.close()
    except sqlite3.Error as exc:
        raise WorkbenchError(f"cannot write the snapshot: {exc}", out) from None
    except OSError as exc:
        raise WorkbenchError(f"cannot write the snapshot: {exc.strerror}", out) from None
    return SnapshotResult(out, labels, articles, out.stat().st_size)
