"""Importing the corpus: metadata, identity by hash, versions, offsets."""

from __future__ import annotations

import json
import tomllib
import unicodedata
from pathlib import Path

from tests.conftest import CORPUS
from workbench.corpus import import_paths
from workbench.segment import sentence_spans
from workbench.store import Store

MANIFEST = tomllib.loads((CORPUS / "manifest.toml").read_text(encoding="utf-8"))["article"]


def test_imports_the_five_articles_with_manifest_metadata(db_path):
    with Store(db_path) as store:
        report = import_paths(store, [CORPUS])
        articles = {a.ext_id: a for a in store.articles()}
        assert len(report.added) == 5 and not report.unchanged
        assert set(articles) == {Path(e["file"]).stem for e in MANIFEST}
        for entry in MANIFEST:
            article = articles[Path(entry["file"]).stem]
            assert (article.title, article.outlet, article.date) == (
                entry["title"],
                entry["outlet"],
                entry["date"],
            )
            meta = json.loads(
                store.conn.execute(
                    "SELECT meta FROM articles WHERE id=?", (article.id,)
                ).fetchone()[0]
            )
            assert meta["date_basis"] == entry["date_basis"]
        assert report.sentences == sum(a.sentences for a in articles.values()) > 100


def test_stored_text_is_the_file_text_and_offsets_point_into_it(db_path):
    with Store(db_path) as store:
        import_paths(store, [CORPUS])
        for article in store.articles():
            text = store.article_text(article.id)
            raw = (CORPUS / f"{article.ext_id}.txt").read_text(encoding="utf-8")
            assert text == unicodedata.normalize("NFC", raw)
            sentences = store.sentences(article.id)
            assert [(s.start, s.end) for s in sentences] == sentence_spans(text)
            assert all(text[s.start : s.end] == s.text for s in sentences)


def test_reimport_changes_nothing_and_says_so(db_path):
    with Store(db_path) as store:
        import_paths(store, [CORPUS])
        dump = list(store.conn.iterdump())
        report = import_paths(store, [CORPUS])
        assert list(store.conn.iterdump()) == dump
    assert len(report.unchanged) == 5 and not report.added
    assert report.summary().startswith("nothing to import")


def test_changed_text_becomes_a_new_version_and_keeps_labeled_sentences(db_path, corpus_copy):
    with Store(db_path) as store:
        import_paths(store, [corpus_copy])
        old = next(a for a in store.articles() if a.ext_id == "hasakah-04")
        old_sentences = store.sentences(old.id)
        store.set_label(old_sentences[1].id, "amina", data={"claim_type": "denial"})
        path = corpus_copy / "hasakah-04.txt"
        path.write_text(
            path.read_text(encoding="utf-8") + "\nجملة جديدة أضيفت.\n", encoding="utf-8"
        )
        report = import_paths(store, [corpus_copy])
        assert report.new_versions == ["hasakah-04"] and len(report.unchanged) == 4
        new = next(a for a in store.articles() if a.ext_id == "hasakah-04")
        assert new.version == 2 and new.id != old.id and new.sentences == old.sentences + 1
        # The old version and its labeled sentences are untouched.
        assert store.sentences(old.id) == old_sentences
        assert store.label(old_sentences[1].id, "amina")["data"] == {"claim_type": "denial"}
        assert {a.ext_id for a in store.articles()} == {f"hasakah-0{i}" for i in range(1, 6)}
        assert len(store.articles(current_only=False)) == 6


def test_jsonl_import_with_extra_keys(db_path, tmp_path):
    path = tmp_path / "feed.jsonl"
    rows = [
        {
            "id": "a1",
            "text": "قالت الوزارة إن الهجوم فشل. وأضافت أن التحالف يدعم قسد.",
            "outlet": "X",
            "date": "2022-01-21",
            "url": "http://x/1",
            "section": "news",
        },
        {"id": 2, "text": "خبر ثانٍ بلا عنوان"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n", "utf-8")
    with Store(db_path) as store:
        report = import_paths(store, [path])
        assert report.added == ["a1", "2"]
        articles = {a.ext_id: a for a in store.articles()}
        assert articles["a1"].sentences == 2 and articles["a1"].outlet == "X"
        meta, source = store.conn.execute(
            "SELECT meta, source FROM articles WHERE ext_id='a1'"
        ).fetchone()
        assert json.loads(meta) == {"section": "news"} and source.endswith("feed.jsonl:1")


def test_single_file_and_nested_folder_imports(db_path, tmp_path, corpus_copy):
    nested = tmp_path / "all"
    nested.mkdir()
    corpus_copy.rename(nested / "hasakah-2022")
    (nested / "README.md").write_text("not an article")
    with Store(db_path) as store:
        one = import_paths(store, [nested / "hasakah-2022" / "hasakah-01.txt"])
        assert one.added == ["hasakah-01"]
        rest = import_paths(store, [nested])
        assert len(rest.added) == 4 and rest.unchanged == ["hasakah-01"]
        assert rest.ignored_files and "ignored 1 file" in rest.summary()
        # The manifest's metadata applies inside nested folders too.
        titles = {a.ext_id: a.title for a in store.articles()}
        assert titles["hasakah-04"].startswith("قسد:")


def test_progress_is_reported_for_reading_and_writing(db_path):
    calls = []
    with Store(db_path) as store:
        import_paths(store, [CORPUS], progress=lambda *a: calls.append(a))
    assert [c for c in calls if c[0] == "reading"][-1] == ("reading", 5, 5)
    assert [c for c in calls if c[0] == "writing"] == [("writing", n, 5) for n in range(1, 6)]
