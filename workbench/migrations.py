"""Schema migrations: the database's history, one step per schema version.

`PRAGMA user_version` holds the schema version. `MIGRATIONS[i]` takes a
database from version i to i + 1; a migration never edits an earlier step, so
a database created by any release can be brought forward. Each step runs in
the caller's transaction: a failed step leaves the database as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

_V1 = """
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    ext_id TEXT NOT NULL,              -- manifest/JSONL id, else the file stem
    version INTEGER NOT NULL,          -- 1, 2, ... when the text under ext_id changes
    is_current INTEGER NOT NULL DEFAULT 1,
    content_hash TEXT NOT NULL UNIQUE, -- sha256 of text: an article's identity
    title TEXT NOT NULL DEFAULT '',
    outlet TEXT NOT NULL DEFAULT '',
    date TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT 'ar',
    meta TEXT NOT NULL DEFAULT '{}',   -- other manifest/JSONL keys, as JSON
    source TEXT NOT NULL,              -- file (and line) it was imported from
    text TEXT NOT NULL,                -- exactly as read, decoded, NFC
    imported_at TEXT NOT NULL,
    UNIQUE (ext_id, version)
);

CREATE TABLE sentences (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    idx INTEGER NOT NULL,              -- 0-based position in the article
    start INTEGER NOT NULL,            -- char offsets into articles.text, logical order
    "end" INTEGER NOT NULL,
    line INTEGER NOT NULL,             -- 0-based source line (paragraph)
    in_quote INTEGER NOT NULL,         -- begins inside a quotation opened earlier
    has_quote INTEGER NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (article_id, idx)
);

CREATE TABLE coders (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    settings TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);

CREATE TABLE codebooks (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    source TEXT NOT NULL,              -- the TOML as loaded, so old labels stay interpretable
    path TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    UNIQUE (name, version)
);

CREATE TABLE entities (
    id INTEGER PRIMARY KEY,
    field TEXT NOT NULL,               -- codebook field, e.g. speaker
    key TEXT NOT NULL,                 -- stable id stored in labels
    label TEXT NOT NULL,
    label_ar TEXT NOT NULL DEFAULT '',
    codebook_id INTEGER REFERENCES codebooks(id),  -- seeded by a codebook, or
    created_by INTEGER REFERENCES coders(id),      -- added by a coder while coding
    created_at TEXT NOT NULL,
    UNIQUE (field, key)
);

CREATE TABLE entity_aliases (
    id INTEGER PRIMARY KEY,
    entity_id INTEGER NOT NULL REFERENCES entities(id),
    field TEXT NOT NULL,
    alias TEXT NOT NULL,
    match_key TEXT NOT NULL,           -- workbench.arabic.match_key(alias)
    UNIQUE (field, match_key)
);

CREATE TABLE labels (
    sentence_id INTEGER NOT NULL REFERENCES sentences(id),
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    status TEXT NOT NULL CHECK (status IN ('labeled', 'skipped', 'flagged')),
    data TEXT NOT NULL DEFAULT '{}',   -- {"field": value, ...} as in the JSONL export
    note TEXT NOT NULL DEFAULT '',
    codebook_id INTEGER REFERENCES codebooks(id),
    event_id INTEGER NOT NULL,         -- the event that produced this state
    updated_at TEXT NOT NULL,
    PRIMARY KEY (sentence_id, coder_id)
);
CREATE INDEX labels_by_coder ON labels (coder_id, sentence_id);

-- Every change to a label, in order: undo/redo and provenance read it back.
CREATE TABLE label_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sentence_id INTEGER NOT NULL REFERENCES sentences(id),
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    action TEXT NOT NULL,              -- set, clear, undo, redo, import, merge
    ref_event INTEGER REFERENCES label_events(id),  -- the event an undo/redo reverses
    before TEXT,                       -- label state as JSON, NULL = no label
    after TEXT,
    codebook_id INTEGER REFERENCES codebooks(id),
    created_at TEXT NOT NULL
);
CREATE INDEX label_events_by_coder ON label_events (coder_id, id);

