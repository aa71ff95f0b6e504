"""Agreement benchmark: workbench.agreement against krippendorff and nltk.

Not a test: it measures and prints, it never asserts on time. Run it with

    python bench/agreement_bench.py                      # 1M units, best of 3
    python bench/agreement_bench.py --units 200000 --nltk-units 20000 --repeat 5

Data (seeded by --seed): 3 coders x --units units x 12 nominal categories. Each
unit has a true category; each coder gives it with probability 0.7, otherwise a
uniformly random category (which may coincide with the true one); then 10% of
the cells are blanked (NaN). The same draw feeds every contender:

  * workbench.agreement.krippendorff_alpha(array, level="nominal") -- the fast
    path, a units x coders float64 array with NaN for missing;
  * krippendorff.alpha(reliability_data=array.T, value_domain=range(12),
    level_of_measurement="nominal") -- coders x units, a C-contiguous copy made
    before timing;
  * nltk AnnotationTask(data=[(coder, unit, label), ...]).alpha() on the first
    --nltk-units units (missing cells omitted), against ours on the same units;
  * workbench.agreement.bootstrap_alpha(first --boot-units units, n_resamples=1000,
    seed=0) for the bootstrap target;
  * the whole reliability computation of workbench.reliability (issue 11) on
    --report-units sentences x 3 coders of the Hasakah codebook's fields, as
    the report holds them (lists of values, None = missing): per field alpha
    with its 1,000-resample interval and q, every category (single-choice
    values; stance pairs and targets) with interval, q and prevalence, the
    sample-size check, per coder (distributions, alpha without, kappa with
    intervals), per article and five time windows, and codability; beside
    krippendorff_alpha alone on the same fields.

Times are the best (shortest) wall time of --repeat runs (nltk: --nltk-repeat).
"ratio" is theirs/ours, so above 1 means workbench is faster.

Peak memory is measured in fresh subprocesses, one per library, so neither
pollutes the other. The child loads the array from a .npy file, builds its
input layout, imports everything, then records ru_maxrss as the baseline; the
first call gives the ru_maxrss delta (peak RSS growth, tracemalloc off); a
second call under tracemalloc gives the traced peak (numpy registers its
buffers with tracemalloc, so this counts array temporaries even if untouched).

Targets: ours >= 10x faster than krippendorff at 1M units, alphas equal to
1e-9, ours <= 1/5 of krippendorff's peak memory, bootstrap (100k x 3, 1000
resamples) <= 2 s, the whole reliability computation (100k x 3, 1000 resamples)
<= 10 s.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N_CODERS = 3
N_CATEGORIES = 12
P_AGREE = 0.7
P_MISSING = 0.1
MB = 1024 * 1024


def make_codes(n_units: int, seed: int) -> np.ndarray:
    """units x coders float64 codes 0..11, NaN = missing (see the module docstring)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, N_CATEGORIES, size=n_units)
    codes = np.empty((n_units, N_CODERS), dtype=np.float64)
    for c in range(N_CODERS):
        agree = rng.random(n_units) < P_AGREE
        noise = rng.integers(0, N_CATEGORIES, size=n_units)
        codes[:, c] = np.where(agree, truth, noise)
    codes[rng.random((n_units, N_CODERS)) < P_MISSING] = np.nan
    return codes


