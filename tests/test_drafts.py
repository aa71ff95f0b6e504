"""Drafts (saved, not done) in every reader: progress, stats, agreement, gold
and the review queue, assignment progress, export, import-labels and merge.

Done = labeled | skipped | flagged. A draft is as if the coder had not
labeled the sentence, except where drafts are asked for (`--status draft`,
the stats' drafts column) and where they travel (import, merge).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from tests.conftest import CORPUS, article_id, dump
from tests.test_cli import cli
from workbench import gold, report
from workbench.assign import assign, assignment_progress
from workbench.corpus import import_paths
from workbench.errors import InputErrors, WorkbenchError
from workbench.export import gold_rows, import_labels, label_rows, write_jsonl
from workbench.merge import MergeConflicts, merge
from workbench.stats import coder_progress, render_stats
from workbench.store import Store

DONE = {"speaker": "sdf", "stance": [], "claim_type": "denial"}
HALF = {"claim_type": "denial"}  # speaker unset: what a draft holds


def first_sentences(store: Store, n: int, ext: str = "hasakah-01") -> list[int]:
    return [s.id for s in store.sentences(article_id(store, ext))[:n]]


@pytest.fixture
def drafted(store, codebook):
    """hasakah-01: amina and omar agree on sentence 0; on sentence 1 amina is
    done and omar has only a draft (with another answer); on sentence 2
    only drafts, by both."""
    book = store.register_codebook(codebook)
    s = first_sentences(store, 3)
    for coder in ("amina", "omar"):
        store.set_label(s[0], coder, data=DONE, codebook_id=book)
    store.set_label(s[1], "amina", data=DONE, codebook_id=book)
    store.set_label(s[1], "omar", status="draft", data=HALF, codebook_id=book)
    store.set_label(s[2], "amina", status="draft", data=HALF, codebook_id=book)
    store.set_label(s[2], "omar", status="draft", data={}, codebook_id=book)
    return store, s


# -- progress ------------------------------------------------------------------


def test_progress_totals_count_done_labels_only(drafted):
    store, _ = drafted
    assert store.progress_totals("amina")[0] == 2
    assert store.progress_totals("omar")[0] == 1


def test_stats_count_drafts_apart_from_done(drafted):
    store, _ = drafted
    articles, per_article, totals = coder_progress(store)
    first = article_id(store, "hasakah-01")
    assert per_article["omar"][first] == (1, 2)  # (done, drafts)
    omar = next(p for p in totals if p.coder == "omar")
    assert (omar.labeled, omar.drafts, omar.done) == (1, 2, 1)
    console = Console(record=True, width=200)
    render_stats(store, console)
    text = console.export_text()
    n = store.article(first).sentences
    assert f"1/{n} ◐2" in text and f"2/{n} ◐1" in text  # omar's and amina's cells
    omar_row = next(line for line in text.splitlines() if line.startswith("│ omar "))
    assert [c.strip() for c in omar_row.split("│")[1:-1]][:6] == [
        "omar", "1", "0", "0", "◐ 2", f"1/{sum(a.sentences for a in articles)} (1%)",
    ]  # fmt: skip
    assert "◐ drafts: saved, not done" in text


def test_assignment_progress_counts_done_labels_only(store):
    assign(store, ["amina"], per_article=1)
    s = first_sentences(store, 2)
    store.set_label(s[0], "amina", data=DONE)
    store.set_label(s[1], "amina", status="draft", data=HALF)
    assert assignment_progress(store)["amina"].done == 1


# -- agreement, gold, review ---------------------------------------------------------


def test_a_draft_is_no_agreement_unit(drafted, codebook):
    store, s = drafted
    table = report.collect(store, codebook)
    assert table["claim_type"].sentence_ids == [s[0], s[1]]
    assert table["claim_type"].units[1] == ["denial", None]  # omar's draft: missing


def test_a_draft_is_as_if_the_coder_had_not_labeled_for_gold_and_the_queue(drafted, codebook):
    store, s = drafted
    units = list(gold.units(store, codebook))
    assert [u.sentence_id for u in units] == [s[0]]  # only one coder is done on s[1]
    assert gold.queue(store, codebook) == []  # omar's half-done other answer is no disagreement
    single = list(gold.units(store, codebook, min_coders=1))
    assert {u.sentence_id: u.coders for u in single} == {s[0]: ["amina", "omar"], s[1]: ["amina"]}
    lines = list(gold_rows(store, codebook, include_single=True))
    assert [(r["sentence_index"], r["source"], r["coders"]) for r in lines] == [
        (0, "unanimous", ["amina", "omar"]),
        (1, "single", ["amina"]),
    ]


def test_a_third_coders_draft_does_not_break_unanimity(drafted, codebook):
    store, s = drafted
    store.set_label(s[0], "leila", status="draft", data={"claim_type": "background"})
    (unit,) = gold.units(store, codebook)
    assert unit.coders == ["amina", "omar"] and unit.source == "unanimous"


# -- export --------------------------------------------------------------------------


def test_label_export_leaves_drafts_out_unless_asked(drafted):
    store, _ = drafted
    rows = list(label_rows(store))
    assert [(r["sentence_index"], r["coder"]) for r in rows] == [
        (0, "amina"),
        (0, "omar"),
        (1, "amina"),
    ]
    drafts = list(label_rows(store, status="draft"))
    assert [(r["sentence_index"], r["coder"], r["status"]) for r in drafts] == [
        (1, "omar", "draft"), (2, "amina", "draft"), (2, "omar", "draft"),
    ]  # fmt: skip
    assert len(list(label_rows(store, status=["labeled", "draft"]))) == 6
    assert len(list(label_rows(store, status="labeled,draft"))) == 6
    with pytest.raises(
        WorkbenchError, match="'done' is not one of labeled, skipped, flagged, draft"
    ):
        label_rows(store, status="done")  # refused before any line is written
    with pytest.raises(WorkbenchError, match="'flagged' is not one of labeled, skipped"):
        gold_rows(store, None, status="flagged")  # type: ignore[arg-type]


def test_cli_export_status_is_repeatable_and_takes_comma_lists(drafted, db_path):
    def exported(*status: str) -> list[tuple[int, str, str]]:
        out = cli("export", "--kind", "labels", "-o", "-", *status, db=db_path)
        assert out.returncode == 0, out.stderr
        rows = [json.loads(line) for line in out.stdout.splitlines()]
        return [(r["sentence_index"], r["coder"], r["status"]) for r in rows]

    assert {s for _, _, s in exported()} == {"labeled"}
    assert exported("--status", "draft") == [
        (1, "omar", "draft"), (2, "amina", "draft"), (2, "omar", "draft"),
    ]  # fmt: skip
    assert len(exported("--status", "labeled", "--status", "draft")) == 6
    assert exported("--status", "labeled,draft") == exported(
        "--status", "labeled", "--status", "draft"
    )
    bad = cli("export", "--kind", "labels", "-o", "-", "--status", "done", db=db_path)
    assert bad.returncode == 1 and "status 'done' is not one of" in bad.stderr
    gold_out = cli("export", "--kind", "gold", "-o", "-", "--include-single", db=db_path)
    assert gold_out.returncode == 0, gold_out.stderr
    assert [json.loads(x)["sentence_index"] for x in gold_out.stdout.splitlines()] == [0, 1]


# -- import-labels -------------------------------------------------------------------


def fresh(path: Path, codebook) -> Store:
    other = Store(path)
    import_paths(other, [CORPUS])
    other.register_codebook(codebook)
    return other


def test_drafts_round_trip_through_export_and_import(drafted, tmp_path, codebook, db_path):
    first = tmp_path / "drafts.jsonl"
    out = cli("export", "--kind", "labels", "--status", "draft", "-o", str(first), db=db_path)
    assert out.returncode == 0, out.stderr
    with fresh(tmp_path / "other.db", codebook) as other:
        assert import_labels(other, first) == 3
        assert list(label_rows(other)) == []  # drafts stay drafts: nothing done
        second = tmp_path / "again.jsonl"
        write_jsonl(label_rows(other, status="draft"), second)
    strip = [{k: v for k, v in json.loads(x).items() if k != "updated_at"} for x in (first, second) for x in x.read_text().splitlines()]  # fmt: skip
    assert strip[:3] == strip[3:]


def line(store: Store, sentence: int, status: str, labels: dict, codebook=True) -> str:
    s = store.sentences(article_id(store, "hasakah-01"))[sentence]
    row = {
        "article_id": "hasakah-01", "sentence_index": s.idx, "start": s.start, "end": s.end,
        "coder": "badr", "status": status, "labels": labels,
        "codebook": {"name": "hasakah-stance", "version": "1.1.0"} if codebook else None,
    }  # fmt: skip
    return json.dumps(row, ensure_ascii=False)


def test_a_labeled_line_must_set_every_required_field(store, codebook, tmp_path):
    store.register_codebook(codebook)
    path = tmp_path / "in.jsonl"
    path.write_text(
        "\n".join(
            [
                line(store, 0, "draft", {"claim_type": "denial"}),  # a draft may be partial
                line(store, 1, "labeled", {"claim_type": "denial", "stance": []}),
                line(store, 2, "skipped", {}),
                line(store, 3, "labeled", {"stance": []}, codebook=False),  # checked all the same
                line(store, 4, "labeled", {"speaker": "sdf", "claim_type": "denial"}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    before = dump(Path(store.path))
    with pytest.raises(InputErrors) as exc:
        import_labels(store, path)
    assert [(e.line, e.message) for e in exc.value.errors] == [
        (2, "status 'labeled' but required field(s) unset: speaker "
            "(set them, or give the line status 'draft')"),
        (4, "status 'labeled' but required field(s) unset: speaker, claim_type "
            "(set them, or give the line status 'draft')"),
    ]  # fmt: skip
    assert all(str(e).startswith(f"{path}:") for e in exc.value.errors)  # file:line
    assert dump(Path(store.path)) == before  # nothing written
    # Without the bad lines: a stance left out of a labeled line is "no stance".
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], lines[2], lines[4]]) + "\n", encoding="utf-8")
    assert import_labels(store, path) == 3
    s4 = store.sentences(article_id(store, "hasakah-01"))[4].id
    assert store.label(s4, "badr")["data"] == {
        "speaker": "sdf",
        "claim_type": "denial",
        "stance": [],
    }


# -- merge ---------------------------------------------------------------------------


def test_merge_a_done_label_beats_a_draft_of_the_same_coder_both_ways(tmp_path, codebook):
    with fresh(tmp_path / "a.db", codebook) as a, fresh(tmp_path / "b.db", codebook) as b:
        s = first_sentences(a, 3)
        a.set_label(s[0], "amina", status="draft", data=HALF)
        b.set_label(s[0], "amina", data=DONE)  # theirs done, ours a draft: theirs
        a.set_label(s[1], "amina", data=DONE)
        b.set_label(s[1], "amina", status="draft", data=HALF)  # ours done: ours stays
        b.set_label(s[2], "omar", status="draft", data=HALF)  # a draft like any label
        result = merge(a, b.path)
        assert result.conflicts == [] and (result.drafts_replaced, result.drafts_left) == (1, 1)
        assert result.labels_added == 1
        assert result.summary() == (
            "merged: 1 label(s) added; 0 already here; 3 event(s) added;"
            " 1 draft(s) here replaced by their done label; 1 draft(s) of theirs left: done here;"
            " new coder(s): omar"
        )
        assert a.label(s[0], "amina") == {"status": "labeled", "data": DONE, "note": ""}
        assert a.label(s[1], "amina") == {"status": "labeled", "data": DONE, "note": ""}
        assert a.label(s[2], "omar")["status"] == "draft"
        before = dump(Path(a.path))
        again = merge(a, b.path)
        assert (again.labels_added, again.events_added, again.drafts_replaced) == (0, 0, 0)
        assert dump(Path(a.path)) == before


def test_merge_two_different_drafts_are_a_conflict(tmp_path, codebook):
    with fresh(tmp_path / "a.db", codebook) as a, fresh(tmp_path / "b.db", codebook) as b:
        (s,) = first_sentences(a, 1)
        a.set_label(s, "amina", status="draft", data=HALF)
        b.set_label(s, "amina", status="draft", data={"speaker": "isis"})
        before = dump(Path(a.path))
        with pytest.raises(MergeConflicts) as exc:
            merge(a, b.path)
        assert [c.coder for c in exc.value.conflicts] == ["amina"]
        assert dump(Path(a.path)) == before
        merge(a, b.path, prefer="theirs")
        assert a.label(s, "amina")["data"] == {"speaker": "isis"}
