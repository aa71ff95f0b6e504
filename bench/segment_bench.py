"""Segmentation benchmark: workbench.segment against sentencex and uniseg.

Not a test: it measures and prints, it never asserts on time. Run it with

    python bench/segment_bench.py                        # ~5 MB, best of 5 (uniseg: 1 run)
    python bench/segment_bench.py --size 1000000 --repeat 7 --uniseg-repeat 2

The input is the five sample articles (corpus/hasakah-2022), joined with a
blank line between them and repeated until the text is at least --size
characters. The same string goes to each segmenter:

  * workbench.segment.sentence_spans(text)  (offsets; the public fast path)
  * workbench.segment.segment(text)         (offsets + line/quote flags; shown for reference)
  * sentencex.segment("ar", text)
  * uniseg.sentencebreak.sentences(text)    (pure Python and slow: ~5 min for 5 MB,
                                              so it runs once unless told otherwise)

Each result is materialised as a list. The figure is the best (shortest) wall
time of the runs, printed as characters per second; "ours/theirs" divides our
chars/s by theirs, so a value above 1 means sentence_spans is faster.
Target: sentence_spans at least as fast as sentencex.
"""

from __future__ import annotations

import argparse
import gc
import platform
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workbench.segment import segment, sentence_spans  # noqa: E402

CORPUS = ROOT / "corpus" / "hasakah-2022"


def build_text(size: int) -> str:
    articles = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("hasakah-0*.txt"))]
    unit = "\n\n".join(a.strip("\n") for a in articles) + "\n\n"
    copies = -(-size // len(unit))
    return unit * copies


def best_of(fn: Callable[[str], object], text: str, repeat: int) -> tuple[float, int]:
    best = float("inf")
    count = 0
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn(text)
        dt = time.perf_counter() - t0
        count = len(result)  # type: ignore[arg-type]
        del result
        best = min(best, dt)
    return best, count


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=5_000_000, help="characters (default 5e6)")
    parser.add_argument("--repeat", type=int, default=5, help="runs for ours and sentencex")
    parser.add_argument("--uniseg-repeat", type=int, default=1, help="runs for uniseg (0 skips)")
    args = parser.parse_args(argv)

    import sentencex
    from uniseg.sentencebreak import sentences as uniseg_sentences

    text = build_text(args.size)
    print(
        f"input: {len(text):,} chars ({len(text.encode('utf-8')) / 1e6:.1f} MB UTF-8), "
        f"{text.count(chr(10)):,} line breaks, the 5 corpus articles repeated"
    )
    print(
        f"python {platform.python_version()}, sentencex {version('sentencex')}, "
        f"uniseg {version('uniseg')}"
    )
    candidates: list[tuple[str, Callable[[str], object], int]] = [
        ("workbench sentence_spans", sentence_spans, args.repeat),
        ("workbench segment", segment, args.repeat),
        ("sentencex.segment('ar')", lambda t: list(sentencex.segment("ar", t)), args.repeat),
    ]
    if args.uniseg_repeat > 0:
        candidates.append(
            ("uniseg sentences", lambda t: list(uniseg_sentences(t)), args.uniseg_repeat)
        )

    results: dict[str, tuple[float, int]] = {}
    print()
    print(f"{'segmenter':28s} {'runs':>4s} {'best s':>9s} {'chars/s':>14s} {'sentences':>10s}")
    for name, fn, repeat in candidates:
        dt, count = best_of(fn, text, repeat)
        results[name] = (dt, count)
        print(f"{name:28s} {repeat:4d} {dt:9.4f} {len(text) / dt:14,.0f} {count:10,d}")

    ours = len(text) / results["workbench sentence_spans"][0]
    print()
    for name, (dt, _) in results.items():
        if name.startswith("workbench"):
            continue
        theirs = len(text) / dt
        print(f"ours/theirs vs {name:24s} {ours / theirs:8.2f}x")
    verdict = "meets" if ours >= len(text) / results["sentencex.segment('ar')"][0] else "MISSES"
    print(f"target (sentence_spans at least as fast as sentencex): {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
