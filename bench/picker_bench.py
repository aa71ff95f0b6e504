"""Speaker picker benchmark: SpeakerIndex.search per keystroke, against a naive scan.

Not a test: it measures and prints, it never asserts on time. Run it with

    python bench/picker_bench.py                    # 5,000 speakers, 3 aliases each
    python bench/picker_bench.py --speakers 20000 --typed 100

The registry is synthetic and seeded: each speaker has an English label, an
Arabic label and three Arabic aliases of one to four words, built from
Arabic-looking words (random letters, often with the article ال and the
proclitics و ب ل), so that words share prefixes and letters as real names do.

Queries are what a coder types: every prefix, letter by letter, of --typed
names drawn from the registry (some with one letter changed, as a typo).
Each is timed as one `search(query)` call (limit 30). The reference is
`workbench.speakers.reference_search`: the same matches computed by a plain
loop comparing the query with every word of every name; it is run on a
sample of the keystrokes (it is slow) and its results must equal the
index's. Target: p95 per keystroke well under 5 ms, construction under 1 s
for 20,000 names.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.speakers import Speaker, SpeakerIndex, reference_search

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويةىأإء"
LATIN = "abcdefghijklmnopqrstuvwxyz"


def arabic_word(rng: random.Random, vocabulary: list[str]) -> str:
    word = rng.choice(vocabulary)
    roll = rng.random()
    if roll < 0.45:
        word = "ال" + word
    if rng.random() < 0.15:
        word = rng.choice("وبل") + word
    return word


def registry(n: int, aliases: int, seed: int) -> list[Speaker]:
    rng = random.Random(seed)
    vocabulary = [
        "".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 7))) for _ in range(4000)
    ]

    def name() -> str:
        return " ".join(arabic_word(rng, vocabulary) for _ in range(rng.randint(1, 4)))

    speakers = []
    for i in range(n):
        label = " ".join(
            "".join(rng.choice(LATIN) for _ in range(rng.randint(3, 9)))
            for _ in range(rng.randint(1, 3))
        )
        speakers.append(
            Speaker(f"s{i}", label, name(), tuple(name() for _ in range(aliases)), None)
        )
    return speakers


def keystrokes(speakers: list[Speaker], typed: int, seed: int) -> list[str]:
    rng = random.Random(seed + 1)
    queries = []
    for _ in range(typed):
        s = rng.choice(speakers)
        text = rng.choice((s.label_ar, *s.aliases))
        if rng.random() < 0.2 and len(text) > 5:  # a typo in the middle
            i = rng.randrange(1, len(text) - 1)
            if text[i] != " ":
                text = text[:i] + rng.choice(LETTERS) + text[i + 1 :]
        queries.extend(text[:i] for i in range(1, len(text) + 1))
    return queries


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speakers", type=int, default=5000)
    parser.add_argument("--aliases", type=int, default=3)
    parser.add_argument("--typed", type=int, default=200, help="names typed letter by letter")
    parser.add_argument("--naive", type=int, default=150, help="keystrokes timed on the reference")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    speakers = registry(args.speakers, args.aliases, args.seed)
    names = sum(len(s.names) for s in speakers)
    print(f"python {platform.python_version()} on {platform.machine()}")
    print(f"registry: {len(speakers):,} speakers, {names:,} names (seed {args.seed})")

    builds = []
    for _ in range(3):
        start = time.perf_counter()
        index = SpeakerIndex(speakers)
        builds.append(time.perf_counter() - start)
    print(f"SpeakerIndex construction: {min(builds) * 1000:.0f} ms (best of 3)")

    queries = keystrokes(speakers, args.typed, args.seed)
    index.search("warm up")
    times = []
    for q in queries:
        start = time.perf_counter()
        index.search(q)
        times.append((time.perf_counter() - start) * 1000)

    rng = random.Random(args.seed + 2)
    sample = rng.sample(range(len(queries)), min(args.naive, len(queries)))
    naive_times, fast_times, mismatches = [], [], 0
    for i in sample:
        start = time.perf_counter()
        expected = reference_search(speakers, queries[i])
        naive_times.append((time.perf_counter() - start) * 1000)
        fast_times.append(times[i])
        mismatches += index.search(queries[i]) != expected

    print(f"keystrokes: {len(queries):,} queries from {args.typed} typed names")
    print(f"{'':24}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    rows = [
        ("SpeakerIndex.search", times),
        ("  (same sample)", fast_times),
        ("naive reference scan", naive_times),
    ]
    for label, values in rows:
        print(
            f"{label:24}{statistics.median(values):10.3f}{percentile(values, 0.95):10.3f}"
            f"{max(values):10.3f}"
        )
    ratio = statistics.median(naive_times) / statistics.median(fast_times)
    print(f"naive / index, median over the same {len(sample)} keystrokes: {ratio:,.0f}x")
    print(f"results equal to the reference: {len(sample) - mismatches}/{len(sample)}")


if __name__ == "__main__":
    main()
