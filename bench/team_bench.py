"""Team benchmark: many coders labeling on one shared database, with readers.

Not a test: it measures and prints, it never asserts on time. Run it with

    python bench/team_bench.py                    # levels 1, 4, 16, 32; 30 s per run
    python bench/team_bench.py --quick            # the same levels, 8 s per run
    python bench/team_bench.py --levels 32 --duration 60 --rebuild

It simulates a shared server where every coder runs `workbench label` on one
database file (SQLite, WAL). On one machine, in one run:

1. Builds, once, a database (cached in a temporary folder; --rebuild forces
   it): the bundled corpus/hasakah-2022 and synthetic articles recombined from
   its sentences (bench/synthetic.py) up to about --sentences sentences, all
   imported with `workbench.corpus.import_paths`; the codebook
   labels/hasakah.toml registered; then every sentence labeled by
   --earlier-coders coders who coded before the run (through
   `Store.set_labels`), so that `agree` and `export` have a project's worth
   of labels to read. Every run below works on a fresh copy of it.
2. Per level N (--levels), two runs of --duration seconds each, processes
   started with multiprocessing "spawn":
     - N paced writers, each a distinct coder, each doing what a coder's
       `enter` does: `Store(db, create=False)`, `resolve_codebook` and a
       `LabelingSession`, as `workbench label` opens them; per label a
       speaker and a claim type set on the draft, then
       `LabelingSession.commit()` (its `Store.transaction`: BEGIN IMMEDIATE,
       the store's 30 s busy timeout and its retries, synchronous=FULL). One
       label every 2 s, each gap drawn uniformly from 1-3 s, the first one
       at a random point of the first 2 s. A SaveError (the screen's "Not
       saved: ... try again") is counted and the same label retried.
     - ONE writer doing the same at full speed (no pause between commits;
       --fast sets how many, 0 for the paced writers alone). It may label
       every sentence: it then goes over them again with another claim type.
     - "readers" run only: one process running `agree` in a loop (open a
       Store, `resolve_codebook`, `workbench.report.build` with bootstrap
       --bootstrap, close: what `workbench agree` does) and one running
       `export` in a loop (open a Store, `workbench.export.label_rows` into
       `write_jsonl` of a temporary file, with force, close).
     - "reference" run: the same writers with no readers, so the cost of the
       readers shows as a ratio (readers / reference).
   Writers append every commit they believe done (sentence id, claim type,
   latency) to their own file as it returns; the parent reads those files
   after the run and checks them against the database through its own
   sqlite3 connection: each (sentence, coder) pair must hold the last claim
   type the writer committed, and the coder's label_events must number its
   commits. A commit the writer saw return that the database lacks is a lost
   write (must be 0); a SaveError or "database is locked" seen by any writer
   is counted (must be 0).

Reported per run: committed labels per second (paced writers together, and
the full-speed one); p50/p99/max commit latency of the paced writers and the
p99 of its two parts (waiting for the write lock in BEGIN IMMEDIATE, and
COMMIT: the fsync and any automatic checkpoint; timed by thin wrappers on the
writer's Store instance); p50/p99 of the full-speed writer; lost writes;
locked/SaveError; agree/export iterations and their p50 time; the largest
size of the WAL file seen during the run (sampled every 0.2 s). Latency is
the wall time of `LabelingSession.commit()`, the key handler's write, not
painting.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import multiprocessing as mp
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from synthetic import (  # bench/synthetic.py
    SAMPLES,
    cached_meta,
    fresh_copy,
    generate_articles,
    machine,
    write_articles,
)

from workbench.migrations import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parent.parent
CODEBOOK = ROOT / "labels" / "hasakah.toml"
CACHE = Path(tempfile.gettempdir()) / "workbench-team-bench"
PERIOD_S = 2.0  # a coder's pace: one label every 2 s on average
JITTER = (0.5, 1.5)  # each gap is PERIOD_S times a uniform draw from this range
SPEAKER = ("speaker", "outlet")  # field and a seeded entity every label gets
CLAIM_FIELD = "claim_type"
LEVELS = (1, 4, 16, 32)
BUILD_INPUTS = (
    "workbench/segment.py",
    "workbench/corpus.py",
    "workbench/store.py",
    "workbench/migrations.py",
    "labels/hasakah.toml",
    "bench/synthetic.py",
)


def say(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


# -- 1. the database ------------------------------------------------------------


def _fingerprint(sentences: int, earlier: int, seed: int) -> dict[str, Any]:
    digest = hashlib.sha256()
    for path in [*sorted(SAMPLES.glob("*")), *(ROOT / p for p in BUILD_INPUTS)]:
        digest.update(path.read_bytes())
    return {
        "sentences": sentences,
        "earlier_coders": earlier,
        "seed": seed,
        "schema": SCHEMA_VERSION,
        "inputs": digest.hexdigest(),
    }


def build_database(
    cache: Path, sentences: int, earlier: int, seed: int, rebuild: bool
) -> tuple[Path, dict[str, Any]]:
    """The cached pristine database (built if missing, stale or --rebuild)."""
    from workbench.codebook import load_codebook
    from workbench.corpus import import_paths
    from workbench.store import Store

    db = cache / f"team-{sentences}-e{earlier}-s{seed}.db"
    want = _fingerprint(sentences, earlier, seed)
    cached = cached_meta(db, want, rebuild, say)
    if cached is not None:
        return db, cached
    say(f"building a database of about {sentences:,} sentences in {cache}")
    t0 = time.perf_counter()
    store = Store(db)
    try:
        report = import_paths(store, [SAMPLES])
        have = store.conn.execute("SELECT COUNT(*) FROM sentences").fetchone()[0]
        if sentences > have:
            # generate_articles averages about 33 sentences per article.
            n = max(1, round((sentences - have) / 33))
            jsonl = cache / f"team-{sentences}-s{seed}.jsonl"
            write_articles(generate_articles(n, seed, id_prefix="team"), jsonl)
            report = import_paths(store, [jsonl])
            jsonl.unlink()
        book = load_codebook(CODEBOOK)
        book_id = store.register_codebook(book)
        claims = list(book.field(CLAIM_FIELD).value_ids)
        ids = [r[0] for r in store.conn.execute("SELECT id FROM sentences ORDER BY id")]
        rng = random.Random(seed)
        for k in range(earlier):
            rows = []
            for sid in ids:
                claim = claims[sid % len(claims)] if rng.random() < 0.7 else rng.choice(claims)
                data = {SPEAKER[0]: SPEAKER[1], "stance": [], CLAIM_FIELD: claim}
                rows.append((sid, f"earlier-{k + 1}", "labeled", data, "", book_id))
            store.set_labels(rows, "import")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # one self-contained file
    finally:
        store.close()
    conn = sqlite3.connect(db)
    try:
        stored = conn.execute("SELECT COUNT(*) FROM sentences").fetchone()[0]
        n_articles = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        n_labels = conn.execute("SELECT COUNT(*) FROM labels").fetchone()[0]
    finally:
        conn.close()
    meta = {
        "fingerprint": want,
        "articles": n_articles,
        "sentences": stored,
        "labels": n_labels,
        "build_s": time.perf_counter() - t0,
        "db_mb": db.stat().st_size / 1e6,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "report": report.summary(),
    }
    db.with_suffix(".json").write_text(json.dumps(meta, indent=1))
    meta["cached"] = False
    return db, meta


# -- 2. the processes -------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """What one child process does; picklable for spawn."""

    role: str  # "paced", "full", "agree" or "export"
    name: str  # the coder name of a writer; the role of a reader
    number: int
    db: str
    out: str  # a writer's commit log, a reader's result file
    duration: float
    bootstrap: int = 200
    seed: int = 0


def child(spec: Spec, ready: Any, go: Any, start_at: Any) -> None:
    """Entry point of every child: set up, say ready, wait for the start, run."""
    try:
        run = _writer if spec.role in ("paced", "full") else _reader
        run(spec, ready, go, start_at)
    except BaseException:
        ready.put((spec.name, "failed: " + traceback.format_exc()))
        raise


def _wait_start(spec: Spec, ready: Any, go: Any, start_at: Any) -> float:
    ready.put((spec.name, "ready"))
    go.wait()
    start = start_at.value
    while time.time() < start:
        time.sleep(min(0.01, max(0.0, start - time.time())))
    return start


def _writer(spec: Spec, ready: Any, go: Any, start_at: Any) -> None:
    from workbench.codebook import resolve_codebook
    from workbench.errors import WorkbenchError
    from workbench.session import LabelingSession
    from workbench.store import Store

    rng = random.Random(f"{spec.seed}:{spec.name}")
    store = Store(spec.db, create=False)  # as `workbench label --db` opens it
    book = resolve_codebook(None, store)
    session = LabelingSession(store, spec.name, book)
    claims = list(book.field(CLAIM_FIELD).value_ids)
    articles = [a.id for a in store.articles()]
    # Coders start in different articles (an assignment spreads them out).
    at = (spec.number * 7919) % len(articles)
    session.open_article(articles[at])
    relabel = session.next_undone(-1) is None  # all done by this coder: a second pass
    # Where a commit's time goes: waiting for the write lock (BEGIN IMMEDIATE,
    # the busy timeout and the store's retries) and COMMIT (the WAL fsync and
    # any automatic checkpoint). Thin wrappers on this instance only.
    parts = {"wait": 0.0, "commit": 0.0}
    for method, part in (("_begin_immediate", "wait"), ("_commit", "commit")):
        setattr(store, method, _timed(getattr(store, method), parts, part))
    paced = spec.role == "paced"
    locked = 0
    errors: list[str] = []
    log = open(spec.out, "w", encoding="utf-8")  # noqa: SIM115 (closed below)
    start = _wait_start(spec, ready, go, start_at)
    end = start + spec.duration
    due = start + rng.uniform(0, PERIOD_S)
    commits = 0
    while True:
        if paced:
            if due >= end:
                break
            time.sleep(max(0.0, due - time.time()))
        elif time.time() >= end:
            break
        state = session.label_state(session.index)
        before = state["data"].get(CLAIM_FIELD) if state else None
        claim = rng.choice([c for c in claims if c != before])  # a change: always an event
        session.set_value(*SPEAKER)
        session.set_value(CLAIM_FIELD, claim)
        sid = session.sentence.id
        while True:
            parts["wait"] = parts["commit"] = 0.0
            t0 = time.perf_counter()
            try:
                result = session.commit()
            except WorkbenchError as exc:  # the screen: "Not saved: ... try again"
                locked += 1
                if len(errors) < 5:
                    errors.append(str(exc))
                continue
            break
        ms = (time.perf_counter() - t0) * 1000
        commits += 1
        record = {"s": sid, "v": claim, "ms": round(ms, 3)}
        record.update((k, round(v * 1000, 3)) for k, v in parts.items())
        log.write(json.dumps(record) + "\n")
        log.flush()  # on disk by the time the parent reads it, even if this process dies
        if result.status != "labeled":
            errors.append(f"commit saved as {result.status}, missing {result.missing}")
        if result.article_done:
            # A second pass (the full-speed writer can label every sentence)
            # goes on sentence by sentence; else the next article.
            if relabel and session.index + 1 < len(session.sentences):
                session.go(session.index + 1)
            else:
                at = (at + 1) % len(articles)
                session.open_article(articles[at])
                relabel = session.next_undone(-1) is None
        if paced:
            due += PERIOD_S * rng.uniform(*JITTER)
    log.write(json.dumps({"done": True, "commits": commits, "locked": locked, "errors": errors}))
    log.write("\n")
    log.close()
    store.close()


def _timed(inner: Any, parts: dict[str, float], part: str) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            parts[part] += time.perf_counter() - t0

    return wrapper


def _reader(spec: Spec, ready: Any, go: Any, start_at: Any) -> None:
    from workbench import export, report
    from workbench.codebook import resolve_codebook
    from workbench.store import Store

    target = Path(spec.out).with_suffix(".jsonl")
    times: list[float] = []
    errors: list[str] = []
    start = _wait_start(spec, ready, go, start_at)
    end = start + spec.duration
    while time.time() < end:
        t0 = time.perf_counter()
        try:
            with Store(spec.db, create=False) as store:
                if spec.role == "agree":
                    book = resolve_codebook(None, store)
                    report.build(store, book, bootstrap=spec.bootstrap, seed=spec.seed)
                else:
                    export.write_jsonl(export.label_rows(store), target, force=True)
        except Exception as exc:  # counted and reported; the loop goes on
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        times.append(time.perf_counter() - t0)
    target.unlink(missing_ok=True)
    Path(spec.out).write_text(
        json.dumps({"times": times, "errors": errors[:5], "n_errors": len(errors)})
    )


# -- 3. one run -------------------------------------------------------------------


@dataclass
class RunResult:
    level: int
    readers: bool
    duration: float
    paced_ms: list[float] = field(default_factory=list)
    paced_wait: list[float] = field(default_factory=list)  # ms in BEGIN IMMEDIATE
    paced_commit: list[float] = field(default_factory=list)  # ms in COMMIT
    full_ms: list[float] = field(default_factory=list)
    paced_commits: int = 0
    full_commits: int = 0
    per_paced: list[int] = field(default_factory=list)  # commits of each paced writer
    lost: int = 0
    phantom: int = 0  # events in the database the writer never saw commit
    locked: int = 0
    errors: list[str] = field(default_factory=list)
    agree_s: list[float] = field(default_factory=list)
    export_s: list[float] = field(default_factory=list)
    reader_errors: int = 0
    wal_mb: float = 0.0
    setup_s: float = 0.0
    rows_end: int = 0


def read_log(path: Path) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    commits, summary = [], None
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a dying writer: not a commit it saw return
            if record.get("done"):
                summary = record
            else:
                commits.append(record)
    return commits, summary


def check_writer(
    conn: sqlite3.Connection, coder: str, commits: list[dict[str, Any]]
) -> tuple[int, int]:
    """(lost, phantom) for one writer: its commits against the database."""
    last: dict[int, str] = {}
    for c in commits:
        last[c["s"]] = c["v"]
    rows = {
        sid: (status, json.loads(data))
        for sid, status, data in conn.execute(
            "SELECT l.sentence_id, l.status, l.data FROM labels l"
            " JOIN coders c ON c.id = l.coder_id WHERE c.name = ?",
            (coder,),
        )
    }
    missing = sum(
        1
        for sid, claim in last.items()
        if sid not in rows or rows[sid][0] != "labeled" or rows[sid][1].get(CLAIM_FIELD) != claim
    )
    events = conn.execute(
        "SELECT COUNT(*) FROM label_events e JOIN coders c ON c.id = e.coder_id WHERE c.name = ?",
        (coder,),
    ).fetchone()[0]
    return max(missing, len(commits) - events), max(0, events - len(commits))


def run_level(
    ctx: Any, pristine: Path, work: Path, level: int, readers: bool, args: argparse.Namespace
) -> RunResult:
    tag = f"n{level}-{'readers' if readers else 'reference'}"
    folder = work / tag
    folder.mkdir()
    db = fresh_copy(pristine, folder / "team.db")
    specs = [
        Spec(
            "paced",
            f"coder-{i + 1:02d}",
            i,
            str(db),
            str(folder / f"coder-{i + 1:02d}.log"),
            args.duration,
            seed=args.seed,
        )
        for i in range(level)
    ]
    for j in range(args.fast):
        specs.append(
            Spec(
                "full",
                f"fast-{j + 1}",
                level + j,
                str(db),
                str(folder / f"fast-{j + 1}.log"),
                args.duration,
                seed=args.seed,
            )
        )
    if readers:
        for role in ("agree", "export"):
            specs.append(
                Spec(
                    role,
                    role,
                    0,
                    str(db),
                    str(folder / f"{role}.json"),
                    args.duration,
                    bootstrap=args.bootstrap,
                    seed=args.seed,
                )
            )
    ready, go, start_at = ctx.Queue(), ctx.Event(), ctx.Value("d", 0.0)
    t0 = time.perf_counter()
    procs = [ctx.Process(target=child, args=(s, ready, go, start_at), name=s.name) for s in specs]
    for p in procs:
        p.start()
    waiting = {s.name for s in specs}
    while waiting:
        name, status = ready.get(timeout=300)
        if status != "ready":
            go.set()
            for p in procs:
                p.join(5)
                if p.is_alive():
                    p.terminate()
            raise SystemExit(f"{name} {status}")
        waiting.discard(name)
    setup_s = time.perf_counter() - t0
    start_at.value = time.time() + 0.5
    go.set()
    wal = Path(f"{db}-wal")
    wal_max = 0
    deadline = time.monotonic() + args.duration + 600
    while any(p.is_alive() for p in procs) and time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            wal_max = max(wal_max, wal.stat().st_size)  # gone once the last connection closes
        time.sleep(0.2)
    for p in procs:
        p.join(1)
        if p.is_alive():
            p.terminate()
            say(f"{p.name} still running long after the run: terminated")

    result = RunResult(level, readers, args.duration, setup_s=setup_s, wal_mb=wal_max / 1e6)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        for s, p in zip(specs, procs, strict=True):
            if s.role in ("agree", "export"):
                path = Path(s.out)
                if not path.exists():
                    result.errors.append(f"{s.name}: no result (exit code {p.exitcode})")
                    continue
                data = json.loads(path.read_text())
                (result.agree_s if s.role == "agree" else result.export_s).extend(data["times"])
                result.reader_errors += data["n_errors"]
                result.errors += [f"{s.name}: {e}" for e in data["errors"]]
                continue
            commits, summary = read_log(Path(s.out))
            if summary is None or p.exitcode != 0:
                result.errors.append(f"{s.name}: did not finish (exit code {p.exitcode})")
            else:
                result.locked += summary["locked"]
                result.errors += [f"{s.name}: {e}" for e in summary["errors"]]
            lost, phantom = check_writer(conn, s.name, commits)
            result.lost += lost
            result.phantom += phantom
            ms = [c["ms"] for c in commits]
            if s.role == "paced":
                result.paced_ms += ms
                result.paced_wait += [c["wait"] for c in commits]
                result.paced_commit += [c["commit"] for c in commits]
                result.paced_commits += len(ms)
                result.per_paced.append(len(ms))
            else:
                result.full_ms += ms
                result.full_commits += len(ms)
        result.rows_end = conn.execute("SELECT COUNT(*) FROM labels").fetchone()[0]
    finally:
        conn.close()
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return result


# -- 4. the figures ---------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of values; nan if there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-q * len(ordered) // 100)))
    return ordered[int(rank) - 1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b and b == b and a == a else "-"


COLUMNS = (
    ("paced/s", 8),
    ("fast/s", 8),
    ("p50 ms", 8),
    ("p99 ms", 8),
    ("max ms", 8),
    ("wait p99", 9),
    ("COMMIT p99", 11),
    ("fast p50", 9),
    ("fast p99", 9),
    ("lost", 5),
    ("locked", 7),
    ("agree n", 8),
    ("agree p50 s", 12),
    ("export n", 9),
    ("export p50 s", 13),
    ("WAL max MB", 11),
)


def cells(r: RunResult) -> list[float | int]:
    return [
        r.paced_commits / r.duration,
        r.full_commits / r.duration,
        pct(r.paced_ms, 50),
        pct(r.paced_ms, 99),
        max(r.paced_ms, default=float("nan")),
        pct(r.paced_wait, 99),
        pct(r.paced_commit, 99),
        pct(r.full_ms, 50),
        pct(r.full_ms, 99),
        r.lost,
        r.locked,
        len(r.agree_s),
        median(r.agree_s),
        len(r.export_s),
        median(r.export_s),
        r.wal_mb,
    ]


def fmt_cell(value: float | int, width: int) -> str:
    if isinstance(value, int):
        return f"{value:>{width}d}"
    if value != value:
        return f"{'-':>{width}}"
    return f"{value:>{width}.{1 if abs(value) >= 100 else 2}f}"


def print_table(pairs: list[tuple[RunResult, RunResult | None]]) -> None:
    head = f"{'coders':>6} {'run':10}" + "".join(f" {name:>{w}}" for name, w in COLUMNS)
    print(head)
    print("-" * len(head))
    for on, off in pairs:
        rows = [("readers", on), ("reference", off)] if off else [("readers", on)]
        for label, r in rows:
            print(
                f"{r.level:>6} {label:10}"
                + "".join(f" {fmt_cell(v, w)}" for v, (_, w) in zip(cells(r), COLUMNS, strict=True))
            )
        if off:
            a, b = cells(on), cells(off)
            line = f"{on.level:>6} {'ratio':10}"
            for k, (_, w) in enumerate(COLUMNS[:9]):
                line += f" {ratio(a[k], b[k]):>{w}}"  # type: ignore[arg-type]
            print(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--levels", default=",".join(map(str, LEVELS)), help="paced writer counts, comma-separated"
    )
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per run (30)")
    parser.add_argument("--quick", action="store_true", help="8 s per run")
    parser.add_argument("--sentences", type=int, default=20_000, help="sentences in the database")
    parser.add_argument(
        "--earlier-coders", type=int, default=2, help="coders whose labels cover every sentence"
    )
    parser.add_argument(
        "--fast", type=int, default=1, help="full-speed writers (1; 0 to see the paced alone)"
    )
    parser.add_argument("--bootstrap", type=int, default=200, help="agree's bootstrap resamples")
    parser.add_argument("--seed", type=int, default=2022, help="random seed")
    parser.add_argument("--no-reference", action="store_true", help="skip the runs without readers")
    parser.add_argument("--cache", type=Path, default=CACHE, help="folder of the cached database")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached database")
    parser.add_argument("--keep", action="store_true", help="keep each run's database and logs")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration = 8.0
    levels = [int(n) for n in args.levels.split(",") if n.strip()]
    if not levels or min(levels) < 0 or args.duration <= 0 or args.fast < 0:
        parser.error("--levels are counts >= 0, --duration > 0 and --fast >= 0")

    print("team benchmark (bench/team_bench.py)")
    print(machine(args.cache))
    db, meta = build_database(
        args.cache, args.sentences, args.earlier_coders, args.seed, args.rebuild
    )
    how = "reused from the cache (--rebuild to rebuild)" if meta["cached"] else "built"
    print(
        f"database: {meta['articles']:,} articles, {meta['sentences']:,} sentences, "
        f"{meta['labels']:,} labels of {args.earlier_coders} earlier coder(s), "
        f"{meta['db_mb']:.1f} MB, {how} in {meta['build_s']:.1f} s: {db}"
    )
    print(
        f"per run: {args.duration:g} s; paced writers 1 label/{PERIOD_S:g} s "
        f"(gaps {PERIOD_S * JITTER[0]:g}-{PERIOD_S * JITTER[1]:g} s) + {args.fast} full-speed writer(s); "
        f"readers: agree (bootstrap {args.bootstrap}) and export of labels, each looping "
        f"in its own process; reference: the same writers, no readers"
    )
    print()
    ctx = mp.get_context("spawn")
    work = Path(tempfile.mkdtemp(prefix="workbench-team-bench-run-"))
    pairs: list[tuple[RunResult, RunResult | None]] = []
    try:
        for level in levels:
            say(f"{level} paced writer(s) + {args.fast} full-speed, with readers")
            on = run_level(ctx, db, work, level, True, args)
            off = None
            if not args.no_reference:
                say(f"{level} paced writer(s) + {args.fast} full-speed, reference (no readers)")
                off = run_level(ctx, db, work, level, False, args)
            pairs.append((on, off))
            say(f"  set-up (spawn + open) {on.setup_s:.1f} s; labels at the end {on.rows_end:,}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            say(f"runs kept in {work}")

    print_table(pairs)
    print(
        "paced/s, fast/s: labels committed per second by the paced writers together and by "
        "the full-speed one; p50/p99/max: commit latency of the paced writers "
        "(LabelingSession.commit wall time), of it waiting for the write lock (wait: "
        "BEGIN IMMEDIATE) and in COMMIT (fsync, checkpoints); ratio: readers / reference"
    )
    print()
    failed = False
    for on, off in pairs:
        for r in (on, off):
            if r is None:
                continue
            run = "readers" if r.readers else "reference"
            expected = r.duration / PERIOD_S
            spread = (
                f"{min(r.per_paced)}-{max(r.per_paced)} commits per paced writer "
                f"(about {expected:.0f} expected)"
                if r.per_paced
                else "no paced writer"
            )
            slow = sum(1 for ms in r.paced_ms + r.full_ms if ms > 1000)
            print(
                f"{r.level:>3} coders, {run}: {spread}; commits over 1 s (all writers): {slow}; "
                f"phantom events {r.phantom}; reader errors {r.reader_errors}"
            )
            for e in r.errors[:5]:
                print(f"    {e}")
            failed |= bool(r.lost or r.locked or r.phantom or r.errors)
    top = max(pairs, key=lambda p: p[0].level)[0]
    ref = next((off for on, off in pairs if on is top), None)
    vs = f" (no readers: p99 {pct(ref.paced_ms, 99):.1f} ms)" if ref else ""
    print()
    print(
        f"one host ({os.cpu_count()} CPUs): {top.level} coders at 1 label/{PERIOD_S:g} s "
        f"+ {args.fast} full-speed writer(s) ({top.full_commits / top.duration:.0f} labels/s) "
        f"with agree and export looping: p50 {pct(top.paced_ms, 50):.1f} ms, "
        f"p99 {pct(top.paced_ms, 99):.1f} ms{vs}, {top.lost} lost, {top.locked} locked"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
