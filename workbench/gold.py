"""Adjudication: which sentences need a decision, what each coder said, and gold.

A sentence enters adjudication once at least two coders have a done label
on it (labeled, skipped or flagged; a draft is saved but not done, so it
counts as if that coder had not labeled the sentence). It is *unanimous* when every coder labeled it (status
"labeled") with the same value in every adjudicated field, or when every
coder skipped it as not codable. Adjudicated fields are the codebook's
fields with `adjudicate` (all but text fields unless the codebook says
otherwise: a coder's own confidence is shown but never compared). A field a
coder left unset has the value "unset", so "unset" against "sdf" is a
disagreement. Stance and multi-valued fields compare as sets.

Unanimous sentences are gold by computation: they follow the coders' labels
and never enter the review queue, so there is nothing to keep in sync. Every
other sentence is in the queue, lowest agreement first, until an adjudicator
records gold for it (`Store.set_gold`); until then it is "unresolved". Gold
keeps the label event each coder's label was at when it was decided
(`basis`): if a coder changes that label later, the sentence comes back to
the queue marked as changed, and its gold stays what the adjudicator chose.

Majority: the value more coders gave than any other, if at least two gave
it; a tie or all-different values have no majority.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from workbench.codebook import Codebook, Field
from workbench.store import DONE_SQL, Store, sql_in

SOURCES = ("unanimous", "adjudicated", "unresolved")
STATUS = "status"  # the comparison row for the label status


def comparable(f: Field | None, value: Any) -> Any:
    """A value in a form that compares equal exactly when two coders agree."""
    if value is None:
        return None
    if f is not None and f.kind == "stance":
        return frozenset((p.get("target"), p.get("polarity")) for p in value)
    if f is not None and f.kind == "multi":
        return frozenset(value)
    return value


def canonical_value(f: Field, value: Any) -> Any:
    """A stored value in one spelling (set-valued fields sorted)."""
    if value is None or f.kind not in ("stance", "multi") or len(value) < 2:
        return value  # nothing to order (the common case: it is the hot path)
    if f.kind == "stance":
        return [
            {"target": t, "polarity": p}
            for t, p in sorted((x.get("target"), x.get("polarity")) for x in value)
        ]
    return sorted(value)


@dataclass
class Row:
    """One line of the side-by-side comparison: the status, or one field."""

    name: str
    field: Field | None  # None for the status row
    values: dict[str, Any]  # coder -> stored value (None = unset)
    compared: bool = True  # False: shown only (confidence, not adjudicated)
    _keys: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def keys(self) -> dict[str, Any]:
        """coder -> comparable value (computed once: a row never changes)."""
        if self._keys is None:
            self._keys = {c: comparable(self.field, v) for c, v in self.values.items()}
        return self._keys

    @property
    def agrees(self) -> bool:
        return len(set(self.keys().values())) <= 1

    def agreement(self) -> float | None:
        """Share of coder pairs giving the same value; None below two coders."""
        keys = list(self.keys().values())
        pairs = list(combinations(keys, 2))
        if not pairs:
            return None
        return sum(a == b for a, b in pairs) / len(pairs)

    def majority(self) -> tuple[Any, list[str]] | None:
        """(value, coders giving it) of the majority, or None (see module doc)."""
        keys = self.keys()
        counts = Counter(keys.values()).most_common()
        if not counts or counts[0][1] < 2 or (len(counts) > 1 and counts[1][1] == counts[0][1]):
            return None
        winner = counts[0][0]
        coders = sorted(c for c, k in keys.items() if k == winner)
        return self.values[coders[0]], coders

    def coders_with(self, value: Any) -> list[str]:
        """The coders whose value equals `value`."""
        key = comparable(self.field, value)
        return sorted(c for c, k in self.keys().items() if k == key)


@dataclass
class Unit:
    """A sentence coded by two or more coders, with what each said."""

    sentence_id: int
    article_id: int
    ext_id: str
    content_hash: str
    idx: int
    start: int
    end: int
    text: str
    labels: dict[str, dict[str, Any]]  # coder -> {"status", "data", "note"}
    events: dict[str, int]  # coder -> label event id of that state
    updated_at: str = ""  # the latest of the coders' labels
    rows: list[Row] = field(default_factory=list)
    gold: dict[str, Any] | None = None
    _agreement: float | None = field(default=None, repr=False, compare=False)

    @property
    def coders(self) -> list[str]:
        return sorted(self.labels)

    @property
    def unanimous(self) -> bool:
        statuses = {s["status"] for s in self.labels.values()}
        if statuses == {"skipped"}:
            return True
        return statuses == {"labeled"} and all(r.agrees for r in self.rows if r.compared)

    @property
    def changed(self) -> bool:
        """Gold was decided on labels that some coder has changed since."""
        return self.gold is not None and self.gold["basis"] != self.events

    @property
    def source(self) -> str:
        if self.gold is not None:
            return "adjudicated"
        return "unanimous" if self.unanimous else "unresolved"

    def agreement(self) -> float:
        """Mean pairwise agreement over the status and the adjudicated fields."""
        if self._agreement is None:
            scores = [a for r in self.rows if r.compared and (a := r.agreement()) is not None]
            self._agreement = sum(scores) / len(scores) if scores else 1.0
        return self._agreement

    def row(self, name: str) -> Row:
        return next(r for r in self.rows if r.name == name)


def _rows(codebook: Codebook, labels: dict[str, dict[str, Any]]) -> list[Row]:
    rows = [Row(STATUS, None, {c: s["status"] for c, s in labels.items()})]
    # A coder who skipped gave no field values: the status row already
    # records that disagreement, so fields compare the coders who coded.
    coding = {c: s for c, s in labels.items() if s["status"] != "skipped"}
    for f in codebook.fields:
        if f.kind == "text":
            continue
        rows.append(
            Row(
                f.id,
                f,
                {c: canonical_value(f, s["data"].get(f.id)) for c, s in coding.items()},
                compared=f.adjudicate,
            )
        )
    return rows


def units(
    store: Store,
    codebook: Codebook,
    *,
    coders: Sequence[str] | None = None,
    articles: Sequence[str] | None = None,
    min_coders: int = 2,
    round_id: int | None = None,
) -> Iterator[Unit]:
    """Every sentence labeled by at least `min_coders` of `coders` (None = all
    coders), in article and sentence order, streamed; with `round_id`, only
    that round's sentences. Drafts do not count."""
    where, params = [f"l.status IN {DONE_SQL}"], []
    if round_id is not None:
        where.append(
            "l.sentence_id IN (SELECT sentence_id FROM round_sentences WHERE round_id = ?)"
        )
        params.append(round_id)
    if coders:
        clause, values = sql_in("c.name", list(coders))
        where.append(clause)
        params += values
    if articles:
        clause, values = sql_in("a.ext_id", list(articles))
        where.append(clause)
        params += values
    cursor = store.conn.execute(
        'SELECT s.id, a.id, a.ext_id, a.content_hash, s.idx, s.start, s."end", s.text,'
        " c.name, l.status, l.data, l.note, l.event_id, l.updated_at"
        " FROM labels l JOIN coders c ON c.id = l.coder_id"
        " JOIN sentences s ON s.id = l.sentence_id JOIN articles a ON a.id = s.article_id"
        f" WHERE {' AND '.join(where)} ORDER BY a.id, s.idx, c.name",
        params,
    )
    current: Unit | None = None
    batch: list[Unit] = []
    for (
        sid,
        aid,
        ext_id,
        sha,
        idx,
        start,
        end,
        text,
        coder,
        status,
        data,
        note,
        event,
        at,
    ) in cursor:
        if current is None or current.sentence_id != sid:
            if current is not None and len(current.labels) >= min_coders:
                batch.append(current)
            current = Unit(sid, aid, ext_id, sha, idx, start, end, text, {}, {})
            if len(batch) >= 500:
                yield from _finish(store, codebook, batch)
                batch = []
        current.labels[coder] = {"status": status, "data": json.loads(data), "note": note}
        current.events[coder] = event
        current.updated_at = max(current.updated_at, at)
    if current is not None and len(current.labels) >= min_coders:
        batch.append(current)
    yield from _finish(store, codebook, batch)


