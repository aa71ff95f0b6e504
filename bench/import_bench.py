"""Import benchmark: `workbench import` end to end against a bare sqlite-utils insert.

Not a test: it measures and prints, it never asserts on time. Run it with

    python bench/import_bench.py                  # 10,000 articles, best of 3
    python bench/import_bench.py --articles 2000 --repeat 5 --seed 7

It generates a synthetic corpus in a temporary folder (article texts
recombined from the sentences of the sample articles in corpus/hasakah-2022),
written both as one .txt file per article with a manifest.toml and as one
.jsonl file, then times, on that same data, each into a fresh database file:

  a. import_paths(Store(db), [folder])  - reading, decoding, hashing,
     segmenting and writing, as `workbench import FOLDER` does;
  b. import_paths(Store(db), [jsonl])   - the same for the .jsonl file;
  c. the reference: sqlite_utils.Database(db) with insert_all() of exactly
     the article and sentence rows that (a) stored, read back beforehand, so
     it pays for neither reading nor segmenting (WAL set before timing).

Target: import end to end at most 2x the bare insert.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils
from synthetic import generate_articles  # bench/synthetic.py

from workbench.corpus import collect, import_paths, read_all, store_sources
from workbench.segment import segment
from workbench.store import Store

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 2.0

T = TypeVar("T")


# -- the synthetic corpus -----------------------------------------------------


def _toml_string(value: str) -> str:
    # A JSON string without \u escapes of printable text is a TOML basic string.
    return json.dumps(value, ensure_ascii=False)


def write_corpus(articles: list[dict[str, str]], root: Path) -> tuple[Path, Path]:
    """The articles as a folder of .txt files with a manifest, and as one .jsonl."""
    folder = root / "corpus"
    folder.mkdir()
    manifest = ["# synthetic corpus written by bench/import_bench.py", ""]
    for article in articles:
        name = f"{article['id']}.txt"
        (folder / name).write_text(article["text"] + "\n", encoding="utf-8")
        manifest += ["[[article]]", f"file = {_toml_string(name)}"]
        manifest += [f"{k} = {_toml_string(article[k])}" for k in ("title", "outlet", "date")]
        manifest.append("")
    (folder / "manifest.toml").write_text("\n".join(manifest), encoding="utf-8")
    jsonl = root / "corpus.jsonl"
    with jsonl.open("w", encoding="utf-8") as out:
        for article in articles:
            record = {k: article[k] for k in ("id", "title", "text", "outlet", "date")}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return folder, jsonl


# -- timing -----------------------------------------------------------------


def fresh_db(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def timed(run: Callable[..., T], *args: Any) -> tuple[float, T]:
    """Wall time of one `run(*args)`, after a full garbage collection."""
    gc.collect()
    start = time.perf_counter()
    result = run(*args)
    return time.perf_counter() - start, result


def best_of(repeat: int, run: Callable[[], T]) -> tuple[float, T]:
    """Best wall time of `repeat` runs of `run()`, and the last run's result."""
    best = float("inf")
    for _ in range(repeat):
        result = None  # drop the previous result before the next run
        seconds, result = timed(run)
        best = min(best, seconds)
    return best, result


def workbench_import(db: Path, source: Path) -> tuple[int, int]:
    store = Store(db)
    try:
        report = import_paths(store, [source])
    finally:
        store.close()
    return len(report.added), report.sentences


def reference_insert(
    database: sqlite_utils.Database,
    article_rows: list[dict[str, Any]],
    sentence_rows: list[dict[str, Any]],
) -> None:
    database["articles"].insert_all(article_rows)
    database["sentences"].insert_all(sentence_rows)