def krippendorff_layout(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(reliability_data coders x units, value_domain) for krippendorff.alpha."""
    return np.ascontiguousarray(codes.T), np.arange(N_CATEGORIES, dtype=np.float64)


def nltk_triples(codes: np.ndarray) -> list[tuple[str, int, int]]:
    triples = []
    for c in range(codes.shape[1]):
        col = codes[:, c]
        present = np.flatnonzero(~np.isnan(col))
        name = f"c{c}"
        triples.extend(
            zip(
                [name] * len(present),
                present.tolist(),
                col[present].astype(int).tolist(),
                strict=True,
            )
        )
    return triples


def as_sequences(codes: np.ndarray) -> list[list[int | None]]:
    return [[None if v != v else int(v) for v in row] for row in codes.tolist()]


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float], Any]:
    times = []
    result = None
    for _ in range(max(repeat, 1)):
        result = None
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), times, result


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def machine() -> str:
    cpu = "?"
    mem = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return (
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"numpy {np.__version__}, krippendorff {version('krippendorff')}, "
        f"nltk {version('nltk')}\n"
        f"{platform.system()} {platform.machine()}, cpu_count {os.cpu_count()} "
        f"(usable {usable}), {cpu}, RAM {mem}"
    )


def fmt_ratio(num: float, den: float) -> str:
    return f"{num / den:.2f}" if den > 0 else "inf"


# --------------------------------------------------------------------------- children


def rss_now_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def child_generate(data_path: str, n_units: int, seed: int) -> int:
    """Run in a fresh interpreter, so data generation never inflates anyone's ru_maxrss."""
    np.save(data_path, make_codes(n_units, seed))
    return 0


def child_memory(which: str, data_path: str) -> int:
    """Run in a fresh interpreter: print JSON with ru_maxrss delta and tracemalloc peak."""
    start_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    codes = np.load(data_path)
    if which == "ours":
        from workbench.agreement import krippendorff_alpha

        def call() -> float:
            return float(krippendorff_alpha(codes, level="nominal"))
    else:
        import krippendorff

        rel, domain = krippendorff_layout(codes)

        def call() -> float:
            return float(
                krippendorff.alpha(
                    reliability_data=rel, value_domain=domain, level_of_measurement="nominal"
                )
            )

    gc.collect()
    base_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    base_rss = rss_now_mb()
    alpha = call()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    gc.collect()
    tracemalloc.start()
    alpha2 = call()
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "alpha": alpha,
                "alpha_traced": alpha2,
                "start_maxrss_mb": start_kb / 1024,
                "baseline_mb": base_kb / 1024,
                "baseline_rss_mb": base_rss,
                "rss_delta_mb": (peak_kb - base_kb) / 1024,
                "traced_peak_mb": traced_peak / MB,
            }
        )
    )
    return 0


