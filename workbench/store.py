"""The SQLite store: every read and write of the workbench's data goes here.

One database file holds the corpus (articles, sentences), the coders, the
codebook versions, the speaker registry and the labels with their event log.

Durability rules, all enforced here:
- WAL journal, foreign keys on, `synchronous=FULL` for coders' writes so a
  committed label survives even a power cut; bulk imports may ask for NORMAL.
- Writes run in `BEGIN IMMEDIATE` transactions: the write lock is taken up
  front, so concurrent writers queue on the busy timeout instead of failing
  with a lock upgrade error, and a transaction that still finds the database
  busy is retried.
- The label event log is append-only (triggers refuse UPDATE and DELETE).
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils

    from workbench.codebook import Codebook

from workbench.arabic import match_key
from workbench.errors import WorkbenchError
from workbench.migrations import APPLICATION_ID, CORE_TABLES, MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_S = 30.0
LABEL_STATUSES = ("labeled", "skipped", "flagged", "draft")
# Done = what progress, resume, agreement, gold and exports count. A draft is
# saved (it survives a crash) but not done.
DONE_STATUSES = ("labeled", "skipped", "flagged")
DONE_SQL = "('labeled', 'skipped', 'flagged')"  # for `l.status IN {DONE_SQL}`
# True for a label `l` on a sentence of a closed round its coder belongs to.
LOCKED_SQL = (
    "EXISTS (SELECT 1 FROM round_sentences rs JOIN rounds r ON r.id = rs.round_id"
    " JOIN round_coders rc ON rc.round_id = r.id WHERE rs.sentence_id = l.sentence_id"
    " AND rc.coder_id = l.coder_id AND r.closed_at IS NOT NULL)"
)


def now() -> str:
    """UTC timestamp with milliseconds, ISO 8601: sorts as text."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class SaveError(WorkbenchError):
    """A write the database refused; nothing of it was kept, so it can be retried."""


def _write_failure(exc: sqlite3.Error) -> str:
    message = str(exc)
    lower = message.lower()
    if "readonly" in lower or "read-only" in lower:
        return f"cannot save: the database is read-only ({message})"
    if "full" in lower:
        return f"cannot save: the disk is full ({message})"
    if _is_busy(exc):  # type: ignore[arg-type]
        return f"cannot save: the database stayed locked by another program ({message})"
    return f"cannot save: {message}"


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message


@dataclass(frozen=True)
class ArticleRow:
    id: int
    ext_id: str
    version: int
    title: str
    outlet: str
    date: str
    url: str
    sentences: int
    first_words: str


@dataclass(frozen=True)
class SentenceRow:
    id: int
    article_id: int
    idx: int
    start: int
    end: int
    line: int
    in_quote: bool
    has_quote: bool
    text: str


@dataclass(frozen=True)
class Ledger:
    """A table of current states and the append-only event log behind it.

    Labels (one state per sentence and coder) and gold (one per sentence, the
    owner being the adjudicator who set it) share the same logging, writing
    and undo code.
    """

    table: str
    events: str
    owner: str  # column naming the coder who made each change
    key: tuple[str, ...]  # the state table's primary key
    fields: tuple[str, ...]  # state keys stored as columns, in order
    json_fields: tuple[str, ...]

    def where(self, sentence_id: int, owner_id: int) -> tuple[str, tuple[int, ...]]:
        if self.owner in self.key:
            return f"sentence_id = ? AND {self.owner} = ?", (sentence_id, owner_id)
        return "sentence_id = ?", (sentence_id,)

    def decode(self, row: Sequence[Any]) -> dict[str, Any]:
        return {
            f: json.loads(v) if f in self.json_fields else v
            for f, v in zip(self.fields, row, strict=True)
        }

    def encode(self, state: dict[str, Any]) -> list[Any]:
        return [
            canonical_json(state.get(f) or {}) if f in self.json_fields else state.get(f, "")
            for f in self.fields
        ]


LABELS = Ledger(
    "labels",
    "label_events",
    "coder_id",
    ("sentence_id", "coder_id"),
    ("status", "data", "note"),
    ("data",),
)
GOLD = Ledger(
    "gold",
    "gold_events",
    "adjudicator_id",
    ("sentence_id",),
    ("status", "data", "reason", "agreed_with", "basis"),
    ("data", "agreed_with", "basis"),
)
GOLD_STATUSES = ("labeled", "skipped")


def _refuse_foreign(conn: sqlite3.Connection, path: str) -> None:
    """Refuse, unchanged, a non-empty SQLite file that is not a workbench
    database: every command used to add the workbench's tables to it.

    A workbench database carries APPLICATION_ID; one from before schema 4
    is recognised by its tables and marked by its migration. Only reads
    happen here, so a refused file keeps every byte.
    """
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id == APPLICATION_ID:
        return
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables or (app_id == 0 and tables >= CORE_TABLES):
        return
    conn.close()
    raise WorkbenchError(
        "not a workbench database (another application's SQLite file); nothing was changed"
        " (choose another --db)",
        path,
    )


