"""Merging another machine's database into this one: `workbench merge OTHER.db`.

Coders often work on their own laptops; their databases come together here.
Articles are matched by the SHA-256 of their text and sentences by their
offsets, so two machines that imported the same files line up. Everything is
checked before anything is written, and the merge is one transaction:

- distinct coders never conflict; their labels and event history come over;
- the same coder with a different label for the same sentence is a
  conflict: all conflicts are listed and nothing is written, unless
  `prefer` is "newer" (the later `updated_at` wins), "ours" or "theirs";
- entities (speakers) added on both machines under the same normalized
  Arabic key become one entity, and labels are rewritten to its key;
- merging the same database twice changes nothing the second time.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.migrations import SCHEMA_VERSION
from workbench.store import LABELS, Store, canonical_json, now

PREFERENCES = ("newer", "ours", "theirs")


@dataclass(frozen=True)
class Conflict:
    sentence: str  # "<article id>:<sentence index>"
    coder: str
    ours: dict[str, Any]
    theirs: dict[str, Any]

    def __str__(self) -> str:
        return (
            f"{self.sentence} coder {self.coder}: ours {_brief(self.ours)} "
            f"vs theirs {_brief(self.theirs)}"
        )


class MergeConflicts(WorkbenchError):
    def __init__(self, conflicts: list[Conflict], path: str):
        self.conflicts = conflicts
        super().__init__(
            f"{len(conflicts)} conflicting label(s), nothing written; choose with "
            "--prefer newer|ours|theirs",
            path,
        )


@dataclass
class MergeReport:
    coders_added: list[str] = field(default_factory=list)
    labels_added: int = 0
    labels_same: int = 0
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
    return f"{state['status']} {data}" + (f" ({state['note']})" if state["note"] else "")


def _copy(path: Path, folder: Path) -> Path:
    """A private copy of the other database, WAL included (SQLite's backup API)."""
    if not path.is_file():
        raise WorkbenchError("no such database", path)
    target = folder / "other.db"
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
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
    """Bring the other database's coders, entities, labels and events into `store`."""
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
    theirs = other.conn.execute(
        "SELECT l.sentence_id, c.name, l.status, l.data, l.note, l.codebook_id, l.event_id,"
        " l.updated_at FROM labels l JOIN coders c ON c.id = l.coder_id ORDER BY l.sentence_id"
    ).fetchall()
    ours_labels = {
        (sid, name): (status, json.loads(data), note, updated)
        for sid, name, status, data, note, updated in store.conn.execute(
            "SELECT l.sentence_id, c.name, l.status, l.data, l.note, l.updated_at FROM labels l"
            " JOIN coders c ON c.id = l.coder_id"
        )
    }

    with store.transaction():
        key_map = _merge_entities(store, other, report)
        codebook_map = {
            cid: _ensure_codebook(store, *info) for cid, info in codebook_sources.items()
        }
        event_map = _copy_events(
            store, other, sentence_map, codebook_map, key_map, entity_fields, report
        )
        plan = []
        for sid, coder, status, data, note, codebook_id, event_id, updated in theirs:
            data = _remap(json.loads(data), key_map, entity_fields)
            target = sentence_map[sid]
            state = {"status": status, "data": data, "note": note}
            mine = ours_labels.get((target, coder))
            if mine is None:
                plan.append(
                    (
                        target,
                        coder,
                        state,
                        codebook_map.get(codebook_id),
                        event_map[event_id],
                        "copy",
                    )
                )
                continue
            ours_state = {"status": mine[0], "data": mine[1], "note": mine[2]}
            if ours_state == state:
                report.labels_same += 1
                continue
            sentence = _sentence_name(store, target)
            report.conflicts.append(Conflict(sentence, coder, ours_state, state))
            take = prefer == "theirs" or (prefer == "newer" and updated > mine[3])
            if take:
                plan.append((target, coder, state, codebook_map.get(codebook_id), None, "merge"))
        if report.conflicts and prefer is None:
            raise MergeConflicts(report.conflicts, where)
        for target, coder, state, codebook_id, event_id, how in plan:
            coder_id = store.ensure_coder(coder)
            if coder not in ours_coders and coder not in report.coders_added:
                report.coders_added.append(coder)
            if how == "copy":
                store._write(LABELS, target, coder_id, state, codebook_id, event_id, now())
                report.labels_added += 1
            else:
                store._record(LABELS, target, coder, state, codebook_id, "merge")
                report.taken_theirs += 1
    return report


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


def _copy_events(
    store: Store,
    other: Store,
    sentence_map: dict[int, int],
    codebook_map: dict[int, int],
    key_map: dict[tuple[str, str], str],
    fields: list[str],
    report: MergeReport,
) -> dict[int, int]:
    """Copy their events not already here; their event id -> ours."""
    existing = {
        (sid, coder, action, created, after): eid
        for eid, sid, coder, action, created, after in store.conn.execute(
            "SELECT e.id, e.sentence_id, c.name, e.action, e.created_at, e.after"
            " FROM label_events e JOIN coders c ON c.id = e.coder_id"
        )
    }
    mapping: dict[int, int] = {}
    for eid, sid, coder, action, ref, before, after, codebook_id, created in other.conn.execute(
        "SELECT e.id, e.sentence_id, c.name, e.action, e.ref_event, e.before, e.after,"
        " e.codebook_id, e.created_at FROM label_events e JOIN coders c ON c.id = e.coder_id"
        " ORDER BY e.id"
    ):
        before, after = (_remap_state(x, key_map, fields) for x in (before, after))
        key = (sentence_map[sid], coder, action, created, after)
        if key in existing:
            mapping[eid] = existing[key]
            continue
        coder_id = store.ensure_coder(coder)
        mapping[eid] = store.conn.execute(
            "INSERT INTO label_events (sentence_id, coder_id, action, ref_event, before, after,"
            " codebook_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                sentence_map[sid],
                coder_id,
                action,
                mapping.get(ref) if ref is not None else None,
                before,
                after,
                codebook_map.get(codebook_id),
                created,
            ),
        ).lastrowid
        existing[key] = mapping[eid]
        report.events_added += 1
    return mapping


def _remap_state(
    raw: str | None, key_map: dict[tuple[str, str], str], fields: list[str]
) -> str | None:
    if raw is None:
        return None
    state = json.loads(raw)
    state["data"] = _remap(state.get("data", {}), key_map, fields)
    return canonical_json(state)


def _sentence_name(store: Store, sentence_id: int) -> str:
    ext_id, idx = store.conn.execute(
        "SELECT a.ext_id, s.idx FROM sentences s JOIN articles a ON a.id = s.article_id"
        " WHERE s.id = ?",
        (sentence_id,),
    ).fetchone()
    return f"{ext_id}:{idx}"
