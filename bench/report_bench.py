"""The whole agreement report from the store, beside alpha alone (issue 11).

`workbench.report.build` with every figure (all fields, every category with
its interval and q, codability, per coder, per article, over time, 1,000
resamples) on 100,000 sentences x 3 coders, against `krippendorff_alpha` of
the same fields alone on the same units. Target: the whole report <= 10 s.

    .venv/bin/python bench/report_bench.py [--sentences 100000] [--resamples 1000]

The sentences come from the label-latency benchmark's cached corpus
(`bench/label_latency.py` builds it when it is missing); labels are
generated from a seeded "truth" per sentence with each coder's error rate.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from synthetic import fresh_copy, machine  # bench/synthetic.py

from workbench.agreement import krippendorff_alpha
from workbench.codebook import load_codebook
from workbench.report import build, collect
from workbench.store import Store

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "workbench-label-latency"
ERRORS = {"amina": 0.10, "omar": 0.18, "leila": 0.25}


def labeled_store(sentences: int, work: Path) -> Path:
    source = CACHE / f"corpus-{sentences}-s2022.db"
    if not source.exists():
        sys.exit(f"{source} is missing: run bench/label_latency.py --sentences {sentences} first")
    db = fresh_copy(source, work / "report.db")
    sys.path.insert(0, str(ROOT / "bench"))
    from example_project import noisy, truth

    book = load_codebook(ROOT / "labels" / "hasakah.toml")
    rng = random.Random(2022)
    with Store(db) as store:
        book_id = store.register_codebook(book)
        ids = [r[0] for r in store.conn.execute("SELECT id FROM sentences ORDER BY id")]
        rows = []
        for sid in ids:
            true = truth(rng, book)
            for coder, error in ERRORS.items():
                status = "skipped" if rng.random() < 0.03 else "labeled"
                data = noisy(rng, book, true, error) if status == "labeled" else {}
                rows.append((sid, coder, status, data, "", book_id))
        store.set_labels(rows, action="import")
    return db


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=100_000)
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args(argv)
    print(machine(CACHE))
    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        db = labeled_store(args.sentences, Path(folder))
        print(f"built {args.sentences:,} sentences x 3 coders in {time.perf_counter() - t0:.1f} s")
        book = load_codebook(ROOT / "labels" / "hasakah.toml")
        with Store(db) as store:
            t0 = time.perf_counter()
            data = collect(store, book)
            t_collect = time.perf_counter() - t0
            t0 = time.perf_counter()
            for fd in data.values():
                order = list(fd.field.value_ids) if fd.field.kind == "ordinal" else None
                krippendorff_alpha(fd.units, fd.level, order)
            t_alpha = time.perf_counter() - t0
            t0 = time.perf_counter()
            report = build(store, book, bootstrap=args.resamples, seed=0)
            t_report = time.perf_counter() - t0
    categories = sum(len(f["categories"]) for f in report["fields"].values())
    print(f"{'reading the labels (collect)':44s} {t_collect:8.2f} s")
    print(f"{'krippendorff_alpha alone, every field':44s} {t_alpha:8.2f} s")
    print(
        f"{'the whole report (build)':44s} {t_report:8.2f} s   "
        f"{len(report['fields'])} fields, {categories} categories, {args.resamples} resamples"
    )
    print(
        f"ratio report/(collect + alpha) {t_report / (t_collect + t_alpha):.1f}x   "
        f"target report <= 10 s: {'meets' if t_report <= 10 else 'MISSES'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
