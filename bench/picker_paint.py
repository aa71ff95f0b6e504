"""Picker latency in the app: a keystroke in the speaker picker to the ranked
list painted, on a registry of 5,000 speakers with 3 aliases each (issue 9
target: p95 <= 16 ms). Not a test: prints figures.

Measured per keystroke through Pilot at 120x40: from just before
`pilot.press(char)` to the return of `pilot.pause()` after it, which waits
for the screen to be refreshed. That includes Pilot's own round trip, so it
is an upper bound of key -> painted. Printed beside it, for the same
keystrokes: `SpeakerIndex.search` alone (the part the registry size drives).

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

from bench.picker_bench import percentile, registry  # noqa: E402
from workbench.codebook import load_codebook  # noqa: E402
from workbench.corpus import import_paths  # noqa: E402
from workbench.speakers import SpeakerIndex  # noqa: E402
from workbench.store import Store  # noqa: E402
from workbench.tui.app import WorkbenchApp  # noqa: E402


def build(path: Path, n: int) -> list[str]:
    """A corpus database whose registry has `n` more speakers; returns typed queries."""
    store = Store(path)
    import_paths(store, [ROOT / "corpus" / "hasakah-2022"])
    store.register_codebook(load_codebook(ROOT / "labels" / "hasakah.toml"))
    speakers = registry(n, 3, seed=9)
    with store.transaction():
        for s in speakers:
            store._ensure_entity("speaker", s.key, s.label, s.label_ar, s.names)
    store.close()
    rng = random.Random(10)
    return [rng.choice((s.label_ar, *s.aliases)) for s in rng.sample(speakers, 60)]


async def drive(path: Path, queries: list[str], limit: int) -> tuple[list[float], list[float]]:
    store = Store(path)
    book = load_codebook(ROOT / "labels" / "hasakah.toml")
    article = store.articles()[0].id
    app = WorkbenchApp(store, book, coder="bench", display="app", open_article=article, blink=False)
    painted: list[float] = []
    searched: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        index = None
        for query in queries:
            await pilot.press("space")
            await pilot.pause()
            if index is None:
                index = SpeakerIndex.from_store(store, "speaker")
            for i, char in enumerate(query):
                t0 = time.perf_counter()
                await pilot.press(char if char != " " else "space")
                await pilot.pause()
                painted.append(time.perf_counter() - t0)
                t1 = time.perf_counter()
                index.search(query[: i + 1])
                searched.append(time.perf_counter() - t1)
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
    random.seed(9)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "picker.db"
        queries = build(path, args.speakers)
        painted, searched = asyncio.run(drive(path, queries, args.keys))
    print(f"picker, {args.speakers:,} speakers x 3 aliases, {len(painted)} keystrokes, 120x40, app")
    print(f"{'measure':<44} {'p50':>8} {'p95':>8} {'max':>8}")
    for name, values in (
        ("key -> ranked list painted (Pilot, upper bound)", painted),
        ("SpeakerIndex.search alone", searched),
    ):
        ms = [v * 1000 for v in values]
        print(f"{name:<44} {percentile(ms, 0.5):8.2f} {percentile(ms, 0.95):8.2f} {max(ms):8.2f}")
    p95 = percentile([v * 1000 for v in painted], 0.95)
    print(f"target p95 <= 16 ms: {'met' if p95 <= 16 else 'missed'} ({p95:.1f} ms)")


if __name__ == "__main__":
    main()
