"""Merging another machine's database into this one: `workbench merge OTHER.db`.

Coders often work on their own laptops; their databases come together here.
Articles are matched by the SHA-256 of their text and sentences by their
offsets, so two machines that imported the same files line up. Everything is
checked before anything is written, and the merge is one transaction:

- distinct coders never conflict; their labels and event history come over;
- the same coder with a different label for the same sentence is a
  conflict: all conflicts are listed and nothing is written, unless
  `prefer` is "newer" (the later `updated_at` wins), "ours" or "theirs";
- drafts (saved, not done) come over like any label, except that a done
  label (labeled, skipped, flagged) beats a draft of the same coder and
  sentence on the other side without being a conflict, whichever is newer:
  the done label is the coder's last finished answer, and the draft stays
  in the event log (and on the machine it was made on). Two different
  drafts are a conflict like any other;
- gold (adjudicated answers) merges the same way, one per sentence: a
  sentence adjudicated on both sides to a different answer (status and
  data; the wording of the reason does not count) is a conflict;
- entities (speakers) added on both machines under the same normalized
  Arabic key become one entity, and labels are rewritten to its key;
- merging the same database twice changes nothing the second time.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.migrations import SCHEMA_VERSION
from workbench.store import DONE_STATUSES, GOLD, LABELS, Ledger, Store, canonical_json, now

PREFERENCES = ("newer", "ours", "theirs")


@dataclass(frozen=True)
class Conflict:
    sentence: str  # "<article id>:<sentence index>"
    coder: str  # the coder, or for gold the adjudicator on their side
    ours: dict[str, Any]
    theirs: dict[str, Any]
    kind: str = "label"  # or "gold"

    def __str__(self) -> str:
        who = f"coder {self.coder}" if self.kind == "label" else f"gold (theirs by {self.coder})"
        return f"{self.sentence} {who}: ours {_brief(self.ours)} vs theirs {_brief(self.theirs)}"


class MergeConflicts(WorkbenchError):
    def __init__(self, conflicts: list[Conflict], path: str):
        self.conflicts = conflicts
        super().__init__(
            f"{len(conflicts)} conflict(s) (labels or gold), nothing written; choose with "
            "--prefer newer|ours|theirs",
            path,
        )


@dataclass
class MergeReport:
    coders_added: list[str] = field(default_factory=list)
    labels_added: int = 0
    labels_same: int = 0
    drafts_replaced: int = 0  # our drafts replaced by their done label
    drafts_left: int = 0  # their drafts not taken: ours is done
    gold_added: int = 0
    gold_same: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    taken_theirs: int = 0
    events_added: int = 0
    entities_added: list[str] = field(default_factory=list)
    entities_unified: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{self.labels_added} label(s) added",
            f"{self.labels_same} already here",
            f"{self.events_added} event(s) added",
        ]
        if self.drafts_replaced:
            parts.append(f"{self.drafts_replaced} draft(s) here replaced by their done label")
        if self.drafts_left:
            parts.append(f"{self.drafts_left} draft(s) of theirs left: done here")
        if self.gold_added or self.gold_same:
            parts.append(f"{self.gold_added} gold added, {self.gold_same} gold already here")
        if self.coders_added:
            parts.append(f"new coder(s): {', '.join(self.coders_added)}")
        if self.conflicts:
            parts.append(
                f"{len(self.conflicts)} conflict(s) resolved, {self.taken_theirs} taken from theirs"
            )
        if self.entities_added or self.entities_unified:
            parts.append(
                f"{len(self.entities_added)} new entit(ies), "
                f"{len(self.entities_unified)} unified with ours"
            )
        return "merged: " + "; ".join(parts)


def _brief(state: dict[str, Any]) -> str:
    data = json.dumps(state["data"], ensure_ascii=False, sort_keys=True)
    words = state.get("note") or state.get("reason")
    return f"{state['status']} {data}" + (f" ({words})" if words else "")


def _copy(path: Path, folder: Path) -> Path:
    """A private copy of the other database, WAL included (SQLite's backup API)."""
    if not path.is_file():
        raise WorkbenchError("no such database", path)
    target = folder / "other.db"
    try:
        # As a URI, quoted: a "#" or "?" in the name must not start a
        # fragment or query (it opened, and created, a different file).
        source = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        version = source.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in source.execute("SELECT name FROM sqlite_master")}
        if "labels" not in tables or "articles" not in tables:
            raise WorkbenchError("not a workbench database", path)
        if version > SCHEMA_VERSION:
            raise WorkbenchError(
                f"its schema version {version} is newer than this workbench's "
                f"({SCHEMA_VERSION}); upgrade the workbench first",
                path,
            )
        copy = sqlite3.connect(target)
        source.backup(copy)
        copy.close()
        source.close()
    except sqlite3.DatabaseError as exc:
        raise WorkbenchError(f"cannot read as a workbench database: {exc}", path) from None
    return target