def run_child(*child_args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *child_args],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        return {"error": f"exit {proc.returncode}: {proc.stderr.strip()[-2000:]}"}
    lines = proc.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def print_memory(mem: dict[str, dict[str, Any]], n_units: int) -> None:
    print()
    print(f"== peak memory, {n_units:,} units, each in a fresh subprocess ==")
    print(
        f"{'contender':14s} {'maxrss at start':>15s} {'baseline maxrss':>15s} "
        f"{'(VmRSS)':>8s} {'maxrss +MB':>11s} {'traced peak MB':>15s}"
    )
    for which, label in (("ours", "workbench"), ("theirs", "krippendorff")):
        m = mem[which]
        if "error" in m:
            print(f"{label:14s} FAILED {m['error']}")
            continue
        print(
            f"{label:14s} {m['start_maxrss_mb']:15.1f} {m['baseline_mb']:15.1f} "
            f"{m['baseline_rss_mb']:8.1f} {m['rss_delta_mb']:11.1f} {m['traced_peak_mb']:15.1f}"
        )
    if "error" in mem["ours"] or "error" in mem["theirs"]:
        return
    o, t = mem["ours"], mem["theirs"]
    for key, label in (("rss_delta_mb", "maxrss delta"), ("traced_peak_mb", "traced peak")):
        r = o[key] / t[key] if t[key] > 0 else float("nan")
        print(
            f"ours/theirs {label:13s} {r:.4f}  (1/{fmt_ratio(t[key], o[key])}; "
            f"target <= 0.2: {'meets' if r <= 0.2 else 'MISSES'})"
        )
    print(f"(children's alphas: ours {o['alpha']:.15f}, theirs {t['alpha']:.15f})")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=1_000_000, help="units (default 1e6)")
    parser.add_argument("--seed", type=int, default=20240601, help="data seed")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best of)")
    parser.add_argument("--nltk-units", type=int, default=100_000, help="units for nltk")
    parser.add_argument("--nltk-repeat", type=int, default=1, help="nltk runs (0 skips)")
    parser.add_argument("--boot-units", type=int, default=100_000, help="units for bootstrap")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory subprocesses")
    parser.add_argument(
        "--report-units",
        type=int,
        default=100_000,
        help="sentences for the reliability run (0 skips)",
    )
    parser.add_argument("--_child", choices=["gen", "ours", "theirs"], help=argparse.SUPPRESS)
    parser.add_argument("--_data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args._child == "gen":
        return child_generate(args._data, args.units, args.seed)
    if args._child:
        return child_memory(args._child, args._data)

    print(machine())
    # Order matters for ru_maxrss: on Linux a child inherits its parent's high-water mark
    # across fork/exec, so the data is generated in a child and the memory children run
    # while this process is still small; only then does it load the same file and time.
    mem: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="agreement_bench_") as tmp:
        data_path = str(Path(tmp) / "codes.npy")
        t0 = time.perf_counter()
        gen = run_child(
            "--_child", "gen", "--_data", data_path, "--units", str(args.units),
            "--seed", str(args.seed),
        )  # fmt: skip
        if "error" in gen:
            print(f"data generation FAILED {gen['error']}")
            return 1
        gen_s = time.perf_counter() - t0
        if not args.no_memory:
            mem = {w: run_child("--_child", w, "--_data", data_path) for w in ("ours", "theirs")}
        codes = np.load(data_path)

    import krippendorff

    from workbench.agreement import bootstrap_alpha, krippendorff_alpha

    rel, domain = krippendorff_layout(codes)
    present = ~np.isnan(codes)
    per_unit = present.sum(axis=1)
    print(
        f"data: {N_CODERS} coders x {args.units:,} units x {N_CATEGORIES} categories, "
        f"seed {args.seed}, p(agree with truth) {P_AGREE}, "
        f"missing {1 - present.mean():.2%} of cells, "
        f"units with >=2 codes {np.mean(per_unit >= 2):.2%} "
        f"(array {codes.nbytes / MB:.1f} MB, generated in a subprocess in {gen_s:.2f} s)"
    )

    # ---- 1M: ours vs krippendorff -----------------------------------------------------
    print()
    print(f"== krippendorff_alpha vs krippendorff.alpha, nominal, {args.units:,} units ==")
    print(f"{'contender':44s} {'best s':>9s}  runs")
    ours_s, ours_runs, ours_alpha = best_of(
        lambda: krippendorff_alpha(codes, level="nominal"), args.repeat
    )
    print(f"{'workbench krippendorff_alpha (array)':44s} {ours_s:9.4f}  {fmt_runs(ours_runs)}")
    kr_s, kr_runs, kr_alpha = best_of(
        lambda: krippendorff.alpha(
            reliability_data=rel, value_domain=domain, level_of_measurement="nominal"
        ),
        args.repeat,
    )
    print(f"{'krippendorff.alpha':44s} {kr_s:9.4f}  {fmt_runs(kr_runs)}")
    ratio = kr_s / ours_s
    print(
        f"speed ratio theirs/ours {ratio:.1f}x  "
        f"(target >= 10x: {'meets' if ratio >= 10 else 'MISSES'})"
    )
    diff = abs(float(ours_alpha) - float(kr_alpha))
    print(f"alpha ours   {float(ours_alpha):.15f}")
    print(f"alpha theirs {float(kr_alpha):.15f}")
    print(f"|difference| {diff:.3e}  (target <= 1e-9: {'meets' if diff <= 1e-9 else 'MISSES'})")
    rel = None  # release the coders x units copy before the next sections

    # ---- memory (measured above, before this process grew) -----------------------------
    if mem:
        print_memory(mem, args.units)

    # ---- nltk --------------------------------------------------------------------------
    if args.nltk_repeat > 0:
        from nltk.metrics.agreement import AnnotationTask

        n = min(args.nltk_units, args.units)
        sub = np.ascontiguousarray(codes[:n])
        print()
        print(f"== krippendorff_alpha vs nltk AnnotationTask.alpha, nominal, {n:,} units ==")
        if n != 100_000:
            print(f"(nltk run on {n:,} units, not 100,000: --nltk-units {args.nltk_units})")
        triples = nltk_triples(sub)
        seqs = as_sequences(sub)
        print(f"{len(triples):,} (coder, unit, label) triples, missing cells omitted")
        print(f"{'contender':44s} {'best s':>9s}  runs")
        o_s, o_runs, o_alpha = best_of(
            lambda: krippendorff_alpha(sub, level="nominal"), args.repeat
        )
        print(f"{'workbench krippendorff_alpha (array)':44s} {o_s:9.4f}  {fmt_runs(o_runs)}")
        q_s, q_runs, q_alpha = best_of(
            lambda: krippendorff_alpha(seqs, level="nominal"), args.repeat
        )
        print(f"{'workbench krippendorff_alpha (list, None)':44s} {q_s:9.4f}  {fmt_runs(q_runs)}")

        load_times: list[float] = []

        def nltk_alpha() -> float:
            t = time.perf_counter()
            task = AnnotationTask(data=triples)
            load_times.append(time.perf_counter() - t)
            return task.alpha()

        n_s, n_runs, n_alpha = best_of(nltk_alpha, args.nltk_repeat)
        print(
            f"{'nltk AnnotationTask(data=...).alpha()':44s} {n_s:9.4f}  {fmt_runs(n_runs)}"
            f"  (of which AnnotationTask load {min(load_times):.2f} s)"
        )
        print(
            f"speed ratio nltk/ours (array) {n_s / o_s:,.0f}x, nltk/ours (list) {n_s / q_s:,.1f}x"
        )
        print(f"alpha ours (array) {float(o_alpha):.15f}")
        print(f"alpha ours (list)  {float(q_alpha):.15f}")
        print(f"alpha nltk         {float(n_alpha):.15f}")
        print(
            f"|difference| array-nltk {abs(float(o_alpha) - float(n_alpha)):.3e}, "
            f"list-nltk {abs(float(q_alpha) - float(n_alpha)):.3e}"
        )
        del triples, seqs

    # ---- bootstrap ---------------------------------------------------------------------
    nb = min(args.boot_units, args.units)
    boot = np.ascontiguousarray(codes[:nb])
    print()
    print(f"== bootstrap_alpha, nominal, {nb:,} units x {N_CODERS} coders, 1000 resamples ==")
    b_s, b_runs, b_res = best_of(
        lambda: bootstrap_alpha(boot, level="nominal", n_resamples=1000, seed=0), args.repeat
    )
    b_alpha, (lo, hi) = b_res
    print(
        f"best {b_s:.4f} s  runs {fmt_runs(b_runs)}  "
        f"(target <= 2 s: {'meets' if b_s <= 2 else 'MISSES'})"
    )
    print(f"alpha {float(b_alpha):.6f}, 95% interval ({float(lo):.6f}, {float(hi):.6f})")

    if args.report_units > 0:
        reliability_section(args.report_units, args.seed, args.repeat)
    return 0


