"""Export benchmark: `workbench export --kind labels` against `sqlite-utils query --nl`.

Not a test: it measures and prints, it never asserts on time. Run it with

    python bench/export_bench.py                  # 1,000,000 labels, best of 3
    python bench/export_bench.py --repeat 5 --rebuild
    python bench/export_bench.py --profile        # also cProfile the export in-process

What it does, on one machine in one run, on the same data:

1. Builds, once, a database (cached in a temporary folder; --rebuild forces
   it): --articles articles whose texts recombine the sentences of the sample
   articles in corpus/hasakah-2022, written as one JSONL file and imported
   with `workbench.corpus.import_paths`; the codebook labels/hasakah.toml
   registered; then --labels labels, spread over --coders coders (each labels
   a random subset of the sentences, in sentence order, the coders taking
   turns in time), with `data` as the labeling screen writes it (speaker,
   stance pairs, claim_type, confidence; some skipped or flagged, some with a
   note). The labels go in with raw SQL executemany in one transaction: one
   `label_events` row ("set", before NULL, after = the state) and the
   `labels` row pointing at it, exactly the rows `Store.set_label` would
   write, without a million calls to it. A second database with --small-labels
   labels (--small-articles articles, same generator) is built the same way
   for the memory comparison.
2. Times, best of --repeat, alternating (ours, reference, ours, ...), each a
   subprocess under /usr/bin/time, each output file deleted beforehand:
     ours:      workbench export --kind labels -o FILE --force --db DB
                (the installed console script);
     reference: sqlite-utils query DB "<SELECT>" --nl > FILE, the SELECT
                joining labels/coders/sentences/articles/codebooks into the
                same columns, in the same order, with the same ORDER BY.
   The reference writes `labels` and `codebook` as JSON text inside a string
   (no --json-cols), where ours nests them as objects; same rows, same columns.
3. Peak RSS (GNU time %M) of both, at 0, --small-labels and --labels rows.
4. Checks ours: line count equals the labels in the database (and the
   reference's), every --check-every-th line loads with json, has the export's
   keys in order and equals the reference's line once its two JSON strings
   are decoded.

Target: ours at most 1.5x `sqlite-utils query --nl` on the same rows.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import platform
import pstats
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

from synthetic import (  # bench/synthetic.py
    SAMPLES,
    cached_meta,
    generate_articles,
    sample_sentences,
    write_articles,
)

from workbench.codebook import Codebook, load_codebook
from workbench.corpus import import_paths
from workbench.export import LABEL_KEYS, label_rows, write_jsonl
from workbench.migrations import SCHEMA_VERSION
from workbench.store import Store

ROOT = Path(__file__).resolve().parent.parent
CODEBOOK = ROOT / "labels" / "hasakah.toml"
CACHE = Path(tempfile.gettempdir()) / "workbench-export-bench"
TARGET_RATIO = 1.5
GNU_TIME = "/usr/bin/time"
# Sources whose change changes what the database holds: a change rebuilds the cache.
BUILD_INPUTS = (
    "workbench/segment.py",
    "workbench/corpus.py",
    "workbench/store.py",
    "workbench/migrations.py",
    "labels/hasakah.toml",
    "bench/export_bench.py",
    "bench/synthetic.py",
)
CODER_NAMES = ("amira", "bassel", "dilan", "hevi", "lina", "omar", "rojin", "sami")
NOTES = (
    "segmentation: this runs into the next sentence",
    "speaker unclear: the source is not named",
    "headline fragment",
    "الاقتباس يتابع من الجملة السابقة",
    "قد يكون المتكلم مسؤولاً في الإدارة الذاتية",
    "check with the adjudicator",
)
CHUNK = 50_000

# The reference: the same columns as workbench.export.label_rows, same order.
REFERENCE_SQL = """\
SELECT a.ext_id AS article_id, a.content_hash AS article_sha256,
  a.ext_id || ':' || s.idx AS sentence_id, s.idx AS sentence_index,
  s.start AS start, s."end" AS "end", s.text AS text, c.name AS coder,
  l.status AS status, l.data AS labels, l.note AS note,
  CASE WHEN b.id IS NULL THEN NULL
    ELSE json_object('name', b.name, 'version', b.version) END AS codebook,
  l.updated_at AS updated_at