def merge(store: Store, other_path: str | Path, prefer: str | None = None) -> MergeReport:
    """Bring the other database's coders, entities, labels, gold and events into `store`."""
    if prefer is not None and prefer not in PREFERENCES:
        raise ValueError(f"prefer must be one of {PREFERENCES}")
    other_path = Path(other_path)
    with tempfile.TemporaryDirectory() as folder, Store(_copy(other_path, Path(folder))) as other:
        return _merge(store, other, str(other_path), prefer)


def _merge(store: Store, other: Store, where: str, prefer: str | None) -> MergeReport:
    report = MergeReport()
    sentence_map = _sentence_map(store, other, where)
    entity_fields = [r[0] for r in other.conn.execute("SELECT DISTINCT field FROM entities")]
    codebook_sources = {
        cid: (name, version, source, path, content_hash)
        for cid, name, version, source, path, content_hash in other.conn.execute(
            "SELECT id, name, version, source, path, content_hash FROM codebooks"
        )
    }
    ours_coders = set(store.coders())

    with store.transaction():
        key_map = _merge_entities(store, other, report)
        codebook_map = {
            cid: _ensure_codebook(store, *info) for cid, info in codebook_sources.items()
        }

        def remap_label(state: dict[str, Any]) -> dict[str, Any]:
            return {**state, "data": _remap(state.get("data", {}), key_map, entity_fields)}

        label_events = _copy_events(
            store, other, LABELS, sentence_map, codebook_map, remap_label, where
        )

        def remap_gold(state: dict[str, Any]) -> dict[str, Any]:
            # Basis event ids are theirs: point them at the copied events.
            basis = {c: label_events.get(e, e) for c, e in state.get("basis", {}).items()}
            return {**remap_label(state), "basis": basis}

        gold_events = _copy_events(
            store, other, GOLD, sentence_map, codebook_map, remap_gold, where
        )
        plans = [
            _plan(store, other, LABELS, sentence_map, codebook_map, label_events, remap_label),
            _plan(store, other, GOLD, sentence_map, codebook_map, gold_events, remap_gold),
        ]
        writes = []
        for ledger, (copies, same, conflicts, drafts) in zip((LABELS, GOLD), plans, strict=True):
            if ledger is LABELS:
                report.labels_same = same
                replacing, report.drafts_left = drafts
                report.drafts_replaced = len(replacing)
                writes += [(ledger, *c, "replace draft") for c in replacing]
            else:
                report.gold_same = same
            writes += [(ledger, *c, "copy") for c in copies]
            for conflict, write, newer in conflicts:
                report.conflicts.append(conflict)
                if prefer == "theirs" or (prefer == "newer" and newer):
                    writes.append((ledger, *write, "merge"))
        report.events_added = len(label_events.added) + len(gold_events.added)
        if report.conflicts and prefer is None:
            raise MergeConflicts(report.conflicts, where)
        for ledger, target, owner, state, codebook_id, event_id, how in writes:
            owner_id = store.ensure_coder(owner)
            if owner not in ours_coders and owner not in report.coders_added:
                report.coders_added.append(owner)
            if how == "merge":
                store._record(ledger, target, owner, state, codebook_id, "merge")
                report.taken_theirs += 1
                continue
            # Their state as is, at its copied event (a done label over our
            # draft too: counted apart, as drafts_replaced). A closed round's
            # label is final here: refused naming the round (the trigger
            # would refuse it anyway, without a name).
            if ledger is LABELS:
                store._refuse_locked(target, owner_id)
            store._write(ledger, target, owner_id, state, codebook_id, event_id, now())
            if how == "copy":
                if ledger is LABELS:
                    report.labels_added += 1
                else:
                    report.gold_added += 1
    return report