def _finish(store: Store, codebook: Codebook, batch: list[Unit]) -> Iterator[Unit]:
    gold = store.gold_states([u.sentence_id for u in batch]) if batch else {}
    for unit in batch:
        unit.rows = _rows(codebook, unit.labels)
        unit.gold = gold.get(unit.sentence_id)
        yield unit


def queue(
    store: Store,
    codebook: Codebook,
    *,
    coders: Sequence[str] | None = None,
    articles: Sequence[str] | None = None,
    include_decided: bool = False,
) -> list[Unit]:
    """The review queue: disagreements without gold (and gold whose labels
    changed since), lowest agreement first, then in corpus order. With
    `include_decided`, adjudicated sentences follow, to revisit them."""
    pending, decided = [], []
    for unit in units(store, codebook, coders=coders, articles=articles):
        if unit.gold is None and unit.unanimous:
            continue
        if unit.gold is None or unit.changed:
            pending.append(unit)
        elif include_decided:
            decided.append(unit)
    pending.sort(key=lambda u: (u.agreement(), u.article_id, u.idx))
    return pending + decided


def agreed_state(unit: Unit) -> dict[str, Any]:
    """Status and the adjudicated fields every coder agrees on (all of them
    for a unanimous sentence), with who agreed; partial for an unresolved one."""
    status_row = unit.row(STATUS)
    status = next(iter(status_row.values.values())) if status_row.agrees else None
    data, agreed = {}, {}
    for r in unit.rows:
        if r.field is None or not r.compared or not r.values or not r.agrees:
            continue
        value = next(iter(r.values.values()))
        agreed[r.name] = sorted(r.values)
        if value is not None:
            data[r.name] = value
    return {"status": status, "data": data, "agreed_with": agreed}


def agreed_with(unit: Unit, data: dict[str, Any]) -> dict[str, list[str]]:
    """Per adjudicated field, the coders whose value the gold `data` took."""
    return {
        r.name: r.coders_with(data.get(r.name))
        for r in unit.rows
        if r.field is not None and r.compared
    }