FROM labels l JOIN coders c ON c.id = l.coder_id
  JOIN sentences s ON s.id = l.sentence_id JOIN articles a ON a.id = s.article_id
  LEFT JOIN codebooks b ON b.id = l.codebook_id
WHERE l.status IN ('labeled','skipped','flagged')
ORDER BY a.id, s.idx, c.name"""


def say(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def dump(value: Any) -> str:
    """JSON as workbench.store writes label data and events."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# -- 1. the database ------------------------------------------------------------


def label_states(
    codebook: Codebook, rng: random.Random, pool: list[str], n: int
) -> list[tuple[str, str, str, str, bool]]:
    """n label states (status, data JSON, note, event `after` JSON, under the codebook?).

    As the labeling screen commits them: mostly a full label, some partial,
    skipped (no data) or flagged with a note; the stance may be the empty set.
    """
    speakers = list(codebook.field("speaker").value_ids)
    # Coders add speakers the codebook does not seed: the registry is open.
    speakers += ["local_tribal_leader", "syrian_government", "russia_mod", "hasakah_resident"]
    stance = codebook.field("stance")
    claims = codebook.field("claim_type").value_ids
    states = []
    for _ in range(n):
        roll = rng.random()
        status = "labeled" if roll < 0.92 else "skipped" if roll < 0.97 else "flagged"
        data: dict[str, Any] = {}
        if status != "skipped":
            pairs = {
                (rng.choice(stance.target_ids), rng.choice(stance.polarity_ids))
                for _ in range(rng.choice((0, 0, 1, 1, 1, 2, 3)))
            }
            data = {
                "speaker": rng.choice(speakers),
                "stance": [{"target": t, "polarity": p} for t, p in sorted(pairs)],
                "claim_type": rng.choice(claims),
            }
            if rng.random() < 0.8:
                data["confidence"] = rng.choice(("1", "2", "2", "3", "3", "3"))
            if status == "flagged" and rng.random() < 0.5:
                del data["claim_type"]  # partial: saved without a required field
            if rng.random() < 0.02:
                data["note"] = rng.choice(pool)[:80]
        note = rng.choice(NOTES) if status == "flagged" or rng.random() < 0.03 else ""
        after = {"status": status, "data": data, "note": note}
        states.append((status, dump(data), note, dump(after), rng.random() >= 0.01))
    return states


def _fingerprint(**params: Any) -> dict[str, Any]:
    digest = hashlib.sha256()
    for path in [*sorted(SAMPLES.glob("*.txt")), *(ROOT / p for p in BUILD_INPUTS)]:
        digest.update(path.read_bytes())
    return {**params, "schema": SCHEMA_VERSION, "inputs": digest.hexdigest()}