# --------------------------------------------------------------------------- reliability

STATUS_P = {"labeled": 0.85, "skipped": 0.05, "flagged": 0.03, "draft": 0.02, None: 0.05}
SENTENCES_PER_ARTICLE = 20


def make_fields(
    n: int, seed: int
) -> tuple[dict[str, Any], list[list[str | None]], list[str], list[float]]:
    """Hasakah-codebook fields for n sentences x 3 coders, as report.FieldData.units holds them.

    Returns ({field: (kind, level, units, codebook values or (targets, polarities))},
    statuses, article of each sentence, commit time of each sentence). A coder
    gives the true value with probability 0.7 (status: 0.8; stance: keeps the true set, else
    drops one pair or adds one; 60% of true sets empty, 32% one pair, 8% two,
    pairs drawn with Zipf weights); only "labeled" sentences carry values.
    """
    from workbench.codebook import load_codebook

    book = load_codebook(ROOT / "labels" / "hasakah.toml")
    by_id = {f.id: f for f in book.fields}
    rng = np.random.default_rng(seed)
    names = list(STATUS_P)
    # Codability: each sentence has a true status; a coder gives it with
    # probability 0.8, else one drawn from STATUS_P.
    truth = rng.choice(len(names) - 1, size=n, p=np.array(list(STATUS_P.values())[:-1]) / 0.95)
    noise = rng.choice(len(names), size=(n, N_CODERS), p=list(STATUS_P.values()))
    status_codes = np.where(rng.random((n, N_CODERS)) < 0.8, truth[:, None], noise)
    statuses = [[names[c] for c in row] for row in status_codes.tolist()]
    labeled = status_codes == names.index("labeled")
    fields: dict[str, Any] = {}
    for fid in ("claim_type", "speaker", "confidence"):
        f = by_id[fid]
        values = list(f.value_ids)
        k = len(values)
        truth = rng.integers(0, k, n)
        agree = rng.random((n, N_CODERS)) < P_AGREE
        codes = np.where(agree, truth[:, None], rng.integers(0, k, (n, N_CODERS)))
        units = [
            [values[c] if ok else None for c, ok in zip(row, oks, strict=True)]
            for row, oks in zip(codes.tolist(), labeled.tolist(), strict=True)
        ]
        level = "ordinal" if f.kind == "ordinal" else "nominal"
        fields[fid] = (f.kind, level, units, values)
    f = by_id["stance"]
    pairs = [f"{t}:{p}" for t in f.target_ids for p in f.polarity_ids]
    # A few stances are common (blame on Turkey), most rare: Zipf weights.
    weights = 1 / np.arange(1, len(pairs) + 1)
    weights /= weights.sum()
    popular = rng.permutation(len(pairs))

    def draw(size: int) -> set[str]:
        picks = rng.choice(len(pairs), size=size, replace=False, p=weights)
        return {pairs[popular[i]] for i in picks}

    units = []
    for i in range(n):
        r = rng.random()
        truth_set = draw(0 if r < 0.6 else 1 if r < 0.92 else 2)
        row: list[frozenset[str] | None] = []
        for c in range(N_CODERS):
            if not labeled[i, c]:
                row.append(None)
                continue
            given = set(truth_set)
            if rng.random() >= P_AGREE:  # drop one pair, or add one
                if given and rng.random() < 0.5:
                    given.discard(sorted(given)[rng.integers(len(given))])
                else:
                    given |= draw(1)
            row.append(frozenset(given))
        units.append(row)
    fields["stance"] = ("stance", "masi", units, (f.target_ids, f.polarity_ids))
    articles = [f"art-{i // SENTENCES_PER_ARTICLE:05d}" for i in range(n)]
    times = np.sort(rng.random(n) * 86_400 * 30).tolist()  # a month of commits
    return fields, statuses, articles, times