def read_back(db: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        articles = [dict(r) for r in conn.execute("SELECT * FROM articles ORDER BY id")]
        sentences = [dict(r) for r in conn.execute("SELECT * FROM sentences ORDER BY id")]
    finally:
        conn.close()
    return articles, sentences


def open_reference(db: Path) -> sqlite_utils.Database:
    database = sqlite_utils.Database(fresh_db(db))
    database.enable_wal()
    return database


def pragma(conn: sqlite3.Connection, name: str) -> Any:
    value = conn.execute(f"PRAGMA {name}").fetchone()[0]
    if name == "synchronous":
        return {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(value, value)
    return value


# -- the report ---------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000, help="articles to generate")
    parser.add_argument("--seed", type=int, default=2022, help="random seed of the corpus")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; best is shown")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    if args.articles < 1 or args.repeat < 1:
        parser.error("--articles and --repeat must be at least 1")

    root = Path(tempfile.mkdtemp(prefix="workbench-import-bench-"))
    try:
        run(args, root)
    finally:
        if args.keep:
            print(f"\nkept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def run(args: argparse.Namespace, root: Path) -> None:
    def say(message: str) -> None:
        print(f"... {message}", file=sys.stderr, flush=True)

    print("import benchmark (bench/import_bench.py)")
    print(
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"SQLite {sqlite3.sqlite_version}, sqlite-utils {metadata.version('sqlite-utils')}, "
        f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()} {platform.machine()}"
    )
    print(f"temp folder {root}")

    say(f"generating {args.articles:,} articles (seed {args.seed})")
    start = time.perf_counter()
    articles = generate_articles(args.articles, args.seed)
    folder, jsonl = write_corpus(articles, root)
    chars = sum(len(a["text"]) for a in articles)
    size = sum(p.stat().st_size for p in folder.iterdir())
    print(
        f"corpus: {len(articles):,} unique articles, {chars / len(articles):,.0f} characters "
        f"each on average; folder of .txt + manifest.toml {size / 1e6:,.1f} MB, "
        f".jsonl {jsonl.stat().st_size / 1e6:,.1f} MB (generated in "
        f"{time.perf_counter() - start:.1f} s)"
    )
    print(
        f"each measurement: best of {args.repeat}; a, b and c run in turn, each run into a "
        "fresh database file"
    )
    print()

    # a., b. and c. in rounds (a, b, c, a, b, c, ...) so that a burst of load
    # on the machine does not land on one measurement only.
    db_a, db_b, db_c = root / "a.db", root / "b.db", root / "c.db"
    runs: dict[str, list[float]] = {"a": [], "b": [], "c": []}
    article_rows: list[dict[str, Any]] = []
    sentence_rows: list[dict[str, Any]] = []
    counts: dict[str, tuple[int, int]] = {}
    for number in range(1, args.repeat + 1):
        say(f"round {number}/{args.repeat}: a. workbench import FOLDER")
        seconds, counts["a"] = timed(workbench_import, fresh_db(db_a), folder)
        runs["a"].append(seconds)
        say(f"round {number}/{args.repeat}: b. workbench import FILE.jsonl")
        seconds, counts["b"] = timed(workbench_import, fresh_db(db_b), jsonl)
        runs["b"].append(seconds)
        if not article_rows:
            # c.'s input: the very rows (a) stored, built outside the timed region.
            article_rows, sentence_rows = read_back(db_a)
        say(f"round {number}/{args.repeat}: c. reference: sqlite-utils insert_all")
        reference_db = open_reference(db_c)
        seconds, _ = timed(reference_insert, reference_db, article_rows, sentence_rows)
        runs["c"].append(seconds)
        journal_c = pragma(reference_db.conn, "journal_mode")
        sync_c = pragma(reference_db.conn, "synchronous")
        stored = (reference_db["articles"].count, reference_db["sentences"].count)
        reference_db.close()
        if stored != (len(article_rows), len(sentence_rows)):
            print(f"NOTE: the reference stored {stored}, expected the rows of (a)")
    n_art, n_sent = counts["a"]
    if counts["b"] != counts["a"]:
        print(
            f"NOTE: the .jsonl import stored {counts['b']} (articles, sentences), (a) {counts['a']}"
        )
    with Store(db_a) as store:
        sync_a = pragma(store.conn, "synchronous")
        journal_a = pragma(store.conn, "journal_mode")
    t_a, t_b, t_c = (min(runs[k]) for k in "abc")

    rows = n_art + n_sent
    print(
        f"reference: sqlite_utils.Database(path) with default settings; PRAGMA "
        f"journal_mode=WAL set before timing (journal_mode={journal_c}, synchronous={sync_c}); "
        f"rows read back from (a)'s database: {len(article_rows):,} articles, "
        f"{len(sentence_rows):,} sentences"
    )
    print(
        f"workbench: journal_mode={journal_a}, synchronous=NORMAL during import (Store.bulk; "
        f"{sync_a} otherwise), foreign_keys=ON, one transaction per file"
    )
    print()
    header = f"{'':44} {'rows':>9} {'seconds':>8} {'rows/s':>9} {'x ref':>6}  target"
    print(header)
    print("-" * len(header))
    for label, seconds in (
        ("a. workbench import FOLDER (.txt+manifest)", t_a),
        ("b. workbench import FILE.jsonl", t_b),
        ("c. reference: bare sqlite-utils insert_all", t_c),
    ):
        ratio = seconds / t_c
        if label.startswith("c."):
            verdict, shown = "", "1.00"
        else:
            verdict = "ok" if ratio <= TARGET_RATIO else "OVER"
            verdict = f"<= {TARGET_RATIO:g}x  {verdict}"
            shown = f"{ratio:.2f}"
        rate = rows / seconds
        line = f"{label:44} {rows:>9,} {seconds:>8.2f} {rate:>9,.0f} {shown:>6}  {verdict}"
        print(line.rstrip())
    print(f"target: import end to end at most {TARGET_RATIO:g}x the bare insert")
    for key, label in (("a", "a. folder"), ("b", "b. jsonl"), ("c", "c. reference")):
        print(f"  all runs, {label + ':':14} " + "  ".join(f"{t:.2f}" for t in runs[key]) + " s")
    print()

    # Where (a)'s time goes: the two passes, timed apart.
    say("breakdown of a.: read_all vs store_sources")
    t_read, (sources, ignored) = best_of(args.repeat, lambda: read_all([folder]))

    def write_pass() -> None:
        store = Store(fresh_db(db_a))
        try:
            store_sources(store, sources, ignored)
        finally:
            store.close()

    t_write, _ = best_of(args.repeat, write_pass)
    texts = [doc.text for source in sources for doc in source.documents]
    t_collect, _ = best_of(args.repeat, lambda: collect([folder]))
    t_segment, _ = best_of(args.repeat, lambda: [segment(text) for text in texts])
    t_hash, _ = best_of(
        args.repeat, lambda: [hashlib.sha256(text.encode("utf-8")).hexdigest() for text in texts]
    )

    total = t_read + t_write
    print(f"breakdown of a. (each part best of {args.repeat}, timed on its own)")
    width = 58
    lines = [
        ("read_all: read, decode, NFC, check, segment", t_read, total),
        ("  of which collect(): folder walk + manifest.toml", t_collect, total),
        ("  of which segment() of every text", t_segment, total),
        ("store_sources: write, one transaction per file", t_write, total),
        ("  of which sha256 of every text", t_hash, total),
        ("sum of the two passes", total, total),
    ]
    for label, seconds, whole in lines:
        print(f"{label:{width}} {seconds:>8.2f} s {100 * seconds / whole:>5.1f} %")
    print(f"{'store_sources alone vs the reference':{width}} {t_write / t_c:>8.2f} x")


if __name__ == "__main__":
    main()