def insert_labels(
    store: Store, codebook: Codebook, n_labels: int, n_coders: int, seed: int, pool: list[str]
) -> dict[str, Any]:
    """n_labels labels over n_coders coders, raw SQL in one transaction."""
    rng = random.Random(seed + 1)
    codebook_id = store.register_codebook(codebook)
    names = [CODER_NAMES[i] if i < len(CODER_NAMES) else f"coder-{i + 1}" for i in range(n_coders)]
    coder_ids = [store.ensure_coder(name) for name in names]
    sentence_ids = [
        row[0]
        for row in store.conn.execute(
            "SELECT s.id FROM sentences s JOIN articles a ON a.id = s.article_id"
            " WHERE a.is_current = 1 ORDER BY s.id"
        )
    ]
    counts = [n_labels // n_coders + (i < n_labels % n_coders) for i in range(n_coders)]
    if max(counts) > len(sentence_ids):
        raise SystemExit(
            f"{len(sentence_ids):,} sentences, but a coder must label {max(counts):,}: "
            "pass more --articles (or fewer --labels per coder)"
        )
    picks = [sorted(rng.sample(sentence_ids, k)) for k in counts]
    states = label_states(codebook, rng, pool, 10_000)

    def events() -> Iterator[tuple[int, int]]:
        """(sentence id, coder id) in time order: the coders take turns."""
        for step in range(max(counts)):
            for coder_id, picked in zip(coder_ids, picks, strict=True):
                if step < len(picked):
                    yield picked[step], coder_id

    first = store.conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM label_events").fetchone()[0]
    clock = datetime(2022, 3, 1, 8, 0, tzinfo=UTC)
    event_rows: list[tuple[Any, ...]] = []
    label_row: list[tuple[Any, ...]] = []

    def flush() -> None:
        store.conn.executemany(
            "INSERT INTO label_events (id, sentence_id, coder_id, action, ref_event, before,"
            " after, codebook_id, created_at) VALUES (?, ?, ?, 'set', NULL, NULL, ?, ?, ?)",
            event_rows,
        )
        store.conn.executemany(
            "INSERT INTO labels (sentence_id, coder_id, status, data, note, codebook_id,"
            " event_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            label_row,
        )
        event_rows.clear()
        label_row.clear()

    with store.bulk(), store.transaction():
        for event_id, (sentence_id, coder_id) in enumerate(events(), start=first):
            status, data, note, after, under_codebook = rng.choice(states)
            book = codebook_id if under_codebook else None
            clock += timedelta(milliseconds=rng.randint(300, 4000))
            stamp = clock.isoformat(timespec="milliseconds").replace("+00:00", "Z")
            event_rows.append((event_id, sentence_id, coder_id, after, book, stamp))
            label_row.append((sentence_id, coder_id, status, data, note, book, event_id, stamp))
            if len(event_rows) >= CHUNK:
                flush()
        flush()
    return {"sentences": len(sentence_ids), "coders": names, "per_coder": counts}


def build_database(
    cache: Path, n_articles: int, n_labels: int, n_coders: int, seed: int, rebuild: bool
) -> tuple[Path, dict[str, Any]]:
    """The cached database (built if missing, stale or --rebuild)."""
    db = cache / f"labels-{n_labels}-a{n_articles}-c{n_coders}-s{seed}.db"
    meta_path = db.with_suffix(".json")
    want = _fingerprint(articles=n_articles, labels=n_labels, coders=n_coders, seed=seed)
    cached = cached_meta(db, want, rebuild, say)
    if cached is not None:
        return db, cached
    say(f"building {db} ({n_articles:,} articles, {n_labels:,} labels)")
    t0 = time.perf_counter()
    pool = sample_sentences()
    articles = generate_articles(n_articles, seed, pool, id_prefix="exp")
    jsonl = db.with_suffix(".jsonl")
    write_articles(articles, jsonl)
    t1 = time.perf_counter()
    store = Store(db)
    try:
        report = import_paths(store, [jsonl])
        t2 = time.perf_counter()
        info = insert_labels(store, load_codebook(CODEBOOK), n_labels, n_coders, seed, pool)
        t3 = time.perf_counter()
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # one self-contained file
        labels, events, consistent = store.conn.execute(
            "SELECT (SELECT COUNT(*) FROM labels), (SELECT COUNT(*) FROM label_events),"
            " (SELECT COUNT(*) FROM labels l JOIN label_events e ON e.id = l.event_id"
            "  AND e.sentence_id = l.sentence_id AND e.coder_id = l.coder_id"
            "  AND e.created_at = l.updated_at"
            "  AND json_extract(e.after, '$.status') = l.status"
            "  AND json(json_extract(e.after, '$.data')) = json(l.data))"
        ).fetchone()
    finally:
        store.close()
    jsonl.unlink()
    if not labels == events == consistent == n_labels:
        raise SystemExit(
            f"built {labels} labels, {events} events, {consistent} consistent; wanted {n_labels}"
        )
    meta = {
        "fingerprint": want,
        "articles": len(articles),
        "sentences": info["sentences"],
        "labels": labels,
        "coders": info["coders"],
        "per_coder": info["per_coder"],
        "generate_s": t1 - t0,
        "import_s": t2 - t1,
        "labels_s": t3 - t2,
        "total_s": time.perf_counter() - t0,
        "db_mb": db.stat().st_size / 1e6,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "report": report.summary(),
    }
    meta_path.write_text(json.dumps(meta, indent=1))
    meta["cached"] = False
    return db, meta


def warm(db: Path) -> None:
    """Read the database file once so neither contender pays the cold page cache."""
    with db.open("rb") as f:
        while f.read(1 << 24):
            pass


# -- 2., 3. the runs ------------------------------------------------------------


def script(name: str) -> str:
    """An installed console script, next to this interpreter first."""
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"cannot find the {name!r} console script")
    return found


def ours_command(db: Path, out: Path, coder: str | None = None) -> list[str]:
    command = [script("workbench"), "export", "--kind", "labels", "-o", str(out), "--force"]
    if coder:
        command += ["--coder", coder]
    return [*command, "--db", str(db)]


