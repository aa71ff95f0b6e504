"""The speaker registry: add, list, rename, alias, merge, resolve."""

from __future__ import annotations

import pytest

from tests.conftest import CODEBOOK, article_id, dump
from workbench import gold
from workbench.codebook import load_codebook
from workbench.errors import WorkbenchError
from workbench.registry import (
    add_aliases,
    create_speaker,
    events,
    list_speakers,
    merge_speakers,
    rename,
    resolve,
)
from workbench.speakers import SpeakerIndex
from workbench.store import Store


@pytest.fixture
def seeded(store: Store) -> Store:
    store.register_codebook(load_codebook(CODEBOOK))
    return store


def _entities(store: Store) -> int:
    return store.conn.execute("SELECT COUNT(*) FROM entities").fetchone()[0]


# -- create and resolve -----------------------------------------------------------------


def test_create_speaker_reuses_a_name_the_registry_knows(seeded):
    before = _entities(seeded)
    assert create_speaker(seeded, "speaker", "عَلي حجّو", "amina") == "autonomous_administration"
    assert create_speaker(seeded, "speaker", " قوات  سورية الديمقراطية ", "amina") == "sdf"
    assert _entities(seeded) == before and events(seeded, "speaker") == []


def test_create_speaker_adds_a_new_one_recorded_and_logged(seeded):
    key = create_speaker(seeded, "speaker", "مصدر عسكري", "amina")
    assert key == "مصدر_عسكري"
    listed = {s.key: s for s in list_speakers(seeded, "speaker")}
    assert listed[key].created_by == "amina" and listed[key].label_ar == "مصدر عسكري"
    assert listed["sdf"].created_by is None
    assert [(e["action"], e["key"], e["coder"]) for e in events(seeded, "speaker")] == [
        ("add", key, "amina")
    ]
    # Committing the same name again (another spelling) gives the same key.
    assert create_speaker(seeded, "speaker", "مصدرٌ عسكريّ", "omar") == key
    assert len(events(seeded, "speaker")) == 1
    with pytest.raises(WorkbenchError, match="cannot be empty"):
        create_speaker(seeded, "speaker", "   ", "amina")


def test_resolve_takes_a_key_a_label_or_an_alias(seeded):
    assert resolve(seeded, "speaker", "sdf") == "sdf"
    assert resolve(seeded, "speaker", "قوات سوريا الديمقراطية") == "sdf"
    assert resolve(seeded, "speaker", "syrian democratic FORCES") == "sdf"
    assert resolve(seeded, "speaker", "الأسايش") == "asayish"
    assert resolve(seeded, "speaker", "Global Coalition / CJTF-OIR") == "global_coalition"
    with pytest.raises(WorkbenchError, match="no speaker named 'جون'"):
        resolve(seeded, "speaker", "جون")


# -- list, rename, alias --------------------------------------------------------------


def test_list_counts_every_label_using_a_speaker(seeded):
    sentences = seeded.sentences(article_id(seeded, "hasakah-01"))
    seeded.set_label(sentences[0].id, "amina", data={"speaker": "sdf"})
    seeded.set_label(sentences[1].id, "amina", status="draft", data={"speaker": "sdf"})
    seeded.set_label(sentences[0].id, "omar", data={"speaker": "isis"})
    counts = {s.key: s.labels for s in list_speakers(seeded, "speaker")}
    assert counts["sdf"] == 2 and counts["isis"] == 1 and counts["outlet"] == 0
    sdf = next(s for s in list_speakers(seeded, "speaker") if s.key == "sdf")
    assert "قسد" in sdf.aliases and sdf.label_ar not in sdf.aliases


def test_rename_keeps_the_old_names_as_aliases(seeded):
    rename(seeded, "speaker", "security_source", "Security source", "مصدر أمني مجهول", by="dana")
    info = next(s for s in list_speakers(seeded, "speaker") if s.key == "security_source")
    assert (info.label, info.label_ar) == ("Security source", "مصدر أمني مجهول")
    assert resolve(seeded, "speaker", "مصدر أمني") == "security_source"
    assert resolve(seeded, "speaker", "Unnamed security source") == "security_source"
    (event,) = events(seeded, "speaker")
    assert event["action"] == "rename" and event["coder"] == "dana"
    assert event["detail"]["label"] == ["Unnamed security source", "Security source"]
    with pytest.raises(WorkbenchError, match="'قسد' already names speaker 'sdf'"):
        rename(seeded, "speaker", "isis", "ISIS", "قسد")
    with pytest.raises(WorkbenchError, match="no speaker with key 'nobody'"):
        rename(seeded, "speaker", "nobody", "x")


def test_aliases_belong_to_one_entity(seeded, db_path):
    assert add_aliases(seeded, "speaker", "isis", ["الدولة الإسلامية", "داعش"]) == [
        "الدولة الإسلامية"
    ]
    assert add_aliases(seeded, "speaker", "isis", ["الدولة الاسلامية"]) == []  # its own already
    assert [e["detail"] for e in events(seeded, "speaker")] == [{"added": ["الدولة الإسلامية"]}]
    before = dump(db_path)
    with pytest.raises(WorkbenchError, match=r"'قسد' already names speaker 'sdf' \(SDF"):
        add_aliases(seeded, "speaker", "isis", ["عناصر التنظيم", "قسد"])
    assert dump(db_path) == before  # nothing of it was kept
    assert SpeakerIndex.from_store(seeded, "speaker").search("الدولة الإسلامية")[0].key == "isis"