CREATE TRIGGER label_events_no_update BEFORE UPDATE ON label_events
BEGIN SELECT RAISE(ABORT, 'label_events is append-only'); END;
CREATE TRIGGER label_events_no_delete BEFORE DELETE ON label_events
BEGIN SELECT RAISE(ABORT, 'label_events is append-only'); END;
"""


# Schema 2: adjudicated gold and article assignments.
_V2 = """
-- The adjudicated answer for a sentence. Unanimous sentences are not stored:
-- they are gold by computation, so they follow the coders' labels.
CREATE TABLE gold (
    sentence_id INTEGER PRIMARY KEY REFERENCES sentences(id),
    status TEXT NOT NULL CHECK (status IN ('labeled', 'skipped')),
    data TEXT NOT NULL DEFAULT '{}',   -- {"field": value, ...} as in label data
    adjudicator_id INTEGER NOT NULL REFERENCES coders(id),
    reason TEXT NOT NULL DEFAULT '',
    agreed_with TEXT NOT NULL DEFAULT '{}',  -- {"field": ["coder", ...]} whose value it took
    basis TEXT NOT NULL DEFAULT '{}',        -- {"coder": label event id} the decision saw
    codebook_id INTEGER REFERENCES codebooks(id),
    event_id INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

-- Every change to gold, in order: the adjudicator's undo/redo replays it.
CREATE TABLE gold_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sentence_id INTEGER NOT NULL REFERENCES sentences(id),
    adjudicator_id INTEGER NOT NULL REFERENCES coders(id),
    action TEXT NOT NULL,              -- set, clear, undo, redo, merge
    ref_event INTEGER REFERENCES gold_events(id),
    before TEXT,                       -- gold state as JSON, NULL = none
    after TEXT,
    codebook_id INTEGER REFERENCES codebooks(id),
    created_at TEXT NOT NULL
);
CREATE INDEX gold_events_by_adjudicator ON gold_events (adjudicator_id, id);

CREATE TRIGGER gold_events_no_update BEFORE UPDATE ON gold_events
BEGIN SELECT RAISE(ABORT, 'gold_events is append-only'); END;
CREATE TRIGGER gold_events_no_delete BEFORE DELETE ON gold_events
BEGIN SELECT RAISE(ABORT, 'gold_events is append-only'); END;

-- One `workbench assign` run: its parameters, so a design can be reported.
CREATE TABLE assignment_runs (
    id INTEGER PRIMARY KEY,
    params TEXT NOT NULL,              -- {"coders", "per_article"|"overlap", "seed", ...}
    created_at TEXT NOT NULL
);

CREATE TABLE assignments (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    run_id INTEGER NOT NULL REFERENCES assignment_runs(id),
    PRIMARY KEY (article_id, coder_id)
);
CREATE INDEX assignments_by_coder ON assignments (coder_id, article_id);
"""


def _script(script: str) -> Callable[[sqlite3.Connection], None]:
    """A migration step that runs a DDL script statement by statement."""

    def step(conn: sqlite3.Connection) -> None:
        for statement in _split_sql(script):
            conn.execute(statement)

    return step


def _split_sql(script: str) -> list[str]:
    """Split a DDL script into statements (executescript would COMMIT ours)."""
    statements, current = [], []
    for line in script.splitlines():
        current.append(line)
        text = "\n".join(current).strip()
        if text.endswith(";") and sqlite3.complete_statement(text):
            statements.append(text)
            current = []
    return statements


# Schema 3: drafts, where events came from, and a managed speaker registry.
_V3 = """
-- 'draft' joins the statuses: saved but not done (a coder moved away from
-- a sentence with edits, or a required field is unset). SQLite cannot alter
-- a CHECK constraint, so the table is rebuilt with its rows.
CREATE TABLE labels_v3 (
    sentence_id INTEGER NOT NULL REFERENCES sentences(id),
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    status TEXT NOT NULL CHECK (status IN ('labeled', 'skipped', 'flagged', 'draft')),
    data TEXT NOT NULL DEFAULT '{}',
    note TEXT NOT NULL DEFAULT '',
    codebook_id INTEGER REFERENCES codebooks(id),
    event_id INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (sentence_id, coder_id)
);
INSERT INTO labels_v3 (sentence_id, coder_id, status, data, note, codebook_id, event_id,
    updated_at)
    SELECT sentence_id, coder_id, status, data, note, codebook_id, event_id, updated_at
    FROM labels;
DROP TABLE labels;
ALTER TABLE labels_v3 RENAME TO labels;
CREATE INDEX labels_by_coder ON labels (coder_id, sentence_id);

-- NULL = made in this database; else where a copied event came from (the
-- merged file). Undo only ever walks a person's own events made here.
ALTER TABLE label_events ADD COLUMN origin TEXT;
ALTER TABLE gold_events ADD COLUMN origin TEXT;

-- `workbench speakers merge FROM INTO` keeps FROM's row, pointing at INTO, so
-- a key found in an old export still resolves.
ALTER TABLE entities ADD COLUMN merged_into INTEGER REFERENCES entities(id);

-- Every change to the registry (add, rename, alias, merge), who made it and when.
CREATE TABLE entity_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    field TEXT NOT NULL,
    action TEXT NOT NULL,              -- add, rename, alias, merge
    key TEXT NOT NULL,                 -- the entity changed (for merge: FROM)
    detail TEXT NOT NULL DEFAULT '{}', -- JSON: old and new label, aliases, INTO, counts
    coder_id INTEGER REFERENCES coders(id),
    created_at TEXT NOT NULL
);
CREATE TRIGGER entity_events_no_update BEFORE UPDATE ON entity_events
BEGIN SELECT RAISE(ABORT, 'entity_events is append-only'); END;
CREATE TRIGGER entity_events_no_delete BEFORE DELETE ON entity_events
BEGIN SELECT RAISE(ABORT, 'entity_events is append-only'); END;
"""


# `PRAGMA application_id` of a workbench database ("WBst" in the header):
# a tool such as `file` can tell it apart, and the workbench refuses another
# application's SQLite file instead of adding its tables to it.
APPLICATION_ID = int.from_bytes(b"WBst", "big")
# The tables every workbench database has had since schema 1.
CORE_TABLES = frozenset({"articles", "sentences", "coders", "labels"})


def _v4(conn: sqlite3.Connection) -> None:
    """Schema 4: mark the file as a workbench database (databases of schema
    1-3 carry no mark; they are recognised by their tables)."""
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def _lock_trigger(name: str, when: str, row: str) -> str:
    """A trigger refusing a change to a label of a closed round's coder on
    one of its sentences (`row`: the label as it is, OLD, or will be, NEW)."""
    return f"""CREATE TRIGGER labels_locked_{name} {when} ON labels