def reference_command(db: Path, sql: str = REFERENCE_SQL) -> list[str]:
    return [script("sqlite-utils"), "query", str(db), sql, "--nl"]


def run_one(command: list[str], out: Path, stdout_to_out: bool, work: Path) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of one run; `out` is deleted first."""
    for stale in (out, *out.parent.glob(f".{out.name}.*.part")):
        stale.unlink(missing_ok=True)
    rss_file = work / "rss.txt"
    wrapped = [GNU_TIME, "-f", "%M", "-o", str(rss_file), *command]
    start = time.perf_counter()
    if stdout_to_out:
        with out.open("wb") as handle:
            proc = subprocess.run(wrapped, stdout=handle, stderr=subprocess.PIPE)
    else:
        proc = subprocess.run(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(
            f"failed ({proc.returncode}): {' '.join(command)[:200]}\n{proc.stderr.decode()[-2000:]}"
        )
    return seconds, int(rss_file.read_text().split()[-1])


def count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as f:
        while block := f.read(1 << 24):
            count += block.count(b"\n")
    return count


def check_output(ours: Path, reference: Path, every: int) -> dict[str, Any]:
    """Walk both files in step; json-load and compare every `every`-th line."""
    checked = mismatches = bad_keys = 0
    first_problem = ""
    with ours.open(encoding="utf-8") as a, reference.open(encoding="utf-8") as b:
        for number, (line_a, line_b) in enumerate(zip(a, b, strict=False)):
            if number % every:
                continue
            row = json.loads(line_a)
            ref = json.loads(line_b)
            ref["labels"] = json.loads(ref["labels"])
            if ref["codebook"] is not None:
                ref["codebook"] = json.loads(ref["codebook"])
            checked += 1
            if tuple(row) != LABEL_KEYS:
                bad_keys += 1
            if row != ref:
                mismatches += 1
                first_problem = first_problem or f"line {number + 1}: {row} != {ref}"
    return {
        "checked": checked,
        "mismatches": mismatches,
        "bad_keys": bad_keys,
        "first": first_problem,
    }


def profile_export(db: Path, out: Path, top: int) -> None:
    """cProfile of write_jsonl(label_rows(store), out, force=True), in-process."""
    store = Store(db, create=False)
    profiler = cProfile.Profile()
    try:
        start = time.perf_counter()
        profiler.enable()
        count = write_jsonl(label_rows(store), out, force=True)
        profiler.disable()
        seconds = time.perf_counter() - start
    finally:
        store.close()
    print(f"cProfile of write_jsonl(label_rows(store), FILE, force=True): {count:,} rows")
    print(f"  {seconds:.2f} s under the profiler (the profiler adds overhead per call)")
    for order in ("tottime", "cumulative"):
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(top)
        body = text.getvalue()
        body = body[body.index("ncalls") :] if "ncalls" in body else body
        print(f"  top {top} by {order}:")
        for line in body.rstrip().splitlines():
            print(f"    {line}")

    # Where the time goes without the profiler's per-call overhead.
    store = Store(db, create=False)
    try:
        parts = []
        start = time.perf_counter()
        n = sum(1 for _ in store.conn.execute(_ours_sql()))
        parts.append(
            (
                "SQLite query alone (the export's SELECT, rows discarded)",
                time.perf_counter() - start,
            )
        )
        start = time.perf_counter()
        n = sum(1 for _ in label_rows(store))
        parts.append(
            ("label_rows(): query + dicts + json.loads of data", time.perf_counter() - start)
        )
        start = time.perf_counter()
        dumps = json.dumps
        for row in label_rows(store):
            dumps(row, ensure_ascii=False, separators=(",", ":"))
        parts.append(
            ("label_rows() + json.dumps of each row (no writing)", time.perf_counter() - start)
        )
        start = time.perf_counter()
        write_jsonl(label_rows(store), out, force=True)
        parts.append(
            ("write_jsonl(label_rows()) in-process, fsync included", time.perf_counter() - start)
        )
    finally:
        store.close()
    print(f"  breakdown, in-process, no profiler, {n:,} rows, one run each:")
    for label, seconds in parts:
        print(f"    {label:60} {seconds:7.2f} s")


def _ours_sql() -> str:
    """The export's SELECT (as in workbench.export.label_rows, no filters but
    the default one: done labels, not drafts)."""
    return (
        'SELECT a.ext_id, a.content_hash, s.idx, s.start, s."end", s.text, c.name,'
        " l.status, l.data, l.note, b.name, b.version, l.updated_at"
        " FROM labels l JOIN coders c ON c.id = l.coder_id"
        " JOIN sentences s ON s.id = l.sentence_id JOIN articles a ON a.id = s.article_id"
        " LEFT JOIN codebooks b ON b.id = l.codebook_id"
        " WHERE l.status IN ('labeled', 'skipped', 'flagged') ORDER BY a.id, s.idx, c.name"
    )


# -- the report ---------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000, help="articles to generate")
    parser.add_argument("--labels", type=int, default=1_000_000, help="label rows in all")
    parser.add_argument("--coders", type=int, default=4, help="coders sharing the labels")
    parser.add_argument("--small-articles", type=int, default=1_000, help="articles, small db")
    parser.add_argument("--small-labels", type=int, default=100_000, help="labels, small db")
    parser.add_argument("--seed", type=int, default=2022, help="random seed of the data")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; best shown")
    parser.add_argument("--check-every", type=int, default=100, help="compare every Nth line")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached databases")
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"cache folder ({CACHE})")
    parser.add_argument("--profile", action="store_true", help="also cProfile the export")
    parser.add_argument("--top", type=int, default=25, help="profile lines to show")
    args = parser.parse_args(argv)
    if min(args.articles, args.labels, args.coders, args.repeat, args.check_every) < 1:
        parser.error("--articles, --labels, --coders, --repeat, --check-every must be >= 1")
    if not Path(GNU_TIME).exists():
        raise SystemExit(f"needs GNU time at {GNU_TIME} for peak RSS")
    args.cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=args.cache))
    try:
        run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> None:
    print("export benchmark (bench/export_bench.py)")
    print(
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"SQLite {sqlite3.sqlite_version}, sqlite-utils {metadata.version('sqlite-utils')}, "
        f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()} {platform.machine()}"
    )
    db, meta = build_database(
        args.cache, args.articles, args.labels, args.coders, args.seed, args.rebuild
    )
    small, small_meta = build_database(
        args.cache, args.small_articles, args.small_labels, args.coders, args.seed, args.rebuild
    )
    work.mkdir(parents=True, exist_ok=True)
    for m, path in ((meta, db), (small_meta, small)):
        origin = "cached, built" if m["cached"] else "built"
        print(
            f"database {path} ({origin} {m['built_at']}): {m['articles']:,} articles, "
            f"{m['sentences']:,} sentences, {m['labels']:,} labels by {len(m['coders'])} coders "
            f"({', '.join(f'{c} {n:,}' for c, n in zip(m['coders'], m['per_coder'], strict=True))}), "
            f"{m['db_mb']:,.0f} MB"
        )
        print(
            f"  build: {m['total_s']:.1f} s = generate {m['generate_s']:.1f} s + import_paths "
            f"{m['import_s']:.1f} s + {m['labels']:,} labels and events by executemany in one "
            f"transaction {m['labels_s']:.1f} s"
        )
    print()

    ours_out, ref_out = work / "ours.jsonl", work / "reference.jsonl"
    runs: dict[str, list[tuple[float, int]]] = {"ours": [], "ref": []}
    say("warming the page cache with the database file")
    warm(db)
    for number in range(1, args.repeat + 1):
        say(f"round {number}/{args.repeat}: workbench export")
        runs["ours"].append(run_one(ours_command(db, ours_out), ours_out, False, work))
        say(f"round {number}/{args.repeat}: sqlite-utils query --nl")
        runs["ref"].append(run_one(reference_command(db), ref_out, True, work))
    # Our export fsyncs its file before the rename; the reference's shell redirect does not.
    start = time.perf_counter()
    with ref_out.open("rb") as handle:
        os.fsync(handle.fileno())
    ref_fsync = time.perf_counter() - start

    rows = meta["labels"]
    t_ours = min(t for t, _ in runs["ours"])
    t_ref = min(t for t, _ in runs["ref"])
    size_ours, size_ref = ours_out.stat().st_size, ref_out.stat().st_size
    ratio = t_ours / t_ref
    verdict = "ok" if ratio <= TARGET_RATIO else "MISSED"
    print(f"export of {rows:,} labels, best of {args.repeat} (alternating, subprocesses)")
    header = f"{'':44} {'seconds':>8} {'rows/s':>9} {'output MB':>10} {'peak RSS MB':>12}"
    print(header)
    print("-" * len(header))
    for label, key, seconds, size in (
        ("ours: workbench export --kind labels", "ours", t_ours, size_ours),
        ("reference: sqlite-utils query --nl", "ref", t_ref, size_ref),
    ):
        rss = max(kb for _, kb in runs[key]) / 1024
        print(
            f"{label:44} {seconds:>8.2f} {rows / seconds:>9,.0f} {size / 1e6:>10,.1f} {rss:>12,.1f}"
        )
    print(
        f"ratio ours/reference: {ratio:.2f}x   target: at most {TARGET_RATIO:g}x "
        f"sqlite-utils query --nl  {verdict}"
    )
    for key, label in (("ours", "ours:"), ("ref", "reference:")):
        print(f"  all runs, {label:11} " + "  ".join(f"{t:.2f}" for t, _ in runs[key]) + " s")
    print(
        f"  ours includes an fsync of its file before the rename; the reference does not (an "
        f"fsync of the reference's file right after its last run took {ref_fsync:.2f} s)"
    )
    print(
        "  the reference writes `labels` and `codebook` as JSON strings (escaped), ours as "
        "nested objects;\n  ours has compact separators, the reference `, ` and `: `; both "
        "write UTF-8 unescaped"
    )
    print("  reference SQL:\n    " + REFERENCE_SQL.replace("\n", "\n    "))
    print()

    # The file itself: the outputs of the last round.
    say("checking the exported file")
    lines_ours, lines_ref = count_lines(ours_out), count_lines(ref_out)
    checked = check_output(ours_out, ref_out, args.check_every)
    ok = (
        lines_ours == rows == lines_ref
        and checked["mismatches"] == 0
        and checked["bad_keys"] == 0
        and checked["checked"] > 0
    )
    print("check of the exported file (the last round's outputs)")
    print(
        f"  lines: ours {lines_ours:,}, reference {lines_ref:,}, labels in the database "
        f"{rows:,}  {'ok' if lines_ours == rows == lines_ref else 'MISMATCH'}"
    )
    print(
        f"  every {args.check_every}th line loaded with json.loads: {checked['checked']:,} lines; "
        f"keys not the export's {len(LABEL_KEYS)} in order: {checked['bad_keys']}; different "
        f"from the reference's line (its labels/codebook strings decoded): {checked['mismatches']}"
    )
    if checked["first"]:
        print(f"  first difference: {checked['first'][:600]}")
    print(f"  {'ok' if ok else 'PROBLEM'}")
    print()

    # Memory: 0 rows, small, full.
    say("peak RSS: 0 rows and the small database")
    warm(small)
    zero = run_one(ours_command(db, ours_out, coder="nobody"), ours_out, False, work)
    zero_ref = run_one(
        reference_command(db, REFERENCE_SQL.replace("ORDER BY", "AND c.name = 'nobody' ORDER BY")),
        ref_out,
        True,
        work,
    )
    small_ours = run_one(ours_command(small, ours_out), ours_out, False, work)
    small_ref = run_one(reference_command(small), ref_out, True, work)
    print(
        f"peak RSS (GNU time %M) by rows exported, one process each ({rows:,} rows: the "
        f"highest of the {args.repeat} timed runs, next to the best time)"
    )
    header = f"{'rows':>10} {'ours MB':>9} {'reference MB':>13} {'ours s':>8} {'reference s':>12}"
    print(header)
    print("-" * len(header))
    for n, o, r in (
        (0, zero, zero_ref),
        (small_meta["labels"], small_ours, small_ref),
        (
            rows,
            (t_ours, max(kb for _, kb in runs["ours"])),
            (t_ref, max(kb for _, kb in runs["ref"])),
        ),
    ):
        print(f"{n:>10,} {o[1] / 1024:>9,.1f} {r[1] / 1024:>13,.1f} {o[0]:>8.2f} {r[0]:>12.2f}")
    growth = max(kb for _, kb in runs["ours"]) - small_ours[1]
    print(
        f"  ours: {growth / 1024:+.1f} MB from {small_meta['labels']:,} to {rows:,} rows "
        f"(0 rows: --coder nobody, the Python start-up and imports)"
    )

    if args.profile:
        print()
        say("cProfile of the export, in-process")
        profile_export(db, ours_out, args.top)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
