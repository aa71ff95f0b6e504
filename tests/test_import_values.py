"""Values as `import-labels` stores them, and what agreement and gold make of
them (issue 11, items 3 and 4): a speaker given by alias or spelling variant
is the registry's entity, and an ordinal value given as `2` or `"2"` is one
value, stored as the codebook's value id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CODEBOOK
from workbench import gold, report
from workbench.codebook import parse_codebook
from workbench.errors import InputErrors
from workbench.export import import_labels, sentence_rows

BASE = {"claim_type": "attribution", "stance": [{"target": "turkey", "polarity": "blame"}]}


def write_lines(path: Path, store, rows: list[tuple[int, str, dict]], book: dict) -> Path:
    """One label line per (sentence index in hasakah-03, coder, labels)."""
    where = {r["sentence_index"]: r for r in sentence_rows(store, articles=["hasakah-03"])}
    lines = []
    for idx, coder, labels in rows:
        s = where[idx]
        lines.append(
            {
                **{
                    k: s[k]
                    for k in ("article_id", "article_sha256", "sentence_index", "start", "end")
                },
                "coder": coder,
                "status": "labeled",
                "labels": labels,
                "codebook": book,
            }
        )
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    return path


# -- 3: speakers by alias count as their entity ---------------------------------------

# sdf by key, by its alias قسد, and by a spelling variant of its Arabic label
# (teh marbuta and ya folded, a diacritic): one entity, one category.
SPEAKERS = {"amina": "sdf", "omar": "قسد", "leila": "قوات سوريه الديمقراطيّة"}


def test_speakers_given_by_alias_are_one_category_in_agreement(store, codebook, tmp_path):
    store.register_codebook(codebook)
    book = {"name": codebook.name, "version": codebook.version}
    rows = [
        (i, coder, {**BASE, "speaker": speaker if i < 3 else "outlet"})
        for i in range(4)
        for coder, speaker in SPEAKERS.items()
    ]
    assert import_labels(store, write_lines(tmp_path / "in.jsonl", store, rows, book)) == 12
    stored = {
        r[0] for r in store.conn.execute("SELECT json_extract(data, '$.speaker') FROM labels")
    }
    assert stored == {"sdf", "outlet"}
    speaker = report.build(store, codebook, bootstrap=0)["fields"]["speaker"]
    assert speaker["units"] == 4 and speaker["percent_agreement"] == 1.0
    assert speaker["krippendorff_alpha"] == 1.0  # two entities, no disagreement
    result = report.build(store, codebook, pair=("amina", "omar"), bootstrap=0)
    assert result["fields"]["speaker"]["confusion"]["amina|omar"] == {
        "labels": ["sdf", "outlet"],
        "matrix": [[3, 0], [0, 1]],
    }


# -- 4: an ordinal value given as an integer is the codebook's value id ------------------


def adjudicated_confidence() -> str:
    """The codebook with confidence compared in gold (another version)."""
    text = CODEBOOK.read_text(encoding="utf-8")
    text = text.replace('version = "1.1.0"', 'version = "1.1.0-gold"', 1)
    head, tail = text.split('id = "confidence"', 1)
    return head + 'id = "confidence"' + tail.replace("adjudicate = false", "adjudicate = true", 1)


@pytest.mark.parametrize("compared", [False, True], ids=["as shipped", "adjudicated"])
def test_confidence_2_and_quoted_2_are_one_value_for_agree_and_gold(store, tmp_path, compared):
    codebook = (
        parse_codebook(adjudicated_confidence())
        if compared
        else parse_codebook(CODEBOOK.read_text(encoding="utf-8"), CODEBOOK)
    )
    assert codebook.field("confidence").adjudicate is compared
    store.register_codebook(codebook)
    book = {"name": codebook.name, "version": codebook.version}
    labels = {**BASE, "speaker": "sdf"}
    rows = [
        (0, "amina", {**labels, "confidence": 2}),
        (0, "omar", {**labels, "confidence": "2"}),
        (1, "amina", {**labels, "confidence": 3}),
        (1, "omar", {**labels, "confidence": "1"}),
    ]
    import_labels(store, write_lines(tmp_path / "in.jsonl", store, rows, book))
    stored = [
        json.loads(d)["confidence"]
        for (d,) in store.conn.execute("SELECT data FROM labels ORDER BY sentence_id, coder_id")
    ]
    assert stored == ["2", "2", "3", "1"]  # the codebook's value ids, one type
    units = {u.idx: u for u in gold.units(store, codebook)}
    row = next(r for r in units[0].rows if r.name == "confidence")
    assert row.agrees and row.values == {"amina": "2", "omar": "2"}
    assert units[0].unanimous  # gold: nothing to adjudicate on sentence 0
    assert units[1].unanimous is not compared  # 3 against 1 is a disagreement when compared
    confidence = report.build(store, codebook, bootstrap=0)["fields"]["confidence"]
    assert confidence["percent_agreement"] == pytest.approx(0.5)  # agree: the same reading


@pytest.mark.parametrize(
    ("value", "words"),
    [(2.0, "expected one value id, not a number 2.0"), (True, "not a boolean True"), (4, "unknown value '4'"), ("two", "unknown value 'two'")],
)  # fmt: skip
def test_a_confidence_that_is_no_value_id_is_a_located_error(
    store, codebook, tmp_path, value, words
):
    store.register_codebook(codebook)
    book = {"name": codebook.name, "version": codebook.version}
    rows = [(0, "amina", {**BASE, "speaker": "sdf", "confidence": 2}), (1, "amina", {**BASE, "speaker": "sdf", "confidence": value})]  # fmt: skip
    path = write_lines(tmp_path / "in.jsonl", store, rows, book)
    with pytest.raises(InputErrors) as caught:
        import_labels(store, path)
    (error,) = caught.value.errors
    assert str(error).startswith(f"{path}:2: field 'confidence': ") and words in str(error)
    assert store.conn.execute("SELECT COUNT(*) FROM labels").fetchone() == (0,)