# -- merge ---------------------------------------------------------------------------


@pytest.fixture
def duplicated(seeded):
    """A coder added "مصدر عسكري" twice over; labels of two coders (one a
    draft) and adjudicated gold use the duplicate."""
    dup = create_speaker(seeded, "speaker", "مصدر عسكري", "amina")
    add_aliases(seeded, "speaker", dup, ["مصدر في الجيش"])
    s = [x.id for x in seeded.sentences(article_id(seeded, "hasakah-02"))[:4]]
    seeded.set_label(s[0], "amina", data={"speaker": dup, "claim_type": "denial"})
    seeded.set_label(s[0], "omar", data={"speaker": dup, "claim_type": "denial"})
    seeded.set_label(s[1], "amina", status="draft", data={"speaker": dup})
    seeded.set_label(s[1], "omar", data={"speaker": "sdf"})
    seeded.set_label(s[2], "omar", data={"speaker": "isis"})
    basis = {
        c: seeded.conn.execute(
            "SELECT l.event_id FROM labels l JOIN coders k ON k.id = l.coder_id"
            " WHERE l.sentence_id = ? AND k.name = ?",
            (s[0], c),
        ).fetchone()[0]
        for c in ("amina", "omar")
    }
    seeded.set_gold(s[0], "dana", data={"speaker": dup}, basis=basis)
    seeded.set_gold(s[2], "dana", data={"speaker": "isis"})
    return seeded, dup, s


def test_merge_repoints_every_label_and_gold_and_logs_each(duplicated, codebook):
    store, dup, s = duplicated
    amina_undo_before = store._history(*_ledger_owner(store, "amina"))[0]
    result = merge_speakers(store, "speaker", dup, "security_source", by="dana")
    assert (result.labels, result.gold) == (3, 1)
    assert store.label(s[0], "amina")["data"] == {
        "speaker": "security_source",
        "claim_type": "denial",
    }
    assert store.label(s[0], "omar")["data"]["speaker"] == "security_source"
    assert store.label(s[1], "amina") == {
        "status": "draft",
        "data": {"speaker": "security_source"},
        "note": "",
    }
    assert store.label(s[1], "omar")["data"]["speaker"] == "sdf"  # untouched
    assert store.gold(s[0])["data"] == {"speaker": "security_source"}
    assert store.gold(s[2])["data"] == {"speaker": "isis"}
    merges = store.conn.execute(
        "SELECT sentence_id, before, after FROM label_events WHERE action = 'speaker-merge'"
    ).fetchall()
    assert len(merges) == 3
    assert all(dup in b and "security_source" in a for _, b, a in merges)
    assert store.conn.execute(
        "SELECT COUNT(*) FROM gold_events WHERE action = 'speaker-merge'"
    ).fetchone() == (1,)
    # The adjudicated sentence is not "changed since" by a merge.
    unit = next(u for u in gold.units(store, codebook) if u.sentence_id == s[0])
    assert not unit.changed
    # Its names moved; it is no longer offered or listed, and still resolves.
    assert resolve(store, "speaker", "مصدر في الجيش") == "security_source"
    assert resolve(store, "speaker", dup) == "security_source"
    assert dup not in [e["key"] for e in store.entities("speaker")]
    assert dup not in [x.key for x in list_speakers(store, "speaker")]
    assert SpeakerIndex.from_store(store, "speaker").search("مصدر عسكري")[0].key == (
        "security_source"
    )
    merge_event = events(store, "speaker")[-1]
    assert merge_event["action"] == "merge" and merge_event["coder"] == "dana"
    assert merge_event["detail"]["into"] == "security_source"
    assert merge_event["detail"]["labels"] == 3 and merge_event["detail"]["gold"] == 1
    assert "مصدر في الجيش" in merge_event["detail"]["aliases"]
    # A coder's ctrl+z never steps into the merge (nor behind it).
    assert amina_undo_before and store._history(*_ledger_owner(store, "amina"))[0] == []
    assert store.undo("amina") is None
    assert store.label(s[0], "amina")["data"]["speaker"] == "security_source"


def _ledger_owner(store: Store, coder: str):
    from workbench.store import LABELS

    return LABELS, store.ensure_coder(coder)


def test_merge_refuses_bad_requests_and_writes_nothing(duplicated, db_path):
    store, dup, _ = duplicated
    before = dump(db_path)
    for args, message in [
        ((dup, dup), "into itself"),
        (("nobody", "sdf"), "no speaker with key 'nobody'"),
        ((dup, "nobody"), "no speaker with key 'nobody'"),
    ]:
        with pytest.raises(WorkbenchError, match=message):
            merge_speakers(store, "speaker", *args)
    assert dump(db_path) == before
    merge_speakers(store, "speaker", dup, "security_source")
    with pytest.raises(WorkbenchError, match="was merged into 'security_source'"):
        merge_speakers(store, "speaker", "isis", dup)
    with pytest.raises(WorkbenchError, match="was merged into"):
        merge_speakers(store, "speaker", dup, "sdf")


def test_a_chain_of_merges_resolves_to_the_last(seeded):
    a = create_speaker(seeded, "speaker", "مصدر عسكري", "amina")
    b = create_speaker(seeded, "speaker", "مصادر عسكرية", "omar")
    merge_speakers(seeded, "speaker", a, b)
    merge_speakers(seeded, "speaker", b, "security_source")
    assert resolve(seeded, "speaker", a) == "security_source"
    assert resolve(seeded, "speaker", "مصدر عسكري") == "security_source"
