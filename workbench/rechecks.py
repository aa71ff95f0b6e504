"""Labels to look at again after a codebook revision (`workbench.revisions`).

A mark is open while the coder's label is still under an earlier codebook
version than the revision that made it, or is a draft: committing the
sentence as done under the new version settles it (and undoing that commit
opens it again), so nothing but the label itself records whether it was
rechecked. A label a closed round made final has no open mark: it stays as
measured.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from workbench.store import LOCKED_SQL, Store

_OPEN = (
    "FROM rechecks r JOIN labels l ON l.sentence_id = r.sentence_id AND l.coder_id = r.coder_id"
    " JOIN coders c ON c.id = r.coder_id JOIN sentences s ON s.id = r.sentence_id"
    " JOIN articles a ON a.id = s.article_id"
    " WHERE a.is_current = 1"
    " AND (l.codebook_id IS NULL OR l.codebook_id < r.codebook_id OR l.status = 'draft')"
    f" AND NOT {LOCKED_SQL}"  # final in a closed round: nothing left to do
)


@dataclass(frozen=True)
class Recheck:
    field: str
    reason: str
    suggestion: Any = None  # the field's value with merged values carried over


def open_rechecks(store: Store, coder: str, article_id: int) -> dict[int, list[Recheck]]:
    """{sentence id: its open marks} for one coder in one article."""
    result: dict[int, list[Recheck]] = {}
    for sid, field, reason, suggestion in store.conn.execute(
        f"SELECT r.sentence_id, r.field, r.reason, r.suggestion {_OPEN}"
        " AND c.name = ? AND s.article_id = ? ORDER BY r.sentence_id, r.codebook_id",
        (coder, article_id),
    ):
        marks = result.setdefault(sid, [])
        if all(m.field != field for m in marks):
            marks.append(
                Recheck(field, reason, None if suggestion is None else json.loads(suggestion))
            )
    return result


def recheck_counts(store: Store) -> dict[str, int]:
    """{coder: labels with an open mark}."""
    return dict(
        store.conn.execute(
            f"SELECT c.name, COUNT(DISTINCT r.sentence_id) {_OPEN} GROUP BY c.name"
        ).fetchall()
    )


def all_rechecks(store: Store, coder: str) -> list[tuple[int, int]]:
    """(article id, sentence index) of the coder's labels with an open mark,
    in corpus order."""
    return store.conn.execute(
        f"SELECT DISTINCT s.article_id, s.idx {_OPEN} AND c.name = ? ORDER BY s.article_id, s.idx",
        (coder,),
    ).fetchall()


def next_recheck(store: Store, coder: str, article_id: int, index: int) -> tuple[int, int] | None:
    """(article id, sentence index) of the coder's next open mark after this
    sentence, in corpus order, wrapping around; None when there is none."""
    rows = all_rechecks(store, coder)
    if not rows:
        return None
    after = [r for r in rows if (r[0], r[1]) > (article_id, index)]
    return (after or rows)[0]
