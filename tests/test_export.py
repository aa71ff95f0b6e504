"""JSONL export and import-labels: round trip, atomic writes, bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, ROOT, article_id, dump
from workbench.corpus import import_paths
from workbench.errors import InputErrors, WorkbenchError
from workbench.export import import_labels, label_rows, sentence_rows, write_jsonl
from workbench.store import Store

STAMP = re.compile(r'"updated_at":"[^"]*"')


@pytest.fixture
def labeled(store, codebook):
    book = store.register_codebook(codebook)
    sentences = store.sentences(article_id(store, "hasakah-01"))[:4]
    store.set_label(
        sentences[0].id,
        "amina",
        data={"speaker": "sdf", "claim_type": "denial", "stance": [{"target": "turkey", "polarity": "blame"}]},
        codebook_id=book,
    )  # fmt: skip
    store.set_label(sentences[1].id, "amina", status="skipped", note="chrome", codebook_id=book)
    store.set_label(
        sentences[1].id,
        "omar",
        data={"speaker": "outlet", "claim_type": "background", "stance": []},
        codebook_id=book,
    )
    store.set_label(
        sentences[2].id, "omar", status="flagged", note="two speakers?", codebook_id=book
    )
    return store


def export_text(store: Store, path: Path, **filters) -> str:
    write_jsonl(label_rows(store, **filters), path, force=True)
    return path.read_text(encoding="utf-8")


def test_export_import_export_round_trip_byte_for_byte(labeled, tmp_path, codebook):
    first = export_text(labeled, tmp_path / "a.jsonl")
    with Store(tmp_path / "other.db") as other:
        import_paths(other, [CORPUS])
        other.register_codebook(codebook)
        assert import_labels(other, tmp_path / "a.jsonl") == 4
        second = export_text(other, tmp_path / "b.jsonl")
        events = other.conn.execute("SELECT DISTINCT action FROM label_events").fetchall()
    assert STAMP.sub("", first) == STAMP.sub("", second)
    assert first.count("\n") == 4 and events == [("import",)]


def test_export_lines_follow_the_contract_and_load_in_pandas(labeled, tmp_path):
    import pandas as pd

    text = export_text(labeled, tmp_path / "a.jsonl")
    rows = [json.loads(line) for line in text.splitlines()]
    assert set(rows[0]) >= {
        "article_id", "sentence_id", "sentence_index", "start", "end", "text", "coder",
        "status", "labels", "note", "codebook", "updated_at",
    }  # fmt: skip
    first = rows[0]
    article = next(a for a in labeled.articles() if a.ext_id == first["article_id"])
    assert labeled.article_text(article.id)[first["start"] : first["end"]] == first["text"]
    assert first["labels"]["stance"] == [{"polarity": "blame", "target": "turkey"}]
    assert first["codebook"] == {"name": "hasakah-stance", "version": "1.1.0"}
    assert [r["status"] for r in rows] == ["labeled", "skipped", "labeled", "flagged"]
    frame = pd.read_json(tmp_path / "a.jsonl", lines=True)
    assert len(frame) == 4 and frame.loc[0, "text"] == first["text"]


def test_filters(labeled):
    assert {r["coder"] for r in label_rows(labeled, coder="omar")} == {"omar"}
    assert [r["status"] for r in label_rows(labeled, status="flagged")] == ["flagged"]
    assert list(label_rows(labeled, articles=["hasakah-02"])) == []


def test_sentence_export_is_the_segmented_corpus(store, tmp_path):
    count = write_jsonl(sentence_rows(store), tmp_path / "s.jsonl")
    assert count == sum(a.sentences for a in store.articles())
    row = json.loads((tmp_path / "s.jsonl").read_text(encoding="utf-8").splitlines()[5])
    article = next(a for a in store.articles() if a.ext_id == row["article_id"])
    assert store.article_text(article.id)[row["start"] : row["end"]] == row["text"]


def test_never_overwrites_without_force_and_never_leaves_a_partial_file(labeled, tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_text("precious\n")
    with pytest.raises(WorkbenchError, match="--force"):
        write_jsonl(label_rows(labeled), target)
    assert target.read_text() == "precious\n"

    def interrupted():
        yield from label_rows(labeled)
        raise KeyboardInterrupt  # the user pressed ctrl+c midway

    with pytest.raises(KeyboardInterrupt):
        write_jsonl(interrupted(), target, force=True)
    assert target.read_text() == "precious\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]  # nothing left over
    assert write_jsonl(label_rows(labeled), target, force=True) == 4


BAD_LINES = {
    "not JSON": ("{oops", "not valid JSON"),
    "not an object": ("[1, 2]", "expected a JSON object"),
    "missing keys": ('{"article_id": "hasakah-01"}', "missing key(s)"),
    "unknown sentence": (None, "no sentence hasakah-01:0 at 5-9"),
    "bad status": (None, "status 'done'"),
    "value not in codebook": (None, "claim_type"),
}


@pytest.mark.parametrize("case", BAD_LINES, ids=list(BAD_LINES))
def test_bad_label_lines_are_located_and_nothing_is_written(case, labeled, tmp_path):
    good = export_text(labeled, tmp_path / "a.jsonl").splitlines()
    row = json.loads(good[0])
    line, message = BAD_LINES[case]
    if case == "unknown sentence":
        row["start"], row["end"] = 5, 9
    elif case == "bad status":
        row["status"] = "done"
    elif case == "value not in codebook":
        row["labels"]["claim_type"] = "gossip"
    bad = line if line is not None else json.dumps(row, ensure_ascii=False)
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([good[1], bad, good[2]]) + "\n", encoding="utf-8")
    before = dump(Path(labeled.path))
    with pytest.raises(InputErrors) as exc:
        import_labels(labeled, path)
    (error,) = exc.value.errors
    assert error.line == 2 and message in error.message
    assert dump(Path(labeled.path)) == before


def test_cli_export_and_import_labels(labeled, tmp_path, db_path):
    script = str(Path(sys.executable).parent / "workbench")

    def run(*args):
        return subprocess.run([script, *args], capture_output=True, text=True, cwd=tmp_path)

    out = run("export", "--kind", "labels", "--db", str(db_path))
    assert out.returncode == 0, out.stderr
    written = next((tmp_path / "exports").glob("labels-*.jsonl"))
    assert f"wrote 4 labels to exports/{written.name}" in out.stderr
    to_stdout = run("export", "--kind", "sentences", "-o", "-", "--db", str(db_path))
    assert to_stdout.stdout.count("\n") == sum(a.sentences for a in labeled.articles())
    again = run("export", "--kind", "labels", "-o", str(written), "--db", str(db_path))
    assert again.returncode == 1 and "exists; pass --force" in again.stderr
    fresh = tmp_path / "fresh.db"
    run("import", str(CORPUS), "--db", str(fresh))
    env_cwd = subprocess.run(
        [script, "import-labels", str(written), "--db", str(fresh)],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ},
    )  # fmt: skip
    assert env_cwd.returncode == 0, env_cwd.stderr
    assert env_cwd.stdout.strip() == f"imported 4 labels from {written}"


def test_cli_caps_a_flood_of_errors(labeled, tmp_path, db_path):
    path = tmp_path / "junk.jsonl"
    path.write_text("{oops\n" * 50, encoding="utf-8")
    script = str(Path(sys.executable).parent / "workbench")
    out = subprocess.run(
        [script, "import-labels", str(path), "--db", str(db_path)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    lines = out.stderr.strip().splitlines()
    assert out.returncode == 1 and len(lines) == 21
    assert lines[-1] == "error: ... and 30 more problems (50 in all); nothing was written"


# -- speakers by key, label or alias ----------------------------------------------


def _lines(store: Store, path: Path, **speakers: str) -> Path:
    """The store's labels exported, with the speakers of some sentences replaced."""
    rows = list(label_rows(store))
    for row in rows:
        if row["sentence_id"] in speakers:
            row["labels"]["speaker"] = speakers[row["sentence_id"]]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def _three_labeled(store: Store, codebook) -> list:
    """amina's labels on the first three sentences of hasakah-01 (speaker outlet)."""
    store.register_codebook(codebook)
    sentences = store.sentences(article_id(store, "hasakah-01"))[:3]
    for x in sentences:
        data = {"speaker": "outlet", "claim_type": "background"}
        store.set_label(x.id, "amina", data=data, codebook_id=1)
    return sentences


