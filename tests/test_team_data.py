"""Team data (issue 12): snapshots safe while a session runs, the workbench's
mark on its databases, merge of any file name."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import CORPUS
from workbench import migrations
from workbench.corpus import import_paths
from workbench.errors import WorkbenchError
from workbench.merge import merge
from workbench.snapshot import snapshot
from workbench.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "schema"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def labeled(path: Path, coder: str = "amina", n: int = 5) -> Store:
    store = Store(path)
    import_paths(store, [CORPUS])
    article = store.articles()[0]
    for s in store.sentences(article.id)[:n]:
        store.set_label(s.id, coder, data={"claim_type": "denial"})
    return store


# -- snapshot --------------------------------------------------------------------


def test_a_snapshot_taken_while_the_session_is_open_has_every_committed_label(tmp_path):
    live = labeled(tmp_path / "amina.db", n=7)  # open, its newest commits in the WAL
    try:
        assert (tmp_path / "amina.db-wal").stat().st_size > 0
        # What the README used to say: a plain copy of the file misses them.
        shutil.copy(tmp_path / "amina.db", tmp_path / "cp.db")
        result = snapshot(live, tmp_path / "snap.db")
    finally:
        live.close()
    assert result.labels == 7
    with sqlite3.connect(tmp_path / "snap.db") as copy:
        assert copy.execute("SELECT count(*) FROM labels").fetchone()[0] == 7
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not (tmp_path / "snap.db-wal").exists()


def test_a_snapshot_never_replaces_a_file_without_force_nor_a_non_regular_one(tmp_path):
    with labeled(tmp_path / "a.db") as store:
        (tmp_path / "there.db").write_text("keep me")
        with pytest.raises(WorkbenchError, match="exists; pass --force"):
            snapshot(store, tmp_path / "there.db")
        assert (tmp_path / "there.db").read_text() == "keep me"
        snapshot(store, tmp_path / "there.db", force=True)
        assert Path(tmp_path / "there.db").read_bytes()[:15] == b"SQLite format 3"
        (tmp_path / "link.db").symlink_to(tmp_path / "there.db")
        with pytest.raises(WorkbenchError, match="not a regular file"):
            snapshot(store, tmp_path / "link.db", force=True)
        with pytest.raises(WorkbenchError, match="cannot replace the database"):
            snapshot(store, tmp_path / "a.db", force=True)
        with pytest.raises(WorkbenchError, match="no such folder"):
            snapshot(store, tmp_path / "nowhere" / "x.db")
    assert not list(tmp_path.glob("*.part"))


def test_closing_a_session_checkpoints_its_wal(tmp_path):
    store = labeled(tmp_path / "a.db")
    other = sqlite3.connect(tmp_path / "a.db")  # another session keeps the WAL alive
    other.execute("SELECT count(*) FROM labels").fetchone()
    store.close()
    shutil.copy(tmp_path / "a.db", tmp_path / "cp.db")  # the file alone
    other.close()
    with sqlite3.connect(tmp_path / "cp.db") as copy:
        assert copy.execute("SELECT count(*) FROM labels").fetchone()[0] == 5


# -- application_id ------------------------------------------------------------


def test_a_new_database_carries_the_workbench_mark(tmp_path):
    Store(tmp_path / "new.db").close()
    with sqlite3.connect(tmp_path / "new.db") as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID


def test_another_applications_sqlite_file_is_refused_unchanged(tmp_path):
    path = tmp_path / "photos.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO photos (name) VALUES ('a.jpg')")
    before = sha256(path)
    with pytest.raises(WorkbenchError, match="not a workbench database"):
        Store(path)
    with pytest.raises(WorkbenchError, match="not a workbench database"):
        Store(path, create=False)
    assert sha256(path) == before
    assert not (tmp_path / "photos.db-wal").exists()


def test_a_schema_3_database_is_marked_by_its_migration(tmp_path):
    path = tmp_path / "v3.db"
    shutil.copy(FIXTURES / "v3.db", path)
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 3
        assert raw.execute("PRAGMA application_id").fetchone()[0] == 0
        labels = raw.execute("SELECT * FROM labels ORDER BY 1, 2").fetchall()
    with Store(path) as s:
        assert s.schema_version == migrations.SCHEMA_VERSION
        assert s.conn.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID
        assert s.conn.execute("SELECT * FROM labels ORDER BY 1, 2").fetchall() == labels


@pytest.mark.parametrize("fixture", ["v1.db", "v2.db"])
def test_older_databases_are_marked_too(tmp_path, fixture):
    path = tmp_path / fixture
    shutil.copy(FIXTURES / fixture, path)
    with Store(path) as s:
        assert s.conn.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID


# -- merge takes any file name --------------------------------------------------------


@pytest.mark.parametrize("name", ["amina#2.db", "amina?mode=rw.db", "a b%20c.db"])
def test_merge_takes_any_file_name(tmp_path, name):
    labeled(tmp_path / name, "amina").close()
    decoy = tmp_path / "amina"  # what the name read as a URI would have opened
    with Store(tmp_path / "project.db") as project:
        import_paths(project, [CORPUS])
        report = merge(project, tmp_path / name)
        assert project.conn.execute("SELECT count(*) FROM labels").fetchone()[0] == 5
    assert report.summary()
    assert not decoy.exists()


# -- with a live `workbench label` (the real console script in tmux) ------------------


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_snapshot_and_merge_of_a_database_open_in_a_live_session(tmp_path):
    """A coder labels in `workbench label` (still running); the lead snapshots
    and merges that database meanwhile: every committed label is there."""
    import re

    from tests.tmux import Tmux, import_corpus, run_workbench, shell_command

    amina = import_corpus(tmp_path / "amina.db")
    project = import_corpus(tmp_path / "project.db")
    line = shell_command("label", "--coder", "amina", "--display", "terminal", "--db", amina)
    with Tmux(line) as session:
        session.wait_for("Open")
        session.keys("Enter")  # the first article
        session.wait_for(lambda shown: re.search(r"sentence 1/\d+", shown) is not None)
        keys: list[str] = []
        for _ in range(6):
            keys += ["Space", *"outlet", "Enter", "8", "Enter"]
        session.keys(*keys, interval=0.04)
        session.wait_for(lambda shown: re.search(r"sentence 7/\d+", shown) is not None)
        with sqlite3.connect(amina) as raw:
            committed = raw.execute(
                "SELECT count(*) FROM labels WHERE status = 'labeled'"
            ).fetchone()[0]
        assert committed == 6
        run_workbench("snapshot", tmp_path / "snap.db", "--db", amina)
        run_workbench("merge", amina, "--db", project)
        assert not session.dead()  # the session ran throughout
        session.keys("q")
    for db in (tmp_path / "snap.db", project):
        with sqlite3.connect(db) as conn:
            assert (
                conn.execute("SELECT count(*) FROM labels WHERE status = 'labeled'").fetchone()[0]
                == 6
            ), db


# -- the default codebook ships with the package ------------------------------


def test_the_packaged_codebook_is_the_bundled_one():
    from workbench.codebook import DEFAULT_CODEBOOK, PACKAGED_CODEBOOK

    root = Path(__file__).resolve().parent.parent
    assert PACKAGED_CODEBOOK.read_bytes() == (root / DEFAULT_CODEBOOK).read_bytes()


def test_a_new_database_finds_the_default_codebook_from_any_folder(tmp_path, monkeypatch):
    from workbench.codebook import resolve_codebook

    monkeypatch.chdir(tmp_path)  # no labels/ folder here
    with Store(tmp_path / "new.db") as store:
        book = resolve_codebook(None, store)
    assert book.name == "hasakah-stance"


# -- exports: files written safely --------------------------------------------------


def rows(n: int = 3):
    return iter([{"n": i} for i in range(n)])


def test_an_export_never_replaces_a_fifo_a_device_or_a_symlink(tmp_path):
    import os
    import stat

    from workbench.export import write_jsonl

    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    real = tmp_path / "real.jsonl"
    real.write_text("keep\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    for target in (fifo, link, Path("/dev/null")):
        with pytest.raises(WorkbenchError, match="not a regular file"):
            write_jsonl(rows(), target, force=True)
    assert stat.S_ISFIFO(fifo.stat().st_mode) and link.is_symlink()
    assert real.read_text() == "keep\n"
    assert Path("/dev/null").is_char_device()


def test_an_export_gets_the_mode_the_umask_gives(tmp_path):
    import os

    from workbench.export import write_jsonl

    old = os.umask(0o022)
    try:
        write_jsonl(rows(), tmp_path / "a.jsonl")
        os.umask(0o027)
        write_jsonl(rows(), tmp_path / "b.jsonl")
    finally:
        os.umask(old)
    assert (tmp_path / "a.jsonl").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "b.jsonl").stat().st_mode & 0o777 == 0o640


def test_default_export_names_never_collide(tmp_path, monkeypatch):
    from workbench import export

    class Frozen:
        @staticmethod
        def now():
            import datetime as dt

            return dt.datetime(2026, 12, 1, 9, 30, 0)

    monkeypatch.setattr(export, "datetime", Frozen)
    first = export.default_path("labels", tmp_path)
    export.write_jsonl(rows(), first)
    second = export.default_path("labels", tmp_path)
    assert first.name == "labels-20261201-093000.jsonl"
    assert second.name == "labels-20261201-093000-2.jsonl"


def test_a_killed_exports_part_file_is_cleaned_and_a_running_one_respected(tmp_path):
    import fcntl
    import os

    from workbench.export import write_jsonl

    target = tmp_path / "out.jsonl"
    stale = tmp_path / ".out.jsonl.dead1234.part"
    stale.write_text('{"half": ')
    write_jsonl(rows(), target)
    assert not stale.exists() and target.read_text().count("\n") == 3
    running = tmp_path / ".out.jsonl.live5678.part"
    running.write_text("")
    fd = os.open(running, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a writer still at work
    try:
        with pytest.raises(WorkbenchError, match="another export to this file is running"):
            write_jsonl(rows(), target, force=True)
        assert running.exists()
    finally:
        os.close(fd)
    assert target.read_text().count("\n") == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.jsonl.live5678.part", "out.jsonl"]


def test_non_regular_files_in_an_imported_folder_are_skipped_and_counted(tmp_path):
    import os

    from workbench.corpus import import_paths as import_corpus_paths

    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    os.mkfifo(folder / "x.txt")  # reading it would wait forever for a writer
    with Store(tmp_path / "a.db") as store:
        report = import_corpus_paths(store, [folder])
    assert len(report.added) == 5
    assert "skipped 1 entr(ies) that are not regular files" in report.summary()
    assert "ignored" not in report.summary()
    with Store(tmp_path / "b.db") as store, pytest.raises(WorkbenchError, match="not a regular"):
        import_corpus_paths(store, [folder / "x.txt"])


# -- import-labels: strict, all or nothing, every export importable --------------


def _label_line(store, **changes):
    from workbench.export import label_rows

    return json_line(next(iter(label_rows(store))) | changes)


def json_line(row) -> str:
    import json

    return json.dumps(row)  # \udc00 stays an escape, as another tool would write it


def test_an_export_of_hostile_text_imports_back(tmp_path, codebook):
    from workbench.export import import_labels, label_rows, write_jsonl

    hostile = tmp_path / "hostile.txt"
    hostile.write_text("قال\u2028المرصد\u0085إن [bold]الوضع[/bold] هادئ.\n", "utf-8")
    with Store(tmp_path / "a.db") as a:
        import_paths(a, [hostile])
        sentence = a.sentences(a.articles()[0].id)[0]
        a.register_codebook(codebook)
        a.set_label(sentence.id, "amina", status="skipped", note="سبب\u2028ثان")
        write_jsonl(label_rows(a), tmp_path / "labels.jsonl")
    exported = (tmp_path / "labels.jsonl").read_text("utf-8")
    # Another tool may write U+2028 raw, as JSON allows; our export escapes it.
    raw = tmp_path / "raw.jsonl"
    raw.write_text(exported.replace("\\u2028", "\u2028"), "utf-8")
    assert "\u2028" in raw.read_text("utf-8")
    with Store(tmp_path / "b.db") as b:
        import_paths(b, [hostile])
        assert import_labels(b, raw, codebook) == 1
        assert b.label(b.sentences(b.articles()[0].id)[0].id, "amina")["note"] == "سبب\u2028ثان"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sentence_index": [0]}, "'sentence_index' must be a whole number"),
        ({"start": {"a": 1}}, "'start' must be a whole number"),
        ({"end": 10**30}, "'end' must be a whole number"),
        ({"coder": ["amina"]}, "'coder' must be a string, not a list"),
        ({"note": {"x": 1}}, "'note' must be a string, not an object"),
        ({"note": "\udc00"}, "lone surrogate"),
        ({"codebook": "hasakah"}, "'codebook' must be an object"),
    ],
)
def test_a_label_line_of_the_wrong_types_is_a_located_error(tmp_path, codebook, change, message):
    from workbench.errors import InputErrors
    from workbench.export import import_labels

    with labeled(tmp_path / "a.db", n=1) as a:
        a.register_codebook(codebook)
        line = _label_line(a, **change)
    path = tmp_path / "in.jsonl"
    path.write_text(line + "\n", "utf-8")
    with Store(tmp_path / "b.db") as b:
        import_paths(b, [CORPUS])
        before = b.conn.execute("SELECT count(*) FROM codebooks").fetchone()[0]
        with pytest.raises(InputErrors) as raised:
            import_labels(b, path, codebook)
        (error,) = raised.value.errors
        assert message in str(error) and "in.jsonl:1" in str(error)
        # Nothing written, not even the codebook given.
        assert b.conn.execute("SELECT count(*) FROM codebooks").fetchone()[0] == before
        assert b.conn.execute("SELECT count(*) FROM labels").fetchone()[0] == 0


def _exported_lines(store) -> list[dict]:
    from workbench.export import label_rows

    return list(label_rows(store))


@pytest.fixture
def two_sides(tmp_path, codebook):
    """A project with amina's label on sentence 1, and a file with a different one."""
    store = Store(tmp_path / "p.db")
    import_paths(store, [CORPUS])
    book = store.register_codebook(codebook)
    first = store.sentences(store.articles()[0].id)[0]
    data = {"claim_type": "denial", "stance": [], "speaker": "sdf"}
    store.set_label(first.id, "amina", data=data, codebook_id=book)
    (line,) = _exported_lines(store)
    yield store, line
    store.close()


