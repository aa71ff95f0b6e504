"""Picker latency in the app: a keystroke in the speaker picker to the ranked
list painted (issue 9 target: p95 <= 16 ms, one frame at 60 Hz), on a
registry of 5,000 speakers with 3 aliases each. Not a test: prints figures.

Measured as `bench/label_latency.py` measures `enter`, with its probe: from
just before `pilot.press(char)` to the end of the first frame, turned into
the escape sequences a terminal driver would write, whose text holds the
new best match (the highlighted row's label). Printed beside it, in the same
run on the same typed queries: the same measure on the bundled corpus's own
registry (11 seed speakers), so the ratio shows what the registry's size
costs, and `SpeakerIndex.search` alone.

    python bench/picker_paint.py [--speakers 5000] [--keys 400]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.label_latency import Probe, _instrument_app, dist_ms  # noqa: E402
from bench.picker_bench import registry  # noqa: E402
from workbench.codebook import load_codebook  # noqa: E402
from workbench.corpus import import_paths  # noqa: E402
from workbench.speakers import SpeakerIndex  # noqa: E402
from workbench.store import Store  # noqa: E402
from workbench.tui.app import WorkbenchApp  # noqa: E402

CODEBOOK = ROOT / "labels" / "hasakah.toml"


def build(path: Path, extra: int) -> list[str]:
    """The corpus with `extra` more speakers; returns names to type."""
    store = Store(path)
    import_paths(store, [ROOT / "corpus" / "hasakah-2022"])
    store.register_codebook(load_codebook(CODEBOOK))
    speakers = registry(extra, 3, seed=9)
    with store.transaction():
        for s in speakers:
            store._ensure_entity("speaker", s.key, s.label, s.label_ar, s.names)
    store.close()
    rng = random.Random(10)
    return [rng.choice((s.label_ar, *s.aliases)) for s in rng.sample(speakers, min(60, extra))]


async def drive(path: Path, queries: list[str], limit: int) -> tuple[list[float], list[float]]:
    """(key -> best match painted, search alone) per keystroke, in seconds."""
    store = Store(path)
    app = WorkbenchApp(
        store,
        load_codebook(CODEBOOK),
        coder="bench",
        display="app",
        open_article=store.articles()[0].id,
        blink=False,
    )
    probe = Probe()
    painted: list[float] = []
    searched: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        _instrument_app(app, probe)
        index = SpeakerIndex.from_store(store, "speaker")
        for query in queries:
            await pilot.press("space")
            await pilot.pause()
            for i, char in enumerate(query):
                t1 = time.perf_counter()
                best = index.search(query[: i + 1], limit=1)
                searched.append(time.perf_counter() - t1)
                if not best:
                    continue
                probe.arm(best[0].label)
                t0 = time.perf_counter()
                await pilot.press(char if char != " " else "space")
                await pilot.pause()
                marks = probe.disarm()
                if "frame" in marks:
                    painted.append(marks["frame"] - t0)
                if len(painted) >= limit:
                    break
            await pilot.press("escape")
            await pilot.pause()
            if len(painted) >= limit:
                break
    store.close()
    return painted, searched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speakers", type=int, default=5000)
    parser.add_argument("--keys", type=int, default=400)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "big.db"
        queries = build(big, args.speakers)
        small = Path(folder) / "small.db"
        build(small, 0)
        # The same typed queries on both: on the small registry the best
        # match is then one of the 11 seeds (or none: that key is skipped).
        results["big"] = asyncio.run(drive(big, queries, args.keys))
        results["small"] = asyncio.run(drive(small, queries, args.keys))
    print(f"speaker picker, {len(results['big'][0])} keystrokes, 120x40, display app")
    print(f"{'ms':<58} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}")
    rows = (
        (f"key -> best match painted, {args.speakers:,} speakers x 3 aliases", results["big"][0]),
        ("key -> best match painted, the corpus's 11 speakers", results["small"][0]),
        (f"SpeakerIndex.search alone, {args.speakers:,} speakers", results["big"][1]),
    )
    for name, values in rows:
        if values:
            print(f"{name:<58} " + " ".join(f"{v:7.2f}" for v in dist_ms(values)))
    big_p95 = dist_ms(results["big"][0])[1]
    if results["small"][0]:
        small_p95 = dist_ms(results["small"][0])[1]
        print(f"ratio of p95, {args.speakers:,} / 11 speakers: {big_p95 / small_p95:.2f}x")
    print(f"target p95 <= 16 ms: {'met' if big_p95 <= 16 else 'missed'} ({big_p95:.1f} ms)")


if __name__ == "__main__":
    main()