WHEN EXISTS (SELECT 1 FROM round_sentences rs JOIN rounds r ON r.id = rs.round_id
             JOIN round_coders rc ON rc.round_id = r.id
             WHERE rs.sentence_id = {row}.sentence_id AND rc.coder_id = {row}.coder_id
               AND r.closed_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'label locked: its round is closed'); END;"""


# Schema 5: study rounds and codebook revisions.
_V5 = f"""
-- A round of a study: a fixed set of sentences, coders and the codebook
-- version in force when it was created (training, pilot, reliability,
-- production). Closing it locks its coders' labels on its sentences.
CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('training', 'pilot', 'reliability', 'production')),
    codebook_id INTEGER NOT NULL REFERENCES codebooks(id),
    params TEXT NOT NULL DEFAULT '{{}}',  -- how its sentences were chosen: articles, or the
                                        -- sample's size, seed, stratification and strata;
                                        -- the answer key and pass threshold of a training round
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    closed_by TEXT,
    closed_at TEXT                      -- NULL = open
);

-- The round's coders, and a training round's key when it is a coder: a
-- closed round's lock holds the key's answers too, so its trainees' figures
-- cannot change after the fact.
CREATE TABLE round_coders (
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    role TEXT NOT NULL DEFAULT 'coder' CHECK (role IN ('coder', 'key')),
    PRIMARY KEY (round_id, coder_id)
);

CREATE TABLE round_sentences (
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    sentence_id INTEGER NOT NULL REFERENCES sentences(id),
    stratum TEXT,                       -- the value it was drawn for (stratified samples)
    PRIMARY KEY (round_id, sentence_id)
);
CREATE INDEX round_sentences_by_sentence ON round_sentences (sentence_id, round_id);

-- Who created or closed a round, and when.
CREATE TABLE round_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    action TEXT NOT NULL,               -- create, close
    actor TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{{}}',
    created_at TEXT NOT NULL
);
CREATE TRIGGER round_events_no_update BEFORE UPDATE ON round_events
BEGIN SELECT RAISE(ABORT, 'round_events is append-only'); END;
CREATE TRIGGER round_events_no_delete BEFORE DELETE ON round_events
BEGIN SELECT RAISE(ABORT, 'round_events is append-only'); END;

-- A closed round's labels are final: every write path (the screens, undo,
-- import-labels, merge) is refused here, whatever code it goes through.
{_lock_trigger("insert", "BEFORE INSERT", "NEW")}
{_lock_trigger("update", "BEFORE UPDATE OF status, data, note", "OLD")}
{_lock_trigger("delete", "BEFORE DELETE", "OLD")}

-- A codebook version registered after an earlier one of the same name: what
-- changed, and what the revision did to the labels made under the earlier one.
CREATE TABLE codebook_revisions (
    codebook_id INTEGER PRIMARY KEY REFERENCES codebooks(id),
    previous_id INTEGER NOT NULL REFERENCES codebooks(id),
    changes TEXT NOT NULL,              -- workbench.codebook_diff JSON
    marked INTEGER NOT NULL,            -- labels marked for recheck (they keep their version)
    carried INTEGER NOT NULL,           -- labels carried over to the new version unchanged
    applied_at TEXT NOT NULL
);

-- A label to look at again: made under an earlier version whose field later
-- changed semantically. Open while the coder's label is still under an
-- earlier version than `codebook_id` (re-committing it under the new
-- version settles it, and undoing that re-opens it).
CREATE TABLE rechecks (
    sentence_id INTEGER NOT NULL REFERENCES sentences(id),
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    codebook_id INTEGER NOT NULL REFERENCES codebooks(id),  -- the revision that asks
    field TEXT NOT NULL,
    reason TEXT NOT NULL,               -- e.g. "value 'x' merged into 'y'"
    suggestion TEXT,                    -- JSON: the value carried over (replaces), or NULL
    PRIMARY KEY (sentence_id, coder_id, codebook_id, field)
);
CREATE INDEX rechecks_by_coder ON rechecks (coder_id, sentence_id);
"""


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _script(_V1),
    _script(_V2),
    _script(_V3),
    _v4,
    _script(_V5),
]
SCHEMA_VERSION = len(MIGRATIONS)