def reliability_section(n: int, seed: int, repeat: int) -> None:
    from workbench import reliability as rel
    from workbench.agreement import encode, krippendorff_alpha

    t0 = time.perf_counter()
    fields, statuses, articles, times = make_fields(n, seed)
    gen_s = time.perf_counter() - t0
    coders = [f"c{c}" for c in range(N_CODERS)]
    tests = {}
    for fid, (kind, _, _, values) in fields.items():
        if kind == "stance":
            tests[fid] = rel.category_tests("stance", targets=values[0], polarities=values[1])
        elif kind == "single":
            tests[fid] = rel.category_tests("single", values=values)
        else:
            tests[fid] = None
    n_categories = sum(len(t or ()) for t in tests.values())
    print()
    print(
        f"== reliability (workbench.reliability), {n:,} sentences x {N_CODERS} coders, "
        f"fields {', '.join(fields)}; {n_categories} categories; 1000 resamples =="
    )
    print(
        f"(statuses {STATUS_P}; values only on labeled; lists of values as the report "
        f"holds them, generated in {gen_s:.1f} s)"
    )

    def order_of(kind: str, values: Any) -> list[str] | None:
        return list(values) if kind == "ordinal" else None

    def alpha_alone() -> dict[str, float]:
        return {
            fid: krippendorff_alpha(u, level, order_of(kind, values))
            for fid, (kind, level, u, values) in fields.items()
        }

    parts: dict[str, float] = {}

    def timed(name: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        out = fn(*args, **kwargs)
        parts[name] = parts.get(name, 0.0) + time.perf_counter() - t
        return out

    def whole() -> dict[str, Any]:
        parts.clear()
        out: dict[str, Any] = {"fields": {}}
        boot = {"n_resamples": 1000, "seed": 0}
        for fid, (kind, level, raw, values) in fields.items():
            order = order_of(kind, values)
            # Encoded once; every function takes the Encoded as it takes lists.
            units = timed("encode", encode, raw, order)
            order = None
            field = timed(
                "field: alpha, CI, q, sample size, categories",
                rel.field_reliability, units, level, order, tests[fid], **boot,
            )  # fmt: skip
            field["coders"] = timed(
                "per coder (kappa CIs, alpha without)",
                rel.coder_reliability, units, coders, level, order, **boot,
            )  # fmt: skip
            field["by_article"] = timed(
                "per article", rel.alpha_by_article, units, articles, level, order
            )
            field["over_time"] = timed(
                "over time (5 windows)", rel.alpha_over_time, units, times, 5, level, order
            )
            out["fields"][fid] = field
        out["codability"] = timed("codability", rel.codability, statuses, coders, **boot)
        return out

    a_s, a_runs, alphas = best_of(alpha_alone, repeat)
    w_s, w_runs, report = best_of(whole, repeat)
    print(f"{'contender':44s} {'best s':>9s}  runs")
    print(f"{'krippendorff_alpha alone, every field':44s} {a_s:9.4f}  {fmt_runs(a_runs)}")
    print(f"{'whole reliability computation':44s} {w_s:9.4f}  {fmt_runs(w_runs)}")
    print(
        f"ratio whole/alpha alone {w_s / a_s:.1f}x  "
        f"(target whole <= 10 s: {'meets' if w_s <= 10 else 'MISSES'})"
    )
    print("last run by part (s): " + ", ".join(f"{k} {v:.3f}" for k, v in parts.items()))
    for fid, f in report["fields"].items():
        size = f["sample_size"]
        ci = f["alpha_ci"]
        print(
            f"  {fid:11s} alpha {f['krippendorff_alpha']:.4f} (alone {alphas[fid]:.4f}) "
            f"CI [{ci[0]:.4f}, {ci[1]:.4f}] q(.8) {f['alpha_below']['0.8']:.3f}  "
            f"units {f['units']:,}, rarest {size['rarest']!s} p={size['prevalence']:.4f} "
            f"needs {size['required_units']:,} units; {len(f['categories'])} categories; "
            f"mean kappa {f['coders']['cohen_kappa_mean']:.4f}; "
            f"{len(f['by_article']):,} articles"
        )
    c = report["codability"]
    print(
        f"  codability  alpha {c['krippendorff_alpha']:.4f} CI [{c['alpha_ci'][0]:.4f}, "
        f"{c['alpha_ci'][1]:.4f}] units {c['units']:,}"
    )


def fmt_runs(times: list[float]) -> str:
    return " ".join(f"{t:.4f}" for t in times)


if __name__ == "__main__":
    raise SystemExit(main())