def write_lines(path, *rows) -> Path:
    path.write_text("".join(json_line(r) + "\n" for r in rows), "utf-8")
    return path


@pytest.mark.parametrize("prefer", [None, "ours", "theirs", "newer"])
def test_a_different_stored_label_is_a_conflict_settled_by_prefer(
    two_sides, tmp_path, codebook, prefer
):
    from workbench.errors import InputErrors
    from workbench.export import import_labels

    store, line = two_sides
    theirs = dict(line, labels={**line["labels"], "claim_type": "background"})
    theirs["updated_at"] = "2099-01-01T00:00:00.000Z"  # newer than ours
    path = write_lines(tmp_path / "in.jsonl", theirs)
    sid = store.sentences(store.articles()[0].id)[0].id
    if prefer is None:
        with pytest.raises(InputErrors) as raised:
            import_labels(store, path, codebook)
        (error,) = raised.value.errors
        assert "already has a different label" in str(error) and "in.jsonl:1" in str(error)
        assert store.label(sid, "amina")["data"]["claim_type"] == "denial"
        return
    import_labels(store, path, codebook, prefer)
    expected = "denial" if prefer == "ours" else "background"
    assert store.label(sid, "amina")["data"]["claim_type"] == expected


def test_an_older_line_loses_under_newer(two_sides, tmp_path, codebook):
    from workbench.export import import_labels

    store, line = two_sides
    old = dict(line, labels={**line["labels"], "claim_type": "background"})
    old["updated_at"] = "2000-01-01T00:00:00.000Z"
    import_labels(store, write_lines(tmp_path / "in.jsonl", old), codebook, "newer")
    sid = store.sentences(store.articles()[0].id)[0].id
    assert store.label(sid, "amina")["data"]["claim_type"] == "denial"


