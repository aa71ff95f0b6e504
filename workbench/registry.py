"""Managing an entity registry (the speakers): add, rename, alias, merge, resolve.

Each operation is one store transaction, and every change is appended to
`entity_events` (field, action add|rename|alias|merge, key, detail JSON,
coder, time). A merge re-points every label and gold answer that names the
merged entity, logging each changed row in the label or gold event log as a
"speaker-merge" event (never undone by a coder's ctrl+z: `Store._history`
only undoes a person's own set/clear changes). The merged entity's row is
kept, pointing at its target (`merged_into`), so a key found in an old
export still resolves; it is never offered or listed again.

Names are compared by `workbench.arabic.match_key`; no name belongs to two
entities of a field (the `entity_aliases` table is unique on it). A renamed
entity keeps its old names as aliases, so what coders typed before still
finds it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbench.arabic import match_key
from workbench.errors import WorkbenchError
from workbench.speakers import Speaker, load_speakers
from workbench.store import GOLD, LABELS, Store, _entity_key, canonical_json, now

if TYPE_CHECKING:
    from workbench.display import DisplayMode

SPEAKER_MERGE = "speaker-merge"


@dataclass(frozen=True)
class SpeakerInfo(Speaker):
    """A speaker as `workbench speakers list` shows it: `created_by` is the
    coder who added it (None: seeded by a codebook), `labels` the current
    labels (every coder and status) naming it."""

    labels: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "label_ar": self.label_ar,
            "aliases": list(self.aliases),
            "created_by": self.created_by,
            "labels": self.labels,
        }


# -- reading ------------------------------------------------------------------------


def _row(store: Store, field: str, key: str) -> tuple[int, str, str, int | None]:
    """(id, label, label_ar, merged_into) of an entity, or an error naming the field."""
    row = store.conn.execute(
        "SELECT id, label, label_ar, merged_into FROM entities WHERE field = ? AND key = ?",
        (field, key),
    ).fetchone()
    if row is None:
        raise WorkbenchError(f"no {field} with key {key!r} (see `workbench speakers list`)")
    return row


def _active(store: Store, field: str, key: str) -> tuple[int, str, str]:
    entity_id, label, label_ar, merged_into = _row(store, field, key)
    if merged_into is not None:
        target = _key_of(store, _final(store, merged_into))
        raise WorkbenchError(f"{field} {key!r} was merged into {target!r}; use {target!r}")
    return entity_id, label, label_ar


def _final(store: Store, entity_id: int) -> int:
    """Follow merged_into to the entity that is still active."""
    seen = set()
    while entity_id not in seen:
        seen.add(entity_id)
        row = store.conn.execute(
            "SELECT merged_into FROM entities WHERE id = ?", (entity_id,)
        ).fetchone()
        if row is None or row[0] is None:
            return entity_id
        entity_id = row[0]
    return entity_id


def _key_of(store: Store, entity_id: int) -> str:
    return store.conn.execute("SELECT key FROM entities WHERE id = ?", (entity_id,)).fetchone()[0]


def _owner(store: Store, field: str, name: str) -> int | None:
    """The entity (id) a name belongs to, by match key, or None."""
    row = store.conn.execute(
        "SELECT entity_id FROM entity_aliases WHERE field = ? AND match_key = ?",
        (field, match_key(name)),
    ).fetchone()
    return None if row is None else row[0]


def resolve(store: Store, field: str, name: str) -> str:
    """The key of the one entity a key, a label or an alias (normalized) names.

    A merged entity's key resolves to the entity it was merged into.
    """
    found = resolver(store, field)(name)
    if found is None:
        raise WorkbenchError(f"no {field} named {name!r} (not a key, label or alias)")
    return found


def resolver(store: Store, field: str) -> Any:
    """A function name -> key | None like `resolve`, reading the registry
    once (for checking many lines, as `import-labels` does)."""
    final: dict[int, str] = {}
    keys: dict[str, int] = {}
    for entity_id, key in store.conn.execute(
        "SELECT id, key FROM entities WHERE field = ?", (field,)
    ):
        keys[key] = entity_id
    for entity_id in keys.values():
        final[entity_id] = _key_of(store, _final(store, entity_id))
    names: dict[str, int] = {}
    for entity_id, label, label_ar in store.conn.execute(
        "SELECT id, label, label_ar FROM entities WHERE field = ? ORDER BY id", (field,)
    ):
        for name in (label, label_ar):
            if name and name.strip():
                names.setdefault(match_key(name), entity_id)
    for mk, entity_id in store.conn.execute(
        "SELECT match_key, entity_id FROM entity_aliases WHERE field = ?", (field,)
    ):
        names[mk] = entity_id  # the unique alias table wins over a label

    def lookup(name: str) -> str | None:
        if name in keys:
            return final[keys[name]]
        entity_id = names.get(match_key(name))
        return None if entity_id is None else final[entity_id]

    return lookup


def list_speakers(store: Store, field: str) -> list[SpeakerInfo]:
    """Every active entity of a field, in registry order, with its aliases,
    who added it and how many current labels use it."""
    counts = dict(
        store.conn.execute(
            "SELECT json_extract(data, ?), COUNT(*) FROM labels"
            " WHERE json_extract(data, ?) IS NOT NULL GROUP BY 1",
            (f"$.{field}", f"$.{field}"),
        ).fetchall()
    )
    return [
        SpeakerInfo(s.key, s.label, s.label_ar, s.aliases, s.created_by, counts.get(s.key, 0))
        for s in load_speakers(store, field)
    ]


def render_speakers(
    rows: Sequence[SpeakerInfo], field: str, console: Any = None, mode: DisplayMode = "terminal"
) -> None:
    """`workbench speakers list` as a table, every name drawn for `mode`
    (see `workbench.tables`)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from workbench.tables import DataCell, figure, title

    console = console or Console()
    table = Table(title=title(f"{field}: {len(rows)} entities", mode), title_justify="left")
    table.add_column("key", no_wrap=True)
    for name in ("label", "Arabic label", "aliases"):
        table.add_column(name)
    table.add_column("labels", justify="right")
    table.add_column("added by")
    for r in rows:
        table.add_row(
            DataCell(r.key, mode),
            # Names are what the listing is for: wrapped (then drawn), never cut.
            DataCell(r.label, mode, wrap=True),
            DataCell(r.label_ar, mode, wrap=True),
            DataCell(r.aliases, mode, wrap=True),
            figure(r.labels),
            DataCell(r.created_by, mode) if r.created_by else Text("codebook", style="dim"),
        )
    console.print(table)


