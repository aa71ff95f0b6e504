"""Merging databases from several machines: coders, speakers, labels, events, conflicts."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import CORPUS, ROOT, article_id, dump
from workbench.corpus import import_paths
from workbench.errors import WorkbenchError
from workbench.merge import MergeConflicts, merge
from workbench.migrations import SCHEMA_VERSION
from workbench.store import Store


def machine(path: Path, codebook) -> Store:
    store = Store(path)
    import_paths(store, [CORPUS])
    store.register_codebook(codebook)
    return store


def sentence(store: Store, n: int, ext: str = "hasakah-02") -> int:
    return store.sentences(article_id(store, ext))[n].id


@pytest.fixture
def two(tmp_path, codebook):
    a = machine(tmp_path / "a.db", codebook)
    b = machine(tmp_path / "b.db", codebook)
    yield a, b
    a.close()
    b.close()


def test_distinct_coders_merge_with_their_history_and_a_second_merge_changes_nothing(two):
    a, b = two
    a.set_label(sentence(a, 0), "amina", data={"claim_type": "denial"})
    b.set_label(sentence(b, 0), "omar", data={"claim_type": "background"})
    b.set_label(sentence(b, 1), "omar", data={"claim_type": "attribution"})
    b.undo("omar")  # history with an undo comes over too
    report = merge(a, b.path)
    assert report.coders_added == ["omar"] and report.labels_added == 1
    assert report.events_added == 3
    assert a.label(sentence(a, 0), "omar")["data"] == {"claim_type": "background"}
    assert a.label(sentence(a, 1), "omar") is None
    # Merged history is provenance, not this machine's undo stack: undo and
    # redo never step into changes that arrived by merge (issue 9, item 6).
    assert a.undo("omar") is None and a.redo("omar") is None
    assert a.label(sentence(a, 0), "omar")["data"] == {"claim_type": "background"}
    before = dump(Path(a.path))
    again = merge(a, b.path)
    assert again.labels_added == 0 and again.events_added == 0
    assert dump(Path(a.path)) == before


def test_same_coder_conflict_lists_and_writes_nothing_without_prefer(two):
    a, b = two
    for store, claim in ((a, "denial"), (b, "background")):
        store.set_label(sentence(store, 3), "amina", data={"claim_type": claim})
    b.set_label(sentence(b, 4), "amina", data={"claim_type": "humanitarian"})  # no conflict
    before = dump(Path(a.path))
    with pytest.raises(MergeConflicts) as exc:
        merge(a, b.path)
    (conflict,) = exc.value.conflicts
    assert conflict.sentence == "hasakah-02:3" and conflict.coder == "amina"
    assert "denial" in str(conflict) and "background" in str(conflict)
    assert dump(Path(a.path)) == before


@pytest.mark.parametrize(
    ("prefer", "expected"), [("ours", "denial"), ("theirs", "background"), ("newer", "background")]
)
def test_prefer_settles_conflicts(two, prefer, expected):
    a, b = two
    a.set_label(sentence(a, 3), "amina", data={"claim_type": "denial"})
    time.sleep(0.002)  # timestamps have millisecond resolution
    b.set_label(sentence(b, 3), "amina", data={"claim_type": "background"})  # later: newer
    b.set_label(sentence(b, 4), "amina", data={"claim_type": "humanitarian"})
    report = merge(a, b.path, prefer=prefer)
    assert len(report.conflicts) == 1
    assert a.label(sentence(a, 3), "amina")["data"] == {"claim_type": expected}
    assert a.label(sentence(a, 4), "amina")["data"] == {"claim_type": "humanitarian"}
    merges = a.conn.execute("SELECT COUNT(*) FROM label_events WHERE action = 'merge'").fetchone()[
        0
    ]
    assert merges == (0 if prefer == "ours" else 1)


def test_newer_keeps_ours_when_ours_is_later(two):
    a, b = two
    b.set_label(sentence(b, 3), "amina", data={"claim_type": "background"})
    time.sleep(0.002)
    a.set_label(sentence(a, 3), "amina", data={"claim_type": "denial"})  # later
    merge(a, b.path, prefer="newer")
    assert a.label(sentence(a, 3), "amina")["data"] == {"claim_type": "denial"}


def test_speakers_added_on_both_machines_become_one(two):
    a, b = two
    ours = a.add_entity("speaker", "Hasakah Observatory", aliases=["مرصد الحسكة"], coder="amina")
    theirs = b.add_entity(
        "speaker", "Observatory of Hasakah", aliases=["مرصد الحسكه"], coder="omar"
    )
    lone = b.add_entity("speaker", "عَلي الجديد", coder="omar")
    assert ours != theirs and lone == "علي_الجديد"  # harakat do not split the key
    b.set_label(sentence(b, 2), "omar", data={"speaker": theirs})
    b.set_label(sentence(b, 5), "omar", data={"speaker": lone})
    report = merge(a, b.path)
    assert (theirs, ours) in report.entities_unified and lone in report.entities_added
    assert a.label(sentence(a, 2), "omar")["data"] == {"speaker": ours}  # rewritten
    assert a.find_entity("speaker", "علي الجديد") == lone
    logged = a.conn.execute(
        "SELECT after FROM label_events e JOIN coders c ON c.id = e.coder_id"
        " WHERE c.name = 'omar' AND e.sentence_id = ?",
        (sentence(a, 2),),
    ).fetchone()[0]
    assert f'"speaker":"{ours}"' in logged


def test_a_database_from_another_corpus_is_refused(tmp_path, two):
    a, _ = two
    other = Store(tmp_path / "other.db")
    text = tmp_path / "x.txt"
    text.write_text("مقال آخر تماما.\n", encoding="utf-8")
    import_paths(other, [text])
    other.set_label(other.sentences(other.articles()[0].id)[0].id, "omar", data={})
    other.close()
    before = dump(Path(a.path))
    with pytest.raises(WorkbenchError, match="another corpus: 1 article"):
        merge(a, tmp_path / "other.db")
    assert dump(Path(a.path)) == before


def test_newer_schema_and_non_databases_are_refused(tmp_path, two):
    a, b = two
    b.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(WorkbenchError, match="newer than this workbench"):
        merge(a, b.path)
    junk = tmp_path / "junk.db"
    junk.write_text("not sqlite at all\n" * 100)
    with pytest.raises(WorkbenchError, match="cannot read as a workbench database"):
        merge(a, junk)
    with pytest.raises(WorkbenchError, match="no such database"):
        merge(a, tmp_path / "missing.db")


def test_cli_lists_conflicts_then_fails(two):
    a, b = two
    for store, claim in ((a, "denial"), (b, "background")):
        store.set_label(sentence(store, 3), "amina", data={"claim_type": claim})
    script = str(Path(sys.executable).parent / "workbench")
    out = subprocess.run(
        [script, "merge", b.path, "--db", a.path], capture_output=True, text=True, cwd=ROOT
    )
    lines = out.stderr.strip().splitlines()
    assert out.returncode == 1 and len(lines) == 2
    assert lines[0].startswith("conflict: hasakah-02:3 coder amina: ours labeled")
    assert "--prefer newer|ours|theirs" in lines[1]
    ok = subprocess.run(
        [script, "merge", b.path, "--prefer", "theirs", "--db", a.path],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert ok.returncode == 0 and ok.stdout.startswith("merged: ")


def test_gold_comes_over_with_its_basis_pointing_at_our_copies_of_the_events(two):
    a, b = two
    s = sentence(b, 5)
    b.set_label(s, "amina", data={"claim_type": "denial"})
    b.set_label(s, "omar", data={"claim_type": "background"})
    basis = {
        c: e
        for c, e in b.conn.execute(
            "SELECT c.name, l.event_id FROM labels l JOIN coders c ON c.id = l.coder_id"
        )
    }
    a.set_label(sentence(a, 0), "zaid", data={"claim_type": "denial"})  # shifts event ids
    b.set_gold(s, "dana", data={"claim_type": "denial"}, reason="r", basis=basis)
    report = merge(a, b.path)
    assert report.gold_added == 1 and "dana" in report.coders_added
    ours = a.gold(sentence(a, 5))
    assert ours["data"] == {"claim_type": "denial"} and ours["adjudicator"] == "dana"
    assert ours["basis"] == {
        c: e
        for c, e in a.conn.execute(
            "SELECT c.name, l.event_id FROM labels l JOIN coders c ON c.id = l.coder_id"
            " WHERE l.sentence_id = ?",
            (sentence(a, 5),),
        )
    }
    # The gold history came over as provenance, not as this machine's undo stack.
    copied = "SELECT COUNT(*) FROM gold_events WHERE origin IS NOT NULL"
    assert a.conn.execute(copied).fetchone()[0] == 1
    assert a.undo_gold("dana") is None
    before = dump(Path(a.path))
    assert merge(a, b.path).gold_added == 0
    assert dump(Path(a.path)) == before


@pytest.mark.parametrize("prefer", [None, "ours", "theirs", "newer"])
def test_gold_decided_differently_on_both_sides_is_a_conflict(two, prefer):
    a, b = two
    a.set_gold(sentence(a, 6), "dana", data={"claim_type": "denial"}, reason="ours")
    time.sleep(0.002)
    b.set_gold(sentence(b, 6), "hadi", data={"claim_type": "background"}, reason="theirs")
    a.set_gold(sentence(a, 7), "dana", data={"claim_type": "denial"}, reason="one wording")
    b.set_gold(sentence(b, 7), "hadi", data={"claim_type": "denial"}, reason="another")
    before = dump(Path(a.path))
    if prefer is None:
        with pytest.raises(MergeConflicts) as exc:
            merge(a, b.path)
        (conflict,) = exc.value.conflicts
        assert conflict.kind == "gold" and conflict.sentence == "hasakah-02:6"
        assert "gold (theirs by hadi)" in str(conflict)
        assert dump(Path(a.path)) == before
        return
    report = merge(a, b.path, prefer=prefer)
    assert report.gold_same == 1  # same answer, other words: not a conflict
    expected = "denial" if prefer == "ours" else "background"
    assert a.gold(sentence(a, 6))["data"] == {"claim_type": expected}
    assert a.gold(sentence(a, 7))["reason"] == "one wording"
