"""The store: schema, migrations, durability rules, labels, entity registry."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import CODEBOOK, CORPUS, dump
from workbench import migrations
from workbench.codebook import load_codebook
from workbench.corpus import import_paths
from workbench.errors import WorkbenchError
from workbench.store import Store


def test_new_database_is_wal_with_foreign_keys_and_current_schema(db_path):
    with Store(db_path) as s:
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert s.schema_version == migrations.SCHEMA_VERSION >= 1
        tables = set(s.db.table_names())
    assert {"articles", "sentences", "coders", "codebooks", "entities", "labels"} <= tables
    assert "label_events" in tables


def test_migrates_an_older_database_keeping_its_data(db_path, monkeypatch):
    # Build a database at schema 1 with data in it, then open it with a
    # workbench whose schema has one more step: the step runs, data stays.
    with Store(db_path) as s:
        import_paths(s, [CORPUS])
        before = s.conn.execute("SELECT COUNT(*) FROM sentences").fetchone()[0]

    def add_reviewed_column(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE articles ADD COLUMN reviewed INTEGER NOT NULL DEFAULT 0")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, add_reviewed_column])
    monkeypatch.setattr("workbench.store.MIGRATIONS", migrations.MIGRATIONS)
    monkeypatch.setattr("workbench.store.SCHEMA_VERSION", len(migrations.MIGRATIONS))
    with Store(db_path) as s:
        assert s.schema_version == len(migrations.MIGRATIONS)
        assert "reviewed" in s.db["articles"].columns_dict
        assert s.conn.execute("SELECT COUNT(*) FROM sentences").fetchone()[0] == before


def test_every_migration_step_applies_in_order_from_empty(db_path):
    conn = sqlite3.connect(db_path, isolation_level=None)
    for version, step in enumerate(migrations.MIGRATIONS, start=1):
        conn.execute("BEGIN")
        step(conn)
        conn.execute(f"PRAGMA user_version={version}")
        conn.execute("COMMIT")
    conn.close()
    with Store(db_path) as s:  # nothing left to migrate; opens cleanly
        assert s.schema_version == migrations.SCHEMA_VERSION


def test_failed_migration_leaves_database_untouched(db_path, monkeypatch):
    with Store(db_path) as s:
        import_paths(s, [CORPUS])

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE articles ADD COLUMN half_done INTEGER")
        raise RuntimeError("boom")

    monkeypatch.setattr("workbench.store.MIGRATIONS", [*migrations.MIGRATIONS, broken])
    monkeypatch.setattr("workbench.store.SCHEMA_VERSION", migrations.SCHEMA_VERSION + 1)
    with pytest.raises(RuntimeError):
        Store(db_path)
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION
    columns = [r[1] for r in conn.execute("PRAGMA table_info(articles)")]
    assert "half_done" not in columns


def test_newer_schema_is_refused_with_a_clear_error(db_path):
    Store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version={migrations.SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    with pytest.raises(WorkbenchError, match="newer than this workbench"):
        Store(db_path)


def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 200)
    with pytest.raises(WorkbenchError, match="cannot open"):
        Store(path)


def test_set_label_commits_and_logs_every_change(store):
    sentence = store.sentences(store.articles()[0].id)[0]
    first = store.set_label(sentence.id, "amina", data={"claim_type": "denial"})
    second = store.set_label(
        sentence.id, "amina", status="flagged", data={"claim_type": "call_to_action"}, note="?"
    )
    assert second > first
    # A second connection sees it: it is committed, not pending.
    with Store(store.path) as other:
        label = other.label(sentence.id, "amina")
        assert label == {"status": "flagged", "data": {"claim_type": "call_to_action"}, "note": "?"}
        events = other.conn.execute(
            "SELECT action, before, after FROM label_events ORDER BY id"
        ).fetchall()
    assert [e[0] for e in events] == ["set", "set"]
    assert events[0][1] is None and '"denial"' in events[0][2]
    assert '"denial"' in events[1][1] and '"call_to_action"' in events[1][2]


def test_label_event_log_is_append_only(store):
    sentence = store.sentences(store.articles()[0].id)[0]
    store.set_label(sentence.id, "amina", data={})
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("DELETE FROM label_events")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("UPDATE label_events SET action = 'x'")


def test_label_status_is_checked(store):
    sentence = store.sentences(store.articles()[0].id)[0]
    with pytest.raises(ValueError, match="status"):
        store.set_label(sentence.id, "amina", status="done")


def test_failed_transaction_rolls_back_everything(store):
    count = store.conn.execute("SELECT COUNT(*) FROM coders").fetchone()[0]
    with pytest.raises(RuntimeError), store.transaction():
        store.db["coders"].insert({"name": "ghost", "created_at": "now"})
        raise RuntimeError("crash mid-transaction")
    assert store.conn.execute("SELECT COUNT(*) FROM coders").fetchone()[0] == count


def test_entities_match_on_normalized_arabic(store):
    key = store.add_entity("speaker", "Ali Hajjo", label_ar="علي حجو", coder="amina")
    assert store.find_entity("speaker", "عَلي حجّو") == key
    # Adding the same person under a diacritized spelling adds nothing.
    assert store.add_entity("speaker", "عَلي حجّو") == key
    assert sum(e["key"] == key for e in store.entities("speaker")) == 1
    assert store.find_entity("speaker", "nobody at all") is None


def test_entity_keys_stay_unique(store):
    a = store.add_entity("speaker", "Security source")
    b = store.add_entity("speaker", "Security  source!", aliases=["مصدر آخر"])
    assert a != b and b.startswith(a)


def test_registering_the_codebook_seeds_the_speaker_registry(store):
    book = load_codebook(CODEBOOK)
    first = store.register_codebook(book)
    assert store.register_codebook(book) == first  # idempotent
    assert store.codebook_versions() == [(first, book.name, book.version)]
    seeds = book.field("speaker").values
    assert [e["key"] for e in store.entities("speaker")] == [v.id for v in seeds]
    # People are found through the aliases of the entity they speak for.
    assert store.find_entity("speaker", "عَلي حجّو") == "autonomous_administration"
    assert store.find_entity("speaker", "قسد") == "sdf"


def test_changed_codebook_under_the_same_version_is_refused(store, tmp_path):
    store.register_codebook(load_codebook(CODEBOOK))
    edited = tmp_path / "hasakah.toml"
    edited.write_text(
        CODEBOOK.read_text(encoding="utf-8").replace("الإدارة الذاتية", "الادارة", 1), "utf-8"
    )
    with pytest.raises(WorkbenchError, match="new version"):
        store.register_codebook(load_codebook(edited))


def test_undo_and_redo_replay_the_event_log_across_restarts(store, db_path):
    a, b = store.sentences(store.articles()[0].id)[:2]
    store.set_label(a.id, "amina", data={"claim_type": "denial"})
    store.set_label(b.id, "amina", data={"claim_type": "background"})
    store.set_label(b.id, "amina", status="flagged", data={}, note="ask")
    store.set_label(a.id, "omar", data={"claim_type": "attribution"})  # another coder
    assert store.undo("amina") == b.id
    assert store.label(b.id, "amina")["data"] == {"claim_type": "background"}
    assert store.undo("amina") == b.id
    assert store.label(b.id, "amina") is None
    with Store(db_path) as reopened:  # a restart in between
        assert reopened.redo("amina") == b.id
        assert reopened.label(b.id, "amina")["data"] == {"claim_type": "background"}
        assert reopened.undo("amina") == b.id
        assert reopened.undo("amina") == a.id
        assert reopened.label(a.id, "amina") is None
        assert reopened.undo("amina") is None  # nothing left
        # Omar's label is not in Amina's history.
        assert reopened.label(a.id, "omar")["data"] == {"claim_type": "attribution"}
        # A new change after undoing drops the redo history.
        reopened.set_label(a.id, "amina", data={"claim_type": "call_to_action"})
        assert reopened.redo("amina") is None
        assert reopened.undo("amina") == a.id and reopened.label(a.id, "amina") is None
        actions = [r[0] for r in reopened.conn.execute("SELECT action FROM label_events")]
    assert actions.count("undo") == 5 and actions.count("redo") == 1


def test_coder_settings_are_remembered(store, db_path):
    store.update_coder_settings("amina", display="app")
    store.update_coder_settings("amina", theme="dark")
    with Store(db_path) as reopened:
        assert reopened.coder_settings("amina") == {"display": "app", "theme": "dark"}
        assert reopened.coder_settings("nobody") == {}


def test_labels_of_returns_only_that_coders_labels(store):
    article = store.articles()[0]
    a, b = store.sentences(article.id)[:2]
    store.set_label(a.id, "amina", data={"claim_type": "denial"})
    store.set_label(b.id, "omar", data={"claim_type": "denial"})
    assert set(store.labels_of("amina", article.id)) == {a.id}


def test_a_real_schema_1_database_migrates_with_its_labels_and_undo_history(tmp_path):
    # v1.db was written by the schema-1 workbench (tests/fixtures/schema/README.md).
    import shutil
    from pathlib import Path

    path = tmp_path / "v1.db"
    shutil.copy(Path(__file__).parent / "fixtures" / "schema" / "v1.db", path)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    labels_before = raw.execute(
        "SELECT sentence_id, coder_id, status, data, note, event_id FROM labels ORDER BY 1, 2"
    ).fetchall()
    events_before = raw.execute("SELECT * FROM label_events ORDER BY id").fetchall()
    raw.close()
    with Store(path) as s:
        assert s.schema_version == migrations.SCHEMA_VERSION
        assert {"gold", "gold_events", "assignments", "assignment_runs"} <= set(s.db.table_names())
        assert (
            s.conn.execute(
                "SELECT sentence_id, coder_id, status, data, note, event_id FROM labels ORDER BY 1, 2"
            ).fetchall()
            == labels_before
        )
        events_after = s.conn.execute("SELECT * FROM label_events ORDER BY id").fetchall()
        # Schema 3 adds `origin` (NULL: made in this database) at the end.
        assert [e[:-1] for e in events_after] == events_before
        assert {e[-1] for e in events_after} == {None}
        # badr's undone skip is still redoable after the migration.
        first = labels_before[0][0]
        assert s.label(first, "badr")["status"] == "labeled"
        assert s.redo("badr") == first
        assert s.label(first, "badr")["status"] == "skipped"
        triggers = {
            r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
        assert {"gold_events_no_update", "gold_events_no_delete"} <= triggers


V2_TABLES = {  # table -> its columns in schema 2 (schema 3 adds some at the end)
    "labels": "sentence_id, coder_id, status, data, note, codebook_id, event_id, updated_at",
    "label_events": "id, sentence_id, coder_id, action, ref_event, before, after, codebook_id,"
    " created_at",
    "gold": "*",
    "gold_events": "id, sentence_id, adjudicator_id, action, ref_event, before, after,"
    " codebook_id, created_at",
    "assignments": "*",
    "assignment_runs": "*",
    "entities": "id, field, key, label, label_ar, codebook_id, created_by, created_at",
    "entity_aliases": "*",
    "coders": "*",
    "codebooks": "*",
}


def _v2_copy(tmp_path):
    import shutil
    from pathlib import Path

    path = tmp_path / "v2.db"
    shutil.copy(Path(__file__).parent / "fixtures" / "schema" / "v2.db", path)
    return path


def _v2_rows(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    return {
        t: conn.execute(f"SELECT {cols} FROM {t} ORDER BY 1, 2").fetchall()
        for t, cols in V2_TABLES.items()
    }


def test_a_real_schema_2_database_migrates_keeping_labels_gold_and_undo(tmp_path):
    # v2.db was written by the schema-2 workbench (tests/fixtures/schema/README.md).
    path = _v2_copy(tmp_path)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 2
    before = _v2_rows(raw)
    raw.close()
    assert before["gold"] and before["gold_events"] and before["assignments"]
    assert any(e[6] is not None for e in before["entities"])  # a speaker added by a coder
    with Store(path) as s:
        assert s.schema_version == migrations.SCHEMA_VERSION == 5
        assert _v2_rows(s.conn) == before
        for events in ("label_events", "gold_events"):
            origins = s.conn.execute(f"SELECT DISTINCT origin FROM {events}").fetchall()
            assert origins == [(None,)]  # made in that database: undoable
        (merged,) = {r for r in s.conn.execute("SELECT DISTINCT merged_into FROM entities")}
        assert merged == (None,)
        # badr's undone skip of sentence 5 is still redoable, then undoable again.
        fifth = s.conn.execute(
            "SELECT sentence_id FROM label_events e JOIN coders c ON c.id = e.coder_id"
            " WHERE c.name = 'badr' AND action = 'undo'"
        ).fetchone()[0]
        assert s.label(fifth, "badr") is None
        assert s.redo("badr") == fifth and s.label(fifth, "badr")["status"] == "skipped"
        assert s.undo("badr") == fifth and s.label(fifth, "badr") is None
        # amal's last change (her flag of sentence 4) undoes as before.
        flagged = next(r[0] for r in before["labels"] if r[2] == "flagged")
        assert s.undo("amal") == flagged and s.label(flagged, "amal") is None
        assert s.undo_gold("dana") is not None and s.redo_gold("dana") is not None
        # The new status can be written, and is checked by the rebuilt table.
        s.set_label(fifth, "badr", status="draft", data={"claim_type": "denial"})
        assert s.label(fifth, "badr")["status"] == "draft"
        with pytest.raises(sqlite3.IntegrityError):
            s.conn.execute("UPDATE labels SET status = 'done'")
        indexes = {r[1] for r in s.conn.execute("PRAGMA index_list(labels)")}
        assert "labels_by_coder" in indexes


def test_a_failing_migration_leaves_the_schema_2_database_unchanged(tmp_path, monkeypatch):
    path = _v2_copy(tmp_path)
    before = dump(path)

    def broken(conn: sqlite3.Connection) -> None:
        raise RuntimeError("boom")  # after the schema-3 step has rebuilt labels

    monkeypatch.setattr("workbench.store.MIGRATIONS", [*migrations.MIGRATIONS, broken])
    monkeypatch.setattr("workbench.store.SCHEMA_VERSION", migrations.SCHEMA_VERSION + 1)
    with pytest.raises(RuntimeError, match="boom"):
        Store(path)
    assert dump(path) == before
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 2
    raw.close()