def _plan(
    store: Store,
    other: Store,
    ledger: Ledger,
    sentence_map: dict[int, int],
    codebook_map: dict[int, int],
    event_map: _EventMap,
    remap: Callable[[dict[str, Any]], dict[str, Any]],
) -> tuple[
    list[tuple[Any, ...]],
    int,
    list[tuple[Conflict, tuple[Any, ...], bool]],
    tuple[list[tuple[Any, ...]], int],
]:
    """Their current states against ours: (copies, count already the same,
    conflicts as (conflict, the write taking theirs, theirs is newer),
    (copies of their done labels over our drafts, count of their drafts
    left behind our done labels))."""
    select = (
        f"SELECT t.sentence_id, c.name, {', '.join('t.' + f for f in ledger.fields)},"
        f" t.codebook_id, t.event_id, t.updated_at FROM {ledger.table} t"
        f" JOIN coders c ON c.id = t.{ledger.owner} ORDER BY t.sentence_id"
    )
    owned = ledger.owner in ledger.key

    def key(sentence_id: int, owner: str) -> tuple[Any, ...]:
        return (sentence_id, owner) if owned else (sentence_id,)

    n = len(ledger.fields)
    ours = {
        key(row[0], row[1]): (ledger.decode(row[2 : 2 + n]), row[4 + n])
        for row in store.conn.execute(select)
    }
    copies, same, conflicts = [], 0, []
    replacing, drafts_left = [], 0
    for row in other.conn.execute(select):
        sid, owner = row[0], row[1]
        state = remap(ledger.decode(row[2 : 2 + n]))
        codebook_id, event_id, updated = row[2 + n], row[3 + n], row[4 + n]
        target = sentence_map[sid]
        mine = ours.get(key(target, owner))
        if mine is None:
            copies.append(
                (target, owner, state, codebook_map.get(codebook_id), event_map[event_id])
            )
            continue
        if _substance(ledger, mine[0]) == _substance(ledger, state):
            same += 1
            continue
        if owned and _done(mine[0]) != _done(state):
            # A done label beats a draft of the same coder: not a conflict.
            if _done(state):
                replacing.append(
                    (target, owner, state, codebook_map.get(codebook_id), event_map[event_id])
                )
            else:
                drafts_left += 1
            continue
        kind = "label" if owned else "gold"
        conflict = Conflict(_sentence_name(store, target), owner, mine[0], state, kind)
        write = (target, owner, state, codebook_map.get(codebook_id), None)
        conflicts.append((conflict, write, updated > mine[1]))
    return copies, same, conflicts, (replacing, drafts_left)


def _done(state: dict[str, Any]) -> bool:
    return state["status"] in DONE_STATUSES


def _substance(ledger: Ledger, state: dict[str, Any]) -> Any:
    """What must match for two states to be the same answer: a label's every
    part; for gold the answer itself (status and data), not its wording."""
    if ledger is GOLD:
        return state["status"], state["data"]
    return state