# -- changing -----------------------------------------------------------------------


def _log(
    store: Store, field: str, action: str, key: str, detail: dict[str, Any], by: str | None
) -> None:
    coder_id = store.ensure_coder(by) if by else None
    store.conn.execute(
        "INSERT INTO entity_events (field, action, key, detail, coder_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (field, action, key, canonical_json(detail), coder_id, now()),
    )


def _clean(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise WorkbenchError("a speaker name cannot be empty")
    return name


def create_speaker(store: Store, field: str, name: str, coder: str | None) -> str:
    """The key for a new speaker a committed label picked: the existing
    entity if the name (normalized) already names one, else a new entity
    recorded as added by `coder` (and logged as `add`)."""
    name = _clean(name)
    with store.transaction():
        owner = _owner(store, field, name)
        if owner is not None:
            return _key_of(store, _final(store, owner))
        coder_id = store.ensure_coder(coder) if coder else None
        arabic = any("\u0600" <= c <= "\u06ff" for c in name)
        key = store._ensure_entity(
            field, _entity_key(name), name, name if arabic else "", (name,), coder_id=coder_id
        )
        _log(store, field, "add", key, {"label": name}, coder)
        return key


def _check_free(store: Store, field: str, entity_id: int, names: Iterable[str]) -> None:
    for name in names:
        owner = _owner(store, field, name)
        if owner is not None and owner != entity_id:
            other, label = store.conn.execute(
                "SELECT key, label FROM entities WHERE id = ?", (owner,)
            ).fetchone()
            raise WorkbenchError(f"{name!r} already names {field} {other!r} ({label})")


def _add_names(store: Store, field: str, entity_id: int, names: Iterable[str]) -> list[str]:
    added = []
    for name in names:
        if _owner(store, field, name) is None:
            store.conn.execute(
                "INSERT INTO entity_aliases (entity_id, field, alias, match_key)"
                " VALUES (?, ?, ?, ?)",
                (entity_id, field, name, match_key(name)),
            )
            added.append(name)
    return added


def rename(
    store: Store,
    field: str,
    key: str,
    label: str,
    label_ar: str | None = None,
    by: str | None = None,
) -> None:
    """Give an entity a new label (and Arabic label); its old names stay as aliases."""
    label = _clean(label)
    label_ar = None if label_ar is None else _clean(label_ar)
    with store.transaction():
        entity_id, old_label, old_ar = _active(store, field, key)
        new_ar = old_ar if label_ar is None else label_ar
        names = [n for n in (label, label_ar) if n]
        _check_free(store, field, entity_id, names)
        _add_names(store, field, entity_id, [*names, old_label, *([old_ar] if old_ar else [])])
        store.conn.execute(
            "UPDATE entities SET label = ?, label_ar = ? WHERE id = ?", (label, new_ar, entity_id)
        )
        _log(
            store,
            field,
            "rename",
            key,
            {"label": [old_label, label], "label_ar": [old_ar, new_ar]},
            by,
        )


def add_aliases(
    store: Store, field: str, key: str, names: Sequence[str], by: str | None = None
) -> list[str]:
    """Add other names of an entity; returns those that were new.

    A name that already belongs to another entity is an error naming it
    (nothing is added); one that already belongs to this entity is skipped.
    """
    cleaned = [_clean(n) for n in names]
    if not cleaned:
        raise WorkbenchError("no alias given")
    with store.transaction():
        entity_id, _, _ = _active(store, field, key)
        _check_free(store, field, entity_id, cleaned)
        added = _add_names(store, field, entity_id, cleaned)
        if added:
            _log(store, field, "alias", key, {"added": added}, by)
    return added


@dataclass(frozen=True)
class MergeResult:
    from_key: str
    into_key: str
    labels: int  # label rows re-pointed
    gold: int  # gold rows changed (re-pointed, or their basis updated)
    aliases: tuple[str, ...]  # names that moved to INTO

    def summary(self) -> str:
        return (
            f"merged {self.from_key} into {self.into_key}: {self.labels} label(s) and "
            f"{self.gold} gold answer(s) re-pointed, {len(self.aliases)} name(s) moved"
        )


def merge_speakers(
    store: Store, field: str, from_key: str, into_key: str, by: str | None = None
) -> MergeResult:
    """Merge FROM into INTO in one transaction: every label (every coder and
    status, drafts too) and every gold answer naming FROM names INTO, each
    change logged as a "speaker-merge" event; FROM's names move to INTO and
    FROM is marked merged (never offered again, still resolvable)."""
    if from_key == into_key:
        raise WorkbenchError(f"cannot merge {field} {from_key!r} into itself")
    with store.transaction():
        from_id, from_label, from_ar = _active(store, field, from_key)
        into_id, _, _ = _active(store, field, into_key)
        _add_names(store, field, from_id, [n for n in (from_label, from_ar) if n.strip()])
        path = f"$.{field}"
        # Labels: one event per changed row, through the store's own logging.
        new_event: dict[tuple[int, str], tuple[int, int]] = {}  # (sentence, coder) -> old, new
        rows = store.conn.execute(
            "SELECT l.sentence_id, c.name, l.status, l.data, l.note, l.codebook_id, l.event_id"
            " FROM labels l JOIN coders c ON c.id = l.coder_id"
            " WHERE json_extract(l.data, ?) = ? ORDER BY l.sentence_id, c.name",
            (path, from_key),
        ).fetchall()
        for sentence_id, coder, status, data, note, codebook_id, old_event in rows:
            after = {"status": status, "data": {**json.loads(data), field: into_key}, "note": note}
            event = store._record(LABELS, sentence_id, coder, after, codebook_id, SPEAKER_MERGE)
            new_event[(sentence_id, coder)] = (old_event, event)
        # Gold: re-point its answer, and keep its record of the label events
        # it saw current, so a merge does not make adjudicated sentences stale.
        sentences = {s for s, _ in new_event} or {-1}
        gold_rows = store.conn.execute(
            "SELECT g.sentence_id, c.name, g.codebook_id FROM gold g"
            " JOIN coders c ON c.id = g.adjudicator_id"
            f" WHERE json_extract(g.data, ?) = ? OR g.sentence_id IN"
            f" ({','.join('?' * len(sentences))}) ORDER BY g.sentence_id",
            (path, from_key, *sorted(sentences)),
        ).fetchall()
        gold_changed = 0
        for sentence_id, adjudicator, codebook_id in gold_rows:
            state = store.gold(sentence_id)
            assert state is not None
            after = {f: state[f] for f in GOLD.fields}
            if after["data"].get(field) == from_key:
                after["data"] = {**after["data"], field: into_key}
            basis = dict(after["basis"])
            for coder, seen in basis.items():
                old_new = new_event.get((sentence_id, coder))
                if old_new is not None and seen == old_new[0]:
                    basis[coder] = old_new[1]
            after["basis"] = basis
            if after != {f: state[f] for f in GOLD.fields}:
                store._record(GOLD, sentence_id, adjudicator, after, codebook_id, SPEAKER_MERGE)
                gold_changed += 1
        moved = tuple(
            r[0]
            for r in store.conn.execute(
                "SELECT alias FROM entity_aliases WHERE entity_id = ? ORDER BY id", (from_id,)
            )
        )
        store.conn.execute(
            "UPDATE entity_aliases SET entity_id = ? WHERE entity_id = ?", (into_id, from_id)
        )
        store.conn.execute(
            "UPDATE entities SET merged_into = ? WHERE id = ? OR merged_into = ?",
            (into_id, from_id, from_id),
        )
        result = MergeResult(from_key, into_key, len(rows), gold_changed, moved)
        _log(
            store,
            field,
            "merge",
            from_key,
            {"into": into_key, "labels": len(rows), "gold": gold_changed, "aliases": list(moved)},
            by,
        )
    return result


def events(store: Store, field: str) -> list[dict[str, Any]]:
    """The registry's change log for a field, oldest first."""
    return [
        {
            "action": action,
            "key": key,
            "detail": json.loads(detail),
            "coder": coder,
            "created_at": created_at,
        }
        for action, key, detail, coder, created_at in store.conn.execute(
            "SELECT e.action, e.key, e.detail, c.name, e.created_at FROM entity_events e"
            " LEFT JOIN coders c ON c.id = e.coder_id WHERE e.field = ? ORDER BY e.id",
            (field,),
        )
    ]