class Store:
    """A workbench database. Open with `Store(path)`; use as a context manager."""

    def __init__(self, path: str | Path, *, create: bool = True, timeout: float = BUSY_TIMEOUT_S):
        self.path = str(path)
        if not create and not Path(self.path).exists():
            raise WorkbenchError("no such database (run `workbench import` first)", self.path)
        self.timeout = timeout
        try:
            # isolation_level=None: no implicit transactions; ours are explicit.
            conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            _refuse_foreign(conn, self.path)  # before anything writes to the file
            conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as exc:
            raise WorkbenchError(f"cannot open as a workbench database: {exc}", self.path) from None
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=FULL")
        self.conn = conn
        self._depth = 0  # nesting of transaction() blocks
        self._db: sqlite_utils.Database | None = None
        self._prefetched: tuple[threading.Thread, list[tuple[int, int]]] | None = None
        self._migrate()

    # -- lifecycle -------------------------------------------------------

    def close(self) -> None:
        # The session's commits into the database file itself, so that the
        # -wal file holds nothing a plain copy of the file would miss. PASSIVE
        # never waits for other sessions' readers.
        with suppress(sqlite3.Error):
            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def db(self) -> sqlite_utils.Database:
        """The sqlite-utils view of this database, for ad-hoc queries and tools.

        Imported on first use: sqlite-utils imports pandas when it is installed
        (0.4 s), which the TUI's start-up must not pay.
        """
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise WorkbenchError(
                f"database schema version {version} is newer than this workbench "
                f"understands ({SCHEMA_VERSION}); upgrade the workbench",
                self.path,
            )
        if version == SCHEMA_VERSION:
            return
        with self.transaction():
            # Re-read under the write lock: another process may have migrated.
            version = self.schema_version
            for step in MIGRATIONS[version:]:
                step(self.conn)
            self.conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    # -- transactions ----------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction holding the write lock from its first statement.

        sqlite-utils write methods called inside it nest as savepoints, so the
        whole block commits or rolls back as one. A write SQLite refuses (full
        disk, read-only file, I/O error) becomes a `SaveError` naming the
        real cause, and nothing of the block is kept.
        """
        if self._depth:
            # Inside another of ours: part of it, committed (or not) with it.
            yield self.conn
            return
        self._begin_immediate()
        self._depth += 1
        try:
            yield self.conn
        except sqlite3.OperationalError as exc:
            self._rollback()
            raise SaveError(_write_failure(exc), self.path) from None
        except sqlite3.IntegrityError as exc:
            self._rollback()
            if "its round is closed" not in str(exc):
                raise
            raise SaveError(
                f"cannot save: {exc} (labels of a closed round are final)", self.path
            ) from None
        except BaseException:
            self._rollback()
            raise
        finally:
            self._depth -= 1
        self._commit()

    def _rollback(self) -> None:
        # SQLite may already have rolled back (a full disk does): a second
        # ROLLBACK would raise "no transaction is active" and hide the cause.
        if self.conn.in_transaction:
            with suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")

    def _begin_immediate(self) -> None:
        # The busy timeout already waits `timeout` seconds; past that, back off
        # and retry so that a burst of writers never loses a write.
        deadline = time.monotonic() + 4 * self.timeout
        while True:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise SaveError(_write_failure(exc), self.path) from None
                if time.monotonic() > deadline:
                    raise SaveError(f"database stayed locked: {exc}", self.path) from None
                time.sleep(random.uniform(0.01, 0.1))

    def _commit(self) -> None:
        for attempt in range(50):
            try:
                self.conn.execute("COMMIT")
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or attempt == 49:
                    self._rollback()
                    raise SaveError(_write_failure(exc), self.path) from None
                time.sleep(random.uniform(0.01, 0.1))

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Relax fsync for a bulk import: a crash can lose the last imports
        (rerunning the import restores them) but never corrupts the file."""
        self.conn.execute("PRAGMA synchronous=NORMAL")
        try:
            yield
        finally:
            self.conn.execute("PRAGMA synchronous=FULL")

    # -- articles and sentences ------------------------------------------

    def article_by_hash(self, content_hash: str) -> dict[str, Any] | None:
        rows = self.conn.execute(
            "SELECT id, ext_id, version FROM articles WHERE content_hash = ?", (content_hash,)
        ).fetchall()
        return {"id": rows[0][0], "ext_id": rows[0][1], "version": rows[0][2]} if rows else None

    def latest_version(self, ext_id: str) -> int:
        """Highest stored version of `ext_id`, 0 if none."""
        row = self.conn.execute(
            "SELECT MAX(version) FROM articles WHERE ext_id = ?", (ext_id,)
        ).fetchone()
        return row[0] or 0

    def add_article(
        self,
        *,
        ext_id: str,
        text: str,
        content_hash: str,
        segments: Sequence[Any],
        source: str,
        title: str = "",
        outlet: str = "",
        date: str = "",
        url: str = "",
        language: str = "ar",
        meta: dict[str, Any] | None = None,
    ) -> tuple[int, int]:
        """Store an article and its sentences; returns (article id, version).

        Call inside `transaction()`. An existing ext_id gets a new version and
        the older versions stop being current; their sentences (and any
        labels on them) are never touched.
        """
        version = self.latest_version(ext_id) + 1
        if version > 1:
            self.conn.execute("UPDATE articles SET is_current = 0 WHERE ext_id = ?", (ext_id,))
        cursor = self.conn.execute(
            "INSERT INTO articles (ext_id, version, is_current, content_hash, title, outlet,"
            " date, url, language, meta, source, text, imported_at)"
            " VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                ext_id,
                version,
                content_hash,
                title,
                outlet,
                date,
                url,
                language,
                json.dumps(meta or {}, ensure_ascii=False, sort_keys=True),
                source,
                text,
                now(),
            ),
        )
        article_id = cursor.lastrowid
        assert article_id is not None
        # executemany: the hot path of a big import; sqlite-utils' insert_all
        # builds multi-row statements we do not need here.
        self.conn.executemany(
            'INSERT INTO sentences (article_id, idx, start, "end", line, in_quote, has_quote,'
            " text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    article_id,
                    idx,
                    seg.start,
                    seg.end,
                    seg.line,
                    int(seg.in_quote),
                    int(seg.has_quote),
                    text[seg.start : seg.end],
                )
                for idx, seg in enumerate(segments)
            ),
        )
        return article_id, version

    def articles(self, *, current_only: bool = True) -> list[ArticleRow]:
        """Articles in import order with their sentence counts."""
        return self._article_rows("WHERE a.is_current = 1" if current_only else "", ())

    def _article_rows(self, where: str, params: tuple[Any, ...]) -> list[ArticleRow]:
        rows = self.conn.execute(
            "SELECT a.id, a.ext_id, a.version, a.title, a.outlet, a.date, a.url,"
            " (SELECT COUNT(*) FROM sentences s WHERE s.article_id = a.id),"
            # The first sentence, not substr(a.text): that would read every
            # article's whole text from its overflow pages.
            " (SELECT substr(s.text, 1, 200) FROM sentences s WHERE s.article_id = a.id"
            f" AND s.idx = 0) FROM articles a {where} ORDER BY a.id",
            params,
        ).fetchall()
        return [ArticleRow(*row[:8], first_words=" ".join(row[8].split()[:8])) for row in rows]

    def article(self, article_id: int) -> ArticleRow:
        """One article, as `articles()` lists it."""
        found = self._article_rows("WHERE a.id = ?", (article_id,))
        if not found:
            raise KeyError(article_id)
        return found[0]

    def article_by_ext_id(self, ext_id: str) -> ArticleRow | None:
        """The current version of the article with this id, or None."""
        found = self._article_rows("WHERE a.ext_id = ? AND a.is_current = 1", (ext_id,))
        return found[0] if found else None

    def has_articles(self) -> bool:
        return self.conn.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is not None

    def progress_totals(self, coder: str) -> tuple[int, int]:
        """(sentences the coder has done, sentences in all) over current articles."""
        total = self._take_prefetched_total()
        if total is None:
            total = _current_sentences(self.conn)
        done = self.conn.execute(
            "SELECT COUNT(*) FROM labels l JOIN coders c ON c.id = l.coder_id"
            " JOIN sentences s ON s.id = l.sentence_id JOIN articles a ON a.id = s.article_id"
            f" WHERE c.name = ? AND a.is_current = 1 AND l.status IN {DONE_SQL}",
            (coder,),
        ).fetchone()[0]
        return done, total

    def prefetch_total(self) -> None:
        """Start counting the current articles' sentences on a connection of its own.

        The count walks the whole articles table (~6 ms at start-up on 3,000
        articles) inside SQLite, which releases the GIL: `workbench label`
        starts it before importing Textual, and the first `progress_totals`
        takes the result, counted meanwhile on another core.
        """
        if self.path in ("", ":memory:"):
            return  # another connection would see another database
        found: list[tuple[int, int]] = []

        def count() -> None:
            try:
                conn = sqlite3.connect(self.path, timeout=self.timeout)
                try:
                    conn.execute("BEGIN")  # both figures from one snapshot
                    found.append((_last_article(conn), _current_sentences(conn)))
                finally:
                    conn.close()
            except sqlite3.Error:
                pass  # progress_totals counts for itself

        thread = threading.Thread(target=count, name="workbench-prefetch", daemon=True)
        thread.start()
        self._prefetched = (thread, found)

    def _take_prefetched_total(self) -> int | None:
        prefetched, self._prefetched = self._prefetched, None
        if prefetched is None:
            return None
        thread, found = prefetched
        thread.join()
        # Only an import changes the count, and every import adds an article
        # row (a new version too: that is the only way a version stops being
        # current), so an unchanged last article id means an unchanged count.
        if found and found[0][0] == _last_article(self.conn):
            return found[0][1]
        return None

    def sentences(self, article_id: int) -> list[SentenceRow]:
        rows = self.conn.execute(
            'SELECT id, article_id, idx, start, "end", line, in_quote, has_quote, text'
            " FROM sentences WHERE article_id = ? ORDER BY idx",
            (article_id,),
        ).fetchall()
        return [
            SentenceRow(*row[:6], in_quote=bool(row[6]), has_quote=bool(row[7]), text=row[8])
            for row in rows
        ]

    def article_of(self, sentence_id: int) -> int:
        row = self.conn.execute(
            "SELECT article_id FROM sentences WHERE id = ?", (sentence_id,)
        ).fetchone()
        if row is None:
            raise KeyError(sentence_id)
        return row[0]

    def article_text(self, article_id: int) -> str:
        row = self.conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise KeyError(article_id)
        return row[0]

    # -- coders ----------------------------------------------------------

    def ensure_coder(self, name: str) -> int:
        """The coder's id, creating the coder on first use."""
        name = name.strip()
        if not name:
            raise WorkbenchError("a coder name cannot be empty")
        row = self.conn.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()
        if row:
            return row[0]
        insert = "INSERT OR IGNORE INTO coders (name, created_at) VALUES (?, ?)"
        if self.conn.in_transaction:  # part of the caller's transaction
            self.conn.execute(insert, (name, now()))
        else:
            with self.transaction():
                self.conn.execute(insert, (name, now()))
        return self.conn.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()[0]

    def coders(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM coders ORDER BY name")]

    # -- codebooks and the entity registry --------------------------------

    def register_codebook(self, codebook: Codebook) -> int:
        """Record a codebook version (idempotent) and seed its entity registries.

        A codebook whose content changed without a new version number is
        refused: labels record the version they were made under, and that
        version must mean one thing.
        """
        row = self.conn.execute(
            "SELECT id, source FROM codebooks WHERE name = ? AND version = ?",
            (codebook.name, codebook.version),
        ).fetchone()
        if row is not None:
            # The same text has the same content_hash; comparing the texts
            # spares every start hashing (and importing hashlib).
            if row[1] != codebook.source:
                raise WorkbenchError(
                    f"codebook {codebook.name!r} version {codebook.version} differs from the one "
                    "this database was coded with; give the changed codebook a new version",
                    codebook.path,
                )
            return row[0]
        with self.transaction():
            codebook_id = self.conn.execute(
                "INSERT INTO codebooks (name, version, content_hash, source, path, registered_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    codebook.name,
                    codebook.version,
                    codebook.content_hash,
                    codebook.source,
                    codebook.path,
                    now(),
                ),
            ).lastrowid
            for field in codebook.fields:
                if field.kind != "entity":
                    continue
                for value in field.values:
                    self._ensure_entity(
                        field.id,
                        value.id,
                        value.label,
                        value.label_ar,
                        (value.label, value.label_ar, *value.aliases),
                        codebook_id=codebook_id,
                    )
            self._revise(codebook_id, codebook)
        return codebook_id

    def _revise(self, codebook_id: int, codebook: Codebook) -> None:
        """Apply a new version to the labels made under earlier ones
        (`workbench.revisions`): a label that a semantic change concerns is
        marked recheck and keeps its version; every other one is carried over
        to the new version, its data untouched. A closed round's labels are
        neither: they stay as measured (the round is reported stale)."""
        newest = self.newest_codebook(codebook.name)
        if newest is None or newest[0] != codebook_id:
            return  # an older version registered late (a coder on the old file) revises nothing
        earlier = self.conn.execute(
            "SELECT id, source, path FROM codebooks WHERE name = ? AND id < ? ORDER BY id",
            (codebook.name, codebook_id),
        ).fetchall()
        if not earlier:
            return  # the first version
        from workbench.codebook import parse_codebook
        from workbench.codebook_diff import diff_codebooks, diff_json
        from workbench.revisions import label_marks

        marked = carried = 0
        record: dict[str, Any] = {}
        for old_id, source, path in earlier:
            try:
                old = parse_codebook(source, path)
            except WorkbenchError:
                continue  # stored under rules this release no longer accepts
            changes = diff_codebooks(old, codebook)
            if old_id == earlier[-1][0]:
                record = diff_json(old, codebook, changes)
            carry = []
            for sentence_id, coder_id, data in self.conn.execute(
                "SELECT l.sentence_id, l.coder_id, l.data FROM labels l"
                f" WHERE l.codebook_id = ? AND NOT {LOCKED_SQL}",
                (old_id,),
            ).fetchall():
                marks = label_marks(changes, codebook, json.loads(data))
                if not marks:
                    carry.append((codebook_id, sentence_id, coder_id))
                    continue
                marked += 1
                self.conn.executemany(
                    "INSERT OR IGNORE INTO rechecks (sentence_id, coder_id, codebook_id, field,"
                    " reason, suggestion) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (
                            sentence_id,
                            coder_id,
                            codebook_id,
                            m.field,
                            m.reason,
                            None if m.suggestion is None else canonical_json(m.suggestion),
                        )
                        for m in marks
                    ],
                )
            self.conn.executemany(
                "UPDATE labels SET codebook_id = ? WHERE sentence_id = ? AND coder_id = ?", carry
            )
            carried += len(carry)
        self.conn.execute(
            "INSERT INTO codebook_revisions (codebook_id, previous_id, changes, marked, carried,"
            " applied_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                codebook_id,
                earlier[-1][0],
                canonical_json(record),
                marked,
                carried,
                now(),
            ),
        )

    def latest_codebook(self) -> tuple[str, str] | None:
        """(TOML source, original path) of the newest codebook: the highest
        version of the codebook registered last (an older version registered
        late, by a coder still on the old file, does not replace it)."""
        row = self.conn.execute("SELECT name FROM codebooks ORDER BY id DESC LIMIT 1").fetchone()
        newest = None if row is None else self.newest_codebook(row[0])
        return None if newest is None else (newest[2], newest[3])

    def newest_codebook(self, name: str) -> tuple[int, str, str, str] | None:
        """(id, version, source, path) of the highest version of a codebook:
        dotted versions compare as numbers, others by registration order."""
        rows = self.conn.execute(
            "SELECT id, version, source, path FROM codebooks WHERE name = ? ORDER BY id", (name,)
        ).fetchall()
        if not rows:
            return None
        newest = rows[0]
        for candidate in rows[1:]:
            if _older(newest[1], candidate[1]):
                newest = candidate
        return newest

    def codebook_versions(self) -> list[tuple[int, str, str]]:
        """(id, name, version) of every registered codebook, oldest first."""
        return self.conn.execute("SELECT id, name, version FROM codebooks ORDER BY id").fetchall()

    def add_entity(
        self,
        field: str,
        label: str,
        *,
        aliases: Sequence[str] = (),
        label_ar: str = "",
        coder: str | None = None,
        key: str | None = None,
    ) -> str:
        """Add a new entity (e.g. a speaker a coder met while coding); returns its key.

        If the label or an alias already names an entity of the field (same
        Arabic match key), that entity's key is returned and nothing is added.
        """
        names = tuple(n for n in (label, label_ar, *aliases) if n.strip())
        existing = self.find_entity(field, *names)
        if existing is not None:
            return existing
        coder_id = self.ensure_coder(coder) if coder else None
        with self.transaction():
            return self._ensure_entity(
                field, key or _entity_key(label), label, label_ar, names, coder_id=coder_id
            )

    def _ensure_entity(
        self,
        field: str,
        key: str,
        label: str,
        label_ar: str,
        names: Sequence[str],
        *,
        codebook_id: int | None = None,
        coder_id: int | None = None,
    ) -> str:
        base, n = key, 1
        while self.conn.execute(
            "SELECT 1 FROM entities WHERE field = ? AND key = ?", (field, key)
        ).fetchone():
            n += 1
            key = f"{base}_{n}"
        entity_id = self.conn.execute(
            "INSERT INTO entities (field, key, label, label_ar, codebook_id, created_by,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (field, key, label, label_ar, codebook_id, coder_id, now()),
        ).lastrowid
        for name in names:
            if name.strip():
                # OR IGNORE: an alias another entity already owns stays with it.
                self.conn.execute(
                    "INSERT OR IGNORE INTO entity_aliases (entity_id, field, alias, match_key)"
                    " VALUES (?, ?, ?, ?)",
                    (entity_id, field, name, match_key(name)),
                )
        return key

    def find_entity(self, field: str, *names: str) -> str | None:
        """Key of the entity any of `names` refers to (by Arabic match key), or None."""
        for name in names:
            row = self.conn.execute(
                "SELECT e.key FROM entity_aliases a JOIN entities e ON e.id = a.entity_id"
                " WHERE a.field = ? AND a.match_key = ?",
                (field, match_key(name)),
            ).fetchone()
            if row:
                return row[0]
        return None

    def entities(self, field: str) -> list[dict[str, Any]]:
        """Every entity of a field with its aliases, in registry order (not
        those merged into another: `workbench.registry.merge_speakers`)."""
        result: dict[int, dict[str, Any]] = {}
        for eid, key, label, label_ar, alias in self.conn.execute(
            "SELECT e.id, e.key, e.label, e.label_ar, a.alias FROM entities e"
            " LEFT JOIN entity_aliases a ON a.entity_id = e.id"
            " WHERE e.field = ? AND e.merged_into IS NULL ORDER BY e.id, a.id",
            (field,),
        ):
            entry = result.setdefault(
                eid, {"key": key, "label": label, "label_ar": label_ar, "aliases": []}
            )
            if alias is not None:
                entry["aliases"].append(alias)
        return list(result.values())

    # -- labels ----------------------------------------------------------

    def set_label(
        self,
        sentence_id: int,
        coder: str,
        *,
        status: str = "labeled",
        data: dict[str, Any] | None = None,
        note: str = "",
        codebook_id: int | None = None,
        action: str = "set",
    ) -> int:
        """Record a coder's label for a sentence, committed before returning.

        Appends the change to the event log in the same transaction; returns
        the event id.
        """
        with self.transaction():
            return self._set_label(sentence_id, coder, status, data, note, codebook_id, action)

    def set_labels(
        self, rows: Sequence[tuple[int, str, str, dict[str, Any], str, int | None]], action: str
    ) -> int:
        """Many labels in one transaction: (sentence id, coder, status, data,
        note, codebook id) each, logged with `action` (import, merge)."""
        with self.transaction():
            for sentence_id, coder, status, data, note, codebook_id in rows:
                self._set_label(sentence_id, coder, status, data, note, codebook_id, action)
        return len(rows)

    def _set_label(
        self,
        sentence_id: int,
        coder: str,
        status: str,
        data: dict[str, Any] | None,
        note: str,
        codebook_id: int | None,
        action: str,
    ) -> int:
        if status not in LABEL_STATUSES:
            raise ValueError(f"status must be one of {LABEL_STATUSES}, not {status!r}")
        after = {"status": status, "data": data or {}, "note": note}
        return self._record(LABELS, sentence_id, coder, after, codebook_id, action)

    def _record(
        self,
        ledger: Ledger,
        sentence_id: int,
        owner: str,
        after: dict[str, Any] | None,
        codebook_id: int | None,
        action: str,
    ) -> int:
        """Log a change and write the new state, inside the caller's transaction."""
        owner_id = self.ensure_coder(owner)
        if ledger is LABELS:
            self._refuse_locked(sentence_id, owner_id)
        before = self._state(ledger, sentence_id, owner_id)
        stamp = now()
        event_id = self._append(
            ledger, sentence_id, owner_id, action, before, after, codebook_id, stamp
        )
        self._write(ledger, sentence_id, owner_id, after, codebook_id, event_id, stamp)
        return event_id

    def _version_before(
        self, ref: int, sentence_id: int, coder_id: int, codebook_id: int | None
    ) -> int | None:
        """The codebook version a label goes back to when event `ref` is undone.

        The event's own version, unless `ref` was the commit that settled a
        recheck of that version: undoing it restores the label as it was,
        under the earlier version of the coder's event before it, so the
        mark opens again (rechecks.py).
        """
        settled = self.conn.execute(
            "SELECT 1 FROM rechecks WHERE sentence_id = ? AND coder_id = ? AND codebook_id = ?",
            (sentence_id, coder_id, codebook_id),
        ).fetchone()
        if settled is None:
            return codebook_id
        row = self.conn.execute(
            "SELECT codebook_id FROM label_events WHERE sentence_id = ? AND coder_id = ?"
            " AND id < ? ORDER BY id DESC LIMIT 1",
            (sentence_id, coder_id, ref),
        ).fetchone()
        return row[0] if row is not None and row[0] is not None else codebook_id

    def _refuse_locked(self, sentence_id: int, coder_id: int) -> None:
        """A `SaveError` naming the closed round when this label is final."""
        row = self.conn.execute(
            "SELECT r.name, r.kind, r.closed_by, r.closed_at FROM round_sentences rs"
            " JOIN rounds r ON r.id = rs.round_id JOIN round_coders rc ON rc.round_id = r.id"
            " WHERE rs.sentence_id = ? AND rc.coder_id = ? AND r.closed_at IS NOT NULL"
            " ORDER BY r.id LIMIT 1",
            (sentence_id, coder_id),
        ).fetchone()
        if row is not None:
            name, kind, by, at = row
            raise SaveError(
                f"cannot change this label: it belongs to the closed {kind} round {name!r}"
                f" (closed by {by} at {at[:16].replace('T', ' ')}); its labels are final",
                self.path,
            )

    def find_sentence(
        self, ext_id: str, idx: int, start: int, end: int, content_hash: str | None = None
    ) -> int | None:
        """The sentence at these offsets of this article (any version), or None.

        With `content_hash`, only the article version with exactly that text.
        """
        sql = (
            "SELECT s.id FROM sentences s JOIN articles a ON a.id = s.article_id"
            ' WHERE a.ext_id = ? AND s.idx = ? AND s.start = ? AND s."end" = ?'
        )
        params: list[Any] = [ext_id, idx, start, end]
        if content_hash:
            sql += " AND a.content_hash = ?"
            params.append(content_hash)
        row = self.conn.execute(sql + " ORDER BY a.version DESC LIMIT 1", params).fetchone()
        return None if row is None else row[0]

    def label(self, sentence_id: int, coder: str) -> dict[str, Any] | None:
        """The coder's current label state for a sentence, or None."""
        row = self.conn.execute("SELECT id FROM coders WHERE name = ?", (coder,)).fetchone()
        return None if row is None else self._state(LABELS, sentence_id, row[0])

    def label_with_time(self, sentence_id: int, coder: str) -> tuple[dict[str, Any], str] | None:
        """The coder's current label state for a sentence and its updated_at, or None."""
        state = self.label(sentence_id, coder)
        if state is None:
            return None
        (at,) = self.conn.execute(
            "SELECT l.updated_at FROM labels l JOIN coders c ON c.id = l.coder_id"
            " WHERE l.sentence_id = ? AND c.name = ?",
            (sentence_id, coder),
        ).fetchone()
        return state, at

    def _state(self, ledger: Ledger, sentence_id: int, owner_id: int) -> dict[str, Any] | None:
        where, params = ledger.where(sentence_id, owner_id)
        row = self.conn.execute(
            f"SELECT {', '.join(ledger.fields)} FROM {ledger.table} WHERE {where}", params
        ).fetchone()
        return None if row is None else ledger.decode(row)

    def _append(
        self,
        ledger: Ledger,
        sentence_id: int,
        owner_id: int,
        action: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        codebook_id: int | None,
        stamp: str,
        ref_event: int | None = None,
    ) -> int:
        cursor = self.conn.execute(
            f"INSERT INTO {ledger.events} (sentence_id, {ledger.owner}, action, ref_event,"
            " before, after, codebook_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                sentence_id,
                owner_id,
                action,
                ref_event,
                None if before is None else canonical_json(before),
                None if after is None else canonical_json(after),
                codebook_id,
                stamp,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def labels_of(self, coder: str, article_id: int) -> dict[int, dict[str, Any]]:
        """{sentence id: label state} for one coder in one article.

        Only ever one coder's labels: the labeling screens are blind.
        """
        return {
            sid: {"status": status, "data": json.loads(data), "note": note}
            for sid, status, data, note in self.conn.execute(
                "SELECT l.sentence_id, l.status, l.data, l.note FROM labels l"
                " JOIN coders c ON c.id = l.coder_id JOIN sentences s ON s.id = l.sentence_id"
                " WHERE c.name = ? AND s.article_id = ?",
                (coder, article_id),
            )
        }

    def _history(self, ledger: Ledger, owner_id: int) -> tuple[list[int], list[int]]:
        """The owner's undo and redo stacks, replayed from the event log.

        Replaying (rather than storing the stacks) keeps the log the single
        source of truth, so undo works the same after a restart or a crash.
        Only changes the owner made in this database's screens are undoable:
        an event copied by `merge`, or written by `import-labels`, a merge
        conflict or a speaker merge, is not, and it also takes the owner's
        earlier changes to that sentence off both stacks (undoing them would
        overwrite a state the owner never saw).
        """
        undo: list[int] = []
        redo: list[int] = []
        sentence_of: dict[int, int] = {}
        for event_id, sentence_id, action, ref, origin in self.conn.execute(
            f"SELECT id, sentence_id, action, ref_event, origin FROM {ledger.events}"
            f" WHERE {ledger.owner} = ? ORDER BY id",
            (owner_id,),
        ):
            if origin is not None or action not in ("set", "clear", "undo", "redo"):
                undo = [e for e in undo if sentence_of[e] != sentence_id]
                redo = [e for e in redo if sentence_of[e] != sentence_id]
            elif action in ("set", "clear"):
                sentence_of[event_id] = sentence_id
                undo.append(event_id)
                redo.clear()
            elif action == "undo" and undo and undo[-1] == ref:
                redo.append(undo.pop())
            elif action == "redo" and redo and redo[-1] == ref:
                undo.append(redo.pop())
        return undo, redo

    def undo(self, coder: str) -> int | None:
        """Undo the coder's last change; returns the sentence it touched, or None."""
        return self._step(LABELS, coder, "undo")

    def redo(self, coder: str) -> int | None:
        """Redo the coder's last undone change; returns its sentence, or None."""
        return self._step(LABELS, coder, "redo")

    def _step(self, ledger: Ledger, owner: str, action: str) -> int | None:
        owner_id = self.ensure_coder(owner)
        with self.transaction():
            undo, redo = self._history(ledger, owner_id)
            stack = undo if action == "undo" else redo
            if not stack:
                return None
            ref = stack[-1]
            sentence_id, before, after, codebook_id = self.conn.execute(
                f"SELECT sentence_id, before, after, codebook_id FROM {ledger.events} WHERE id = ?",
                (ref,),
            ).fetchone()
            if ledger is LABELS:
                self._refuse_locked(sentence_id, owner_id)
                if action == "undo":
                    codebook_id = self._version_before(ref, sentence_id, owner_id, codebook_id)
            target = before if action == "undo" else after
            state = None if target is None else json.loads(target)
            current = self._state(ledger, sentence_id, owner_id)
            stamp = now()
            event_id = self._append(
                ledger, sentence_id, owner_id, action, current, state, codebook_id, stamp, ref
            )
            self._write(ledger, sentence_id, owner_id, state, codebook_id, event_id, stamp)
        return sentence_id

    def _write(
        self,
        ledger: Ledger,
        sentence_id: int,
        owner_id: int,
        state: dict[str, Any] | None,
        codebook_id: int | None,
        event_id: int,
        stamp: str,
    ) -> None:
        if state is None:
            where, params = ledger.where(sentence_id, owner_id)
            self.conn.execute(f"DELETE FROM {ledger.table} WHERE {where}", params)
            return
        columns = ("sentence_id", ledger.owner, *ledger.fields, "codebook_id", "event_id")
        key = ", ".join(ledger.key)
        updates = ", ".join(f"{c} = excluded.{c}" for c in (*columns[1:], "updated_at"))
        self.conn.execute(
            f"INSERT INTO {ledger.table} ({', '.join(columns)}, updated_at)"
            f" VALUES ({', '.join('?' * (len(columns) + 1))})"
            f" ON CONFLICT ({key}) DO UPDATE SET {updates}",
            (
                sentence_id,
                owner_id,
                *ledger.encode(state),
                codebook_id,
                event_id,
                stamp,
            ),
        )

    def coder_settings(self, coder: str) -> dict[str, Any]:
        row = self.conn.execute("SELECT settings FROM coders WHERE name = ?", (coder,)).fetchone()
        return {} if row is None else json.loads(row[0])

    def update_coder_settings(self, coder: str, **settings: Any) -> None:
        """Merge settings (e.g. display mode) into the coder's remembered ones."""
        self.ensure_coder(coder)
        with self.transaction():
            merged = {**self.coder_settings(coder), **settings}
            self.conn.execute(
                "UPDATE coders SET settings = ? WHERE name = ?", (canonical_json(merged), coder)
            )

    def label_counts(self) -> dict[str, dict[int, dict[str, int]]]:
        """{coder: {article_id: {status: count}}} over current labels."""
        counts: dict[str, dict[int, dict[str, int]]] = {}
        for coder, article_id, status, n in self.conn.execute(
            "SELECT c.name, s.article_id, l.status, COUNT(*) FROM labels l"
            " JOIN coders c ON c.id = l.coder_id JOIN sentences s ON s.id = l.sentence_id"
            " GROUP BY c.name, s.article_id, l.status"
        ):
            counts.setdefault(coder, {}).setdefault(article_id, {})[status] = n
        for coder in self.coders():
            counts.setdefault(coder, {})
        return counts

    # -- gold ------------------------------------------------------------

    def set_gold(
        self,
        sentence_id: int,
        adjudicator: str,
        *,
        status: str = "labeled",
        data: dict[str, Any] | None = None,
        reason: str = "",
        agreed_with: dict[str, list[str]] | None = None,
        basis: dict[str, int] | None = None,
        codebook_id: int | None = None,
        action: str = "set",
    ) -> int:
        """Record the adjudicated answer for a sentence, committed before returning.

        `agreed_with` names, per field, the coders whose value the answer
        took; `basis` holds the label event id of each coder's label the
        adjudicator saw, so a later change of a coder's label is noticed.
        Returns the gold event id.
        """
        if status not in GOLD_STATUSES:
            raise ValueError(f"gold status must be one of {GOLD_STATUSES}, not {status!r}")
        state = {
            "status": status,
            "data": data or {},
            "reason": reason,
            "agreed_with": agreed_with or {},
            "basis": basis or {},
        }
        with self.transaction():
            return self._record(GOLD, sentence_id, adjudicator, state, codebook_id, action)

    def clear_gold(self, sentence_id: int, adjudicator: str) -> int:
        """Withdraw a sentence's adjudicated answer (logged, so undoable)."""
        with self.transaction():
            return self._record(GOLD, sentence_id, adjudicator, None, None, "clear")

    def gold(self, sentence_id: int) -> dict[str, Any] | None:
        """The adjudicated state of a sentence, with `adjudicator` and `updated_at`."""
        return self.gold_states([sentence_id]).get(sentence_id)

    def gold_states(self, sentence_ids: Sequence[int] | None = None) -> dict[int, dict[str, Any]]:
        """{sentence id: adjudicated state} for these sentences (None = all)."""
        sql = (
            f"SELECT g.sentence_id, {', '.join('g.' + f for f in GOLD.fields)}, c.name,"
            " g.codebook_id, g.updated_at FROM gold g JOIN coders c ON c.id = g.adjudicator_id"
        )
        params: list[Any] = []
        if sentence_ids is not None:
            clause, params = sql_in("g.sentence_id", sentence_ids)
            sql += f" WHERE {clause}"
        result = {}
        for row in self.conn.execute(sql, params):
            n = len(GOLD.fields)
            state = GOLD.decode(row[1 : n + 1])
            state.update(adjudicator=row[n + 1], codebook_id=row[n + 2], updated_at=row[n + 3])
            result[row[0]] = state
        return result

    def undo_gold(self, adjudicator: str) -> int | None:
        """Undo the adjudicator's last gold change; returns its sentence, or None."""
        return self._step(GOLD, adjudicator, "undo")

    def redo_gold(self, adjudicator: str) -> int | None:
        """Redo the adjudicator's last undone gold change; returns its sentence, or None."""
        return self._step(GOLD, adjudicator, "redo")


def _current_sentences(conn: sqlite3.Connection) -> int:
    # Every sentence less those of older versions: SQLite counts a whole
    # table from its index pages alone, while joining each sentence to its
    # article took 8 ms of every start on 100,000 sentences.
    total = conn.execute("SELECT COUNT(*) FROM sentences").fetchone()[0]
    return int(
        total
        - conn.execute(
            "SELECT COUNT(*) FROM sentences s JOIN articles a ON a.id = s.article_id"
            " WHERE a.is_current = 0"
        ).fetchone()[0]
    )


def _last_article(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM articles").fetchone()[0])


def sql_in(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """`column IN (?, ?, ...)` with its parameters, for the optional filters."""
    return f"{column} IN ({','.join('?' * len(values))})", list(values)


def _older(version: str, than: str) -> bool:
    """Whether codebook `version` comes before `than`: dotted integers compare
    as numbers (1.10.0 after 1.9.0); other versions by registration order,
    so any version registered earlier counts as older."""
    dotted = [v.split(".") for v in (version, than)]
    if all(part.isdigit() for parts in dotted for part in parts):
        return tuple(map(int, dotted[0])) < tuple(map(int, dotted[1]))
    return True


def canonical_json(value: Any) -> str:
    """Label data and states as stored: sorted keys, compact, UTF-8 unescaped.

    One spelling per value, so stored states compare as strings (merge
    de-duplicates events that way).
    """
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _entity_key(label: str) -> str:
    """A stable key from a label: its normalized words joined by underscores
    (normalized first, so harakat do not split an Arabic name apart)."""
    words = "".join(c if c.isalnum() else " " for c in match_key(label)).split()
    return "_".join(words)[:60] or "entity"
