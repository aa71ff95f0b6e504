"""Gold: comparison of coders, the review queue, durable gold with undo, gold export."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.conftest import article_id
from workbench import gold
from workbench.export import gold_rows, write_jsonl

SDF_BLAME_TURKEY = {
    "speaker": "sdf",
    "stance": [{"target": "turkey", "polarity": "blame"}],
    "claim_type": "attribution",
    "confidence": "3",
}


def code_disagreements(store, codebook):
    """Seven sentences of hasakah-01, three coders, each case the queue must handle."""
    book = store.register_codebook(codebook)
    s = [x.id for x in store.sentences(article_id(store, "hasakah-01"))[:7]]

    def label(sid, coder, status="labeled", **data):
        store.set_label(sid, coder, status=status, data=data, codebook_id=book)

    # 0: unanimous, although the stance pairs come in another order and the
    #    confidence differs (confidence is not adjudicated).
    two = [{"target": "turkey", "polarity": "blame"}, {"target": "un", "polarity": "demand"}]
    label(s[0], "amal", **{**SDF_BLAME_TURKEY, "stance": two})
    label(s[0], "badr", **{**SDF_BLAME_TURKEY, "stance": two[::-1], "confidence": "1"})
    label(s[0], "chadi", **{**SDF_BLAME_TURKEY, "stance": two})
    # 1: all three skipped it: unanimous, not codable.
    for c in ("amal", "badr", "chadi"):
        label(s[1], c, status="skipped")
    # 2: speaker 2-1 (a majority), the rest agrees.
    label(s[2], "amal", **SDF_BLAME_TURKEY)
    label(s[2], "badr", **SDF_BLAME_TURKEY)
    label(s[2], "chadi", **{**SDF_BLAME_TURKEY, "speaker": "asayish"})
    # 3: three different claim types and stances, one coder left speaker unset.
    label(s[3], "amal", **SDF_BLAME_TURKEY)
    label(s[3], "badr", **{**SDF_BLAME_TURKEY, "claim_type": "denial", "stance": []})
    label(s[3], "chadi", stance=[], claim_type="background")
    # 4: one coder skipped, two labeled alike.
    label(s[4], "amal", **SDF_BLAME_TURKEY)
    label(s[4], "badr", **SDF_BLAME_TURKEY)
    label(s[4], "chadi", status="skipped")
    # 5: only one coder: not a unit.
    label(s[5], "amal", **SDF_BLAME_TURKEY)
    # 6: flagged by one although the values agree: flags go to the adjudicator.
    label(s[6], "amal", **SDF_BLAME_TURKEY)
    label(s[6], "badr", status="flagged", **SDF_BLAME_TURKEY)
    return store, book, s


def by_sentence(units):
    return {u.sentence_id: u for u in units}


def test_unanimity_majority_and_set_comparison(coded, codebook):
    store, _, s = coded
    units = by_sentence(gold.units(store, codebook))
    assert set(units) == {s[0], s[1], s[2], s[3], s[4], s[6]}
    assert units[s[0]].unanimous and units[s[0]].source == "unanimous"
    assert not units[s[0]].row("confidence").agrees  # shown, but not compared
    assert units[s[1]].unanimous
    assert [u for u in (2, 3, 4, 6) if units[s[u]].unanimous] == []
    speaker = units[s[2]].row("speaker")
    assert speaker.majority() == ("sdf", ["amal", "badr"])
    assert speaker.agreement() == pytest.approx(1 / 3)
    assert units[s[3]].row("claim_type").majority() is None
    assert units[s[3]].row("speaker").values == {"amal": "sdf", "badr": "sdf", "chadi": None}
    # The coder who skipped gives no field values; the status row disagrees.
    assert set(units[s[4]].row("speaker").values) == {"amal", "badr"}
    assert not units[s[4]].row(gold.STATUS).agrees


def test_queue_lowest_agreement_first_without_unanimous(coded, codebook):
    store, _, s = coded
    queue = gold.queue(store, codebook)
    assert queue[0].sentence_id == s[3]
    assert {u.sentence_id for u in queue} == {s[2], s[3], s[4], s[6]}
    scores = [u.agreement() for u in queue]
    assert scores == sorted(scores)
    # Sentence 3 by hand: status 1, speaker 1/3, stance 1/3, claim_type 0.
    assert queue[0].agreement() == pytest.approx((1 + 1 / 3 + 1 / 3 + 0) / 4)


def test_gold_is_durable_has_provenance_and_undo(coded, codebook, db_path):
    store, book, s = coded
    unit = by_sentence(gold.units(store, codebook))[s[2]]
    data = {"speaker": "sdf", "stance": SDF_BLAME_TURKEY["stance"], "claim_type": "attribution"}
    store.set_gold(
        s[2],
        "dana",
        data=data,
        reason="the statement is the SDF's",
        agreed_with=gold.agreed_with(unit, data),
        basis=unit.events,
        codebook_id=book,
    )
    # Another connection sees it at once: committed before set_gold returned.
    other = sqlite3.connect(db_path)
    (raw,) = other.execute("SELECT data FROM gold WHERE sentence_id = ?", (s[2],)).fetchone()
    other.close()
    assert json.loads(raw)["speaker"] == "sdf"
    decided = store.gold(s[2])
    assert decided["adjudicator"] == "dana" and decided["reason"] == "the statement is the SDF's"
    assert decided["agreed_with"] == {
        "speaker": ["amal", "badr"],
        "stance": ["amal", "badr", "chadi"],
        "claim_type": ["amal", "badr", "chadi"],
    }
    assert s[2] not in {u.sentence_id for u in gold.queue(store, codebook)}
    assert store.undo_gold("dana") == s[2]
    assert store.gold(s[2]) is None
    assert s[2] in {u.sentence_id for u in gold.queue(store, codebook)}
    assert store.redo_gold("dana") == s[2]
    assert store.gold(s[2])["data"] == data
    # Undo is per adjudicator; coders' label undo is untouched by gold.
    assert store.undo_gold("someone-else") is None
    actions = [r[0] for r in store.conn.execute("SELECT action FROM gold_events ORDER BY id")]
    assert actions == ["set", "undo", "redo"]
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("DELETE FROM gold_events")


def test_a_coder_changing_a_label_after_adjudication_brings_it_back(coded, codebook):
    store, book, s = coded
    unit = by_sentence(gold.units(store, codebook))[s[4]]
    store.set_gold(s[4], "dana", data={"speaker": "sdf"}, basis=unit.events, codebook_id=book)
    assert s[4] not in {u.sentence_id for u in gold.queue(store, codebook)}
    store.set_label(s[4], "chadi", data=SDF_BLAME_TURKEY, codebook_id=book)
    back = by_sentence(gold.queue(store, codebook))[s[4]]
    assert back.changed and back.source == "adjudicated"


def test_clear_gold_is_logged_and_undoable(coded, codebook):
    store, book, s = coded
    store.set_gold(s[3], "dana", status="skipped", codebook_id=book)
    store.clear_gold(s[3], "dana")
    assert store.gold(s[3]) is None
    store.undo_gold("dana")
    assert store.gold(s[3])["status"] == "skipped"
    with pytest.raises(ValueError, match="gold status"):
        store.set_gold(s[3], "dana", status="flagged")


def test_gold_export_sources_and_provenance(coded, codebook, tmp_path):
    store, book, s = coded
    unit = by_sentence(gold.units(store, codebook))[s[3]]
    data = {"speaker": "sdf", "stance": [], "claim_type": "denial"}
    store.set_gold(
        s[3],
        "dana",
        data=data,
        reason="denies the charge",
        agreed_with=gold.agreed_with(unit, data),
        basis=unit.events,
        codebook_id=book,
    )
    path = tmp_path / "gold.jsonl"
    assert write_jsonl(gold_rows(store, codebook), path) == 6
    rows = {r["sentence_index"]: r for r in map(json.loads, path.read_text().splitlines())}
    assert {i: r["source"] for i, r in rows.items()} == {
        0: "unanimous",
        1: "unanimous",
        2: "unresolved",
        3: "adjudicated",
        4: "unresolved",
        6: "unresolved",
    }
    first = rows[0]
    assert first["status"] == "labeled" and first["coders"] == ["amal", "badr", "chadi"]
    assert first["labels"] == {
        "speaker": "sdf",
        "stance": [
            {"target": "turkey", "polarity": "blame"},
            {"target": "un", "polarity": "demand"},
        ],
        "claim_type": "attribution",
    }  # confidence and note are not gold
    assert first["adjudicator"] is None and first["codebook"]["version"] == codebook.version
    assert rows[1]["status"] == "skipped" and rows[1]["labels"] == {}
    assert rows[3]["adjudicator"] == "dana" and rows[3]["reason"] == "denies the charge"
    assert rows[3]["agreed_with"] == {
        "speaker": ["amal", "badr"],
        "stance": ["badr", "chadi"],
        "claim_type": ["badr"],
    }
    # Unresolved: status unknown (2 labeled, 1 skipped), agreed fields only.
    assert rows[4]["status"] is None
    assert rows[4]["labels"] == {k: v for k, v in SDF_BLAME_TURKEY.items() if k != "confidence"}
    assert rows[2]["labels"] == {"stance": SDF_BLAME_TURKEY["stance"], "claim_type": "attribution"}
    single = list(gold_rows(store, codebook, include_single=True, sources=["single"]))
    assert [(r["sentence_index"], r["coders"]) for r in single] == [(5, ["amal"])]
    only = list(gold_rows(store, codebook, sources=["adjudicated"]))
    assert [r["sentence_index"] for r in only] == [3]
    skipped = list(gold_rows(store, codebook, status="skipped"))
    assert [r["sentence_index"] for r in skipped] == [1]


def test_gold_export_loads_in_pandas(coded, codebook, tmp_path):
    pandas = pytest.importorskip("pandas")
    store, _, _ = coded
    path = tmp_path / "gold.jsonl"
    write_jsonl(gold_rows(store, codebook), path)
    frame = pandas.read_json(path, lines=True)
    assert len(frame) == 6 and set(frame["source"]) == {"unanimous", "unresolved"}


def test_cli_gold_export_and_review_without_database(coded, db_path, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = str(Path(sys.executable).parent / "workbench")
    out = subprocess.run(
        [script, "export", "--kind", "gold", "--source", "unanimous", "-o", "-", "--db", str(db_path)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert [json.loads(line)["sentence_index"] for line in out.stdout.splitlines()] == [0, 1]
    missing = subprocess.run(
        [script, "review", "--adjudicator", "dana", "--db", str(tmp_path / "none.db")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert missing.returncode == 1 and "no such database" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_export_reports_progress_every_ten_thousand_rows(tmp_path):
    seen = []
    rows = ({"n": n} for n in range(25_000))
    assert write_jsonl(rows, tmp_path / "x.jsonl", progress=seen.append) == 25_000
    assert seen == [10_000, 20_000]


def test_stats_counts_gold_by_source(coded, codebook):
    from rich.console import Console

    from workbench.stats import gold_counts, render_stats

    store, book, s = coded
    store.set_gold(s[2], "dana", data={"speaker": "sdf"}, basis={}, codebook_id=book)
    counts = gold_counts(store, codebook)
    # s[2]'s basis does not match the coders' label events: it reads as stale.
    assert counts == {"unanimous": 2, "adjudicated": 1, "unresolved": 3, "stale": 1}
    console = Console(record=True, width=100)
    render_stats(store, console, codebook=codebook)
    text = console.export_text()
    assert "gold (sentences labeled by two or more coders)" in text
    assert "settle them with `workbench review" in text