def _sentence_map(store: Store, other: Store, where: str) -> dict[int, int]:
    """Their sentence id -> ours, by article text hash and offsets."""
    ours = {
        (h, idx, start, end): sid
        for sid, h, idx, start, end in store.conn.execute(
            'SELECT s.id, a.content_hash, s.idx, s.start, s."end" FROM sentences s'
            " JOIN articles a ON a.id = s.article_id"
        )
    }
    mapping, missing = {}, {}
    for sid, h, ext_id, idx, start, end in other.conn.execute(
        'SELECT s.id, a.content_hash, a.ext_id, s.idx, s.start, s."end" FROM sentences s'
        " JOIN articles a ON a.id = s.article_id"
    ):
        found = ours.get((h, idx, start, end))
        if found is None:
            missing.setdefault(ext_id, h)
        else:
            mapping[sid] = found
    if missing:
        names = ", ".join(f"{e} ({h[:12]})" for e, h in list(missing.items())[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise WorkbenchError(
            f"built from another corpus: {len(missing)} article(s) not in this database "
            f"with the same text: {names}{more}; import the same files here first",
            where,
        )
    return mapping


def _merge_entities(store: Store, other: Store, report: MergeReport) -> dict[tuple[str, str], str]:
    """(field, their key) -> our key; entities matching by Arabic key are one."""
    key_map: dict[tuple[str, str], str] = {}
    for e_field in [r[0] for r in other.conn.execute("SELECT DISTINCT field FROM entities")]:
        for entity in other.entities(e_field):
            names = [entity["label"], entity["label_ar"], *entity["aliases"]]
            found = store.find_entity(e_field, *(n for n in names if n))
            if found is None:
                found = store._ensure_entity(
                    e_field, entity["key"], entity["label"], entity["label_ar"], names
                )
                report.entities_added.append(found)
            elif found != entity["key"]:
                report.entities_unified.append((entity["key"], found))
            key_map[(e_field, entity["key"])] = found
    return key_map


def _remap(
    data: dict[str, Any], key_map: dict[tuple[str, str], str], fields: list[str]
) -> dict[str, Any]:
    for f in fields:
        value = data.get(f)
        if isinstance(value, str) and (f, value) in key_map:
            data[f] = key_map[(f, value)]
    return data


def _ensure_codebook(
    store: Store, name: str, version: str, source: str, path: str, content_hash: str
) -> int:
    row = store.conn.execute(
        "SELECT id, content_hash FROM codebooks WHERE name = ? AND version = ?", (name, version)
    ).fetchone()
    if row is not None:
        if row[1] != content_hash:
            raise WorkbenchError(
                f"codebook {name} {version} differs between the two databases; "
                "a changed codebook needs a new version"
            )
        return row[0]
    return store.conn.execute(
        "INSERT INTO codebooks (name, version, content_hash, source, path, registered_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (name, version, content_hash, source, path, now()),
    ).lastrowid


class _EventMap(dict[int, int]):
    """Their event id -> ours, and which of ours were added by this merge."""

    def __init__(self) -> None:
        super().__init__()
        self.added: list[int] = []


def _copy_events(
    store: Store,
    other: Store,
    ledger: Ledger,
    sentence_map: dict[int, int],
    codebook_map: dict[int, int],
    remap: Callable[[dict[str, Any]], dict[str, Any]],
    where: str,
) -> _EventMap:
    """Copy their events of one ledger not already here, marked with where
    they came from (an event that was already a copy keeps its origin)."""
    select = (
        f"SELECT e.id, e.sentence_id, c.name, e.action, e.ref_event, e.before, e.after,"
        f" e.codebook_id, e.created_at, e.origin FROM {ledger.events} e"
        f" JOIN coders c ON c.id = e.{ledger.owner} ORDER BY e.id"
    )
    existing = {
        (sid, owner, action, created, after): eid
        for eid, sid, owner, action, _, _, after, _, created, _ in store.conn.execute(select)
    }
    mapping = _EventMap()
    for (
        eid,
        sid,
        owner,
        action,
        ref,
        before,
        after,
        codebook_id,
        created,
        origin,
    ) in other.conn.execute(select):
        origin = origin or where
        before, after = (_remap_state(x, remap) for x in (before, after))
        key = (sentence_map[sid], owner, action, created, after)
        if key in existing:
            mapping[eid] = existing[key]
            continue
        owner_id = store.ensure_coder(owner)
        mapping[eid] = store.conn.execute(
            f"INSERT INTO {ledger.events} (sentence_id, {ledger.owner}, action, ref_event,"
            " before, after, codebook_id, created_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                sentence_map[sid],
                owner_id,
                action,
                mapping.get(ref) if ref is not None else None,
                before,
                after,
                codebook_map.get(codebook_id),
                created,
                origin,
            ),
        ).lastrowid
        existing[key] = mapping[eid]
        mapping.added.append(mapping[eid])
    return mapping


def _remap_state(raw: str | None, remap: Callable[[dict[str, Any]], dict[str, Any]]) -> str | None:
    if raw is None:
        return None
    return canonical_json(remap(json.loads(raw)))


def _sentence_name(store: Store, sentence_id: int) -> str:
    ext_id, idx = store.conn.execute(
        "SELECT a.ext_id, s.idx FROM sentences s JOIN articles a ON a.id = s.article_id"
        " WHERE s.id = ?",
        (sentence_id,),
    ).fetchone()
    return f"{ext_id}:{idx}"