def test_conflicting_lines_within_one_file(two_sides, tmp_path, codebook):
    from workbench.errors import InputErrors
    from workbench.export import import_labels

    store, line = two_sides
    a = dict(line, coder="omar", updated_at="2026-01-01T00:00:00.000Z")
    b = dict(a, labels={**line["labels"], "claim_type": "background"})
    b["updated_at"] = "2026-02-01T00:00:00.000Z"
    path = write_lines(tmp_path / "in.jsonl", b, a)
    with pytest.raises(InputErrors) as raised:
        import_labels(store, path, codebook)
    assert "lines 1, 2 give coder 'omar' different labels" in str(raised.value.errors[0])
    assert store.label(store.sentences(store.articles()[0].id)[0].id, "omar") is None
    import_labels(store, path, codebook, "newer")  # the later updated_at: line 1
    sid = store.sentences(store.articles()[0].id)[0].id
    assert store.label(sid, "omar")["data"]["claim_type"] == "background"


def test_an_export_imported_back_changes_nothing(two_sides, tmp_path, codebook):
    from workbench.export import import_labels

    store, line = two_sides
    events = store.conn.execute("SELECT count(*) FROM label_events").fetchone()[0]
    assert import_labels(store, write_lines(tmp_path / "in.jsonl", line, line), codebook) == 0
    assert store.conn.execute("SELECT count(*) FROM label_events").fetchone()[0] == events