def test_import_labels_stores_speakers_by_key(store, codebook, tmp_path):
    seeded, s = store, _three_labeled(store, codebook)
    path = _lines(
        seeded,
        tmp_path / "in.jsonl",
        **{"hasakah-01:0": "قسد", "hasakah-01:1": "عَلي حجّو", "hasakah-01:2": "isis"},
    )
    with Store(tmp_path / "other.db") as other:
        import_paths(other, [CORPUS])
        other.register_codebook(codebook)
        assert import_labels(other, path) == 3
        got = [other.label(other.find_sentence("hasakah-01", i, x.start, x.end), "amina")
               for i, x in enumerate(s)]  # fmt: skip
    assert [g["data"]["speaker"] for g in got] == ["sdf", "autonomous_administration", "isis"]


def test_import_labels_rejects_an_unknown_speaker_by_line(store, codebook, tmp_path, db_path):
    seeded = store
    _three_labeled(seeded, codebook)
    path = _lines(seeded, tmp_path / "in.jsonl", **{"hasakah-01:2": "مصدر مجهول"})
    before = dump(db_path)
    with pytest.raises(InputErrors) as caught:
        import_labels(seeded, path)
    assert [str(e) for e in caught.value.errors] == [
        f"{path}:3: field 'speaker': no speaker named 'مصدر مجهول' (not a key, label or alias; "
        "add it with `workbench label` or `workbench speakers alias`)"
    ]
    assert dump(db_path) == before
