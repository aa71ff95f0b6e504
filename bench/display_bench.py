"""Display path benchmark (issue 10): long words, throughput, linear wrapping.

Not a test: it measures and prints, it never asserts on time. Run it with

    .venv/bin/python bench/display_bench.py              # 9 paints per article, 10 passes
    .venv/bin/python bench/display_bench.py --runs 3 --passes 3 --skip-paint

What it measures, on one machine in one run, each figure beside its reference:

1. Time to first paint of an article whose first sentence is one
   20,000-character word (Arabic "ط" x 20,000, and a Latin run), beside the
   same article with 20,000 characters of ordinary corpus words there
   instead (one sentence of the same length), and beside the article without
   that sentence. The long sentence comes first, so it is the current
   sentence (highlighted, the next one as context) when the article opens. A temporary corpus (JSONL) imported into a fresh `Store`;
   `WorkbenchApp(..., open_article=ID, blink=False)` under
   `app.run_test(size=(120, 40))`, both display modes. Measured from just
   before the app is built to the end of the first frame, turned into the
   escape sequences a terminal driver would write (bench/label_latency.py's
   `Probe` and `_instrument_app`), whose text holds the status line
   "sentence 1/N" (drawn in the same update as the sentences). The display
   caches are cleared before every run; the articles are interleaved, after
   one unmeasured warm-up run each (Textual's one-time costs); median and
   best of --runs.
2. Throughput of `display_lines` on every sentence of corpus/hasakah-2022
   (split with `sentence_spans`), both modes, widths 60 and 100: cold (the
   caches `_display_lines` and `visual_line` cleared before each pass) and
   warm (the same pass again). Beside it, the minimal work on the same
   wrapped lines: arabic_reshaper then python-bidi `get_display` per line
   (what app mode must at least do), and `textwrap.wrap` of the same
   sentences (what any wrapping costs). Best of --passes.
3. Wrapping one word of 2,000 / 4,000 / 10,000 / 20,000 characters at
   width 100: `wrap_logical`, and `display_lines` cold in both modes; time
   per 1,000 characters should stay flat (linear). The old wrapping was
   cubic: 2,000 characters took 1.7 s, 4,000 11 s, 10,000 175 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import textwrap
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.label_latency import Probe, _instrument_app, machine  # noqa: E402
from workbench import display  # noqa: E402
from workbench.codebook import load_codebook  # noqa: E402
from workbench.corpus import import_paths  # noqa: E402
from workbench.segment import sentence_spans  # noqa: E402
from workbench.store import Store  # noqa: E402

CODEBOOK = ROOT / "labels" / "hasakah.toml"
CORPUS = ROOT / "corpus" / "hasakah-2022"
SIZE = (120, 40)
LONG = 20_000
WORD_LENGTHS = (2_000, 4_000, 10_000, 20_000)
WIDTHS = (60, 100)
END_MARKS = frozenset(".!?؟…")
TITLE = "الآسايش تعلن القبض على خلية لداعش في الحسكة"


def say(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def clear_caches() -> None:
    display._display_lines.cache_clear()
    display.visual_line.cache_clear()


def corpus_sentences() -> list[str]:
    """Every sentence of the bundled corpus, in order (duplicates kept: the
    app displays what the articles hold)."""
    sentences = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
        sentences += [text[a:b] for a, b in sentence_spans(text) if text[a:b].strip()]
    return sentences


def ordinary_run(length: int) -> str:
    """Exactly `length` characters of corpus words, no sentence end among them."""
    words = [
        w
        for s in corpus_sentences()
        for w in s.split()
        if not END_MARKS & set(w) and w.isprintable()
    ]
    out: list[str] = []
    size = 0
    i = 0
    while size < length:
        out.append(words[i % len(words)])
        size += len(out[-1]) + 1
        i += 1
    text = " ".join(out)[:length]
    return text[:-1] + "ا" if text.endswith(" ") else text


# -- 1. first paint ------------------------------------------------------------


def paint_articles() -> dict[str, str]:
    """id -> text: a long first sentence (the one on screen when the article
    opens), then the same three corpus sentences."""
    tail = "\n".join(corpus_sentences()[1:4])
    firsts = {
        "word-arabic": "ط" * LONG,
        "word-latin": "x" * LONG,
        "ordinary": ordinary_run(LONG),
    }
    articles = {name: f"{first}\n{tail}" for name, first in firsts.items()}
    articles["short"] = tail
    return articles


def build_paint_db(folder: Path) -> tuple[Path, dict[str, tuple[int, int, int]]]:
    """The database; name -> (article row id, sentences, longest sentence in chars)."""
    texts = paint_articles()
    jsonl = folder / "paint.jsonl"
    with jsonl.open("w", encoding="utf-8") as f:
        for name, text in texts.items():
            f.write(
                json.dumps({"id": name, "title": TITLE, "text": text}, ensure_ascii=False) + "\n"
            )
    db = folder / "paint.db"
    store = Store(db)
    try:
        import_paths(store, [jsonl])
        store.register_codebook(load_codebook(CODEBOOK))
        info = {}
        for article in store.articles():
            sentences = store.sentences(article.id)
            longest = max(s.end - s.start for s in sentences)
            info[article.ext_id] = (article.id, len(sentences), longest)
    finally:
        store.close()
    for name in ("word-arabic", "word-latin", "ordinary"):
        if info[name][2] != LONG:
            raise SystemExit(f"{name}: the long sentence has {info[name][2]} characters")
    return db, info


async def _first_paint(db: Path, article: int, expected: str, mode: str) -> float:
    from workbench.tui.app import WorkbenchApp

    store = Store(db)
    codebook = load_codebook(CODEBOOK)
    probe = Probe()
    probe.arm(expected)
    try:
        t0 = time.perf_counter()
        app = WorkbenchApp(
            store, codebook, coder="bench", display=mode, open_article=article, blink=False
        )  # type: ignore[arg-type]
        _instrument_app(app, probe)
        async with app.run_test(size=SIZE) as pilot:
            deadline = time.perf_counter() + 120
            while "frame" not in probe.marks and time.perf_counter() < deadline:
                await pilot.pause(0.005)
            await app.workers.wait_for_complete()
        marks = probe.disarm()
    finally:
        store.close()
    if "frame" not in marks:
        raise SystemExit(f"{expected!r} never painted (article {article}, {mode})")
    return marks["frame"] - t0


def first_paint(db: Path, info: dict[str, tuple[int, int, int]], runs: int) -> dict:
    times: dict[tuple[str, str], list[float]] = {}
    for mode in display.DISPLAY_MODES:
        for aid, n, _ in info.values():  # warm-up: Textual's one-time costs
            clear_caches()
            asyncio.run(_first_paint(db, aid, f"sentence 1/{n}", mode))
        for run in range(runs):
            say(f"first paint, {mode} mode, run {run + 1}/{runs}")
            for name, (aid, n, _) in info.items():  # interleaved
                clear_caches()
                t = asyncio.run(_first_paint(db, aid, f"sentence 1/{n}", mode))
                times.setdefault((mode, name), []).append(t)
    return times


def report_paint(info: dict[str, tuple[int, int, int]], times: dict, runs: int) -> None:
    print(
        f"1. time to first paint, {SIZE[0]}x{SIZE[1]}, app built -> first frame with "
        f"'sentence 1/N', display caches cleared, median / best of {runs} (ms)"
    )
    rows = (
        ("word-arabic", f'one {LONG:,}-character word ("ط" x {LONG:,})'),
        ("word-latin", f'one {LONG:,}-character Latin run ("x" x {LONG:,})'),
        ("ordinary", f"reference: {LONG:,} characters of corpus words"),
        ("short", "the article without that sentence"),
    )
    header = f"{'':52}" + "".join(f"{m:>22}" for m in display.DISPLAY_MODES)
    print(header)
    for name, label in rows:
        cells = ""
        for mode in display.DISPLAY_MODES:
            t = times[(mode, name)]
            cells += f"{1000 * statistics.median(t):>13.0f} / {1000 * min(t):>6.0f}"
        print(f"  {label:50}{cells}")
    for name in ("word-arabic", "word-latin"):
        ratios = "".join(
            f"{statistics.median(times[(m, name)]) / statistics.median(times[(m, 'ordinary')]):>21.2f}x"
            for m in display.DISPLAY_MODES
        )
        print(f"  {'ratio ' + name + ' / ordinary (medians)':50}{ratios}")
    print(
        "  articles: a title, the long sentence (current), three corpus sentences; "
        + ", ".join(f"{k} {n} sentences" for k, (_, n, _) in info.items())
    )
    print()


# -- 2. throughput -----------------------------------------------------------------


def best(
    fn: Callable[..., object], passes: int, *args: object, before: Callable[[], None] | None = None
) -> float:
    """The shortest of `passes` timed calls `fn(*args)`, `before()` untimed before each."""
    out = float("inf")
    for _ in range(passes):
        if before is not None:
            before()
        t0 = time.perf_counter()
        fn(*args)
        out = min(out, time.perf_counter() - t0)
    return out


def _minimal_app_work(lines: list[str], reshape: Callable[[str], str]) -> None:
    from bidi import get_display

    for line in lines:
        get_display(reshape(line), base_dir="R")


def _textwrap(sentences: list[str], width: int) -> None:
    for s in sentences:
        textwrap.wrap(s, width)


def _display_all(sentences: list[str], width: int, mode: display.DisplayMode) -> None:
    for s in sentences:
        display.display_lines(s, width, mode)


def throughput(passes: int) -> None:
    import arabic_reshaper

    sentences = corpus_sentences()
    chars = sum(len(s) for s in sentences)
    reshaper = arabic_reshaper.ArabicReshaper(
        configuration={"delete_harakat": False, "shift_harakat_position": True}
    )
    print(
        f"2. display_lines throughput on corpus/hasakah-2022: {len(sentences)} sentences, "
        f"{chars:,} characters; best of {passes} passes"
    )
    header = f"  {'':58}{'ms/pass':>9}{'sentences/s':>13}{'lines/s':>11}{'Mchar/s':>9}{'x ref':>7}"
    print(header)
    for width in WIDTHS:
        logical = [line for s in sentences for line in display.wrap_logical(s, width)]
        ref = best(_minimal_app_work, passes, logical, reshaper.reshape)
        results = [
            (f"reference: reshape + get_display per wrapped line, w={width}", ref),
            (
                f"reference: textwrap.wrap of the sentences, w={width}",
                best(_textwrap, passes, sentences, width),
            ),
        ]
        for mode in display.DISPLAY_MODES:
            cold = best(_display_all, passes, sentences, width, mode, before=clear_caches)
            clear_caches()
            _display_all(sentences, width, mode)
            warm = best(_display_all, passes, sentences, width, mode)
            results.append((f"display_lines {mode}, cold, w={width}", cold))
            results.append((f"display_lines {mode}, warm, w={width}", warm))
        for label, t in results:
            print(
                f"  {label:58}{1000 * t:>9.2f}{len(sentences) / t:>13,.0f}{len(logical) / t:>11,.0f}"
                f"{chars / t / 1e6:>9.2f}{t / ref:>6.2f}x"
            )
    print(
        "  lines/s counts the wrapped lines at that width; x ref = time / the reshape + "
        "get_display reference at the same width"
    )
    print()


# -- 3. one long word ----------------------------------------------------------------


def long_words(passes: int) -> None:
    print("3. one word of N characters (Arabic 'ط' x N), width 100; best of passes (ms)")
    print(f"  {'N':>8}{'wrap_logical':>14}{'ms/1k chars':>12}{'app, cold':>12}{'ms/1k':>8}"
          f"{'terminal, cold':>16}{'ms/1k':>8}")  # fmt: skip
    for n in WORD_LENGTHS:
        word = "ط" * n
        row = f"  {n:>8,}"
        wrap = best(display.wrap_logical, passes, word, 100)
        row += f"{1000 * wrap:>14.2f}{1e6 * wrap / n:>12.3f}"
        for mode, cell in (("app", 12), ("terminal", 16)):
            t = best(display.display_lines, passes, word, 100, mode, before=clear_caches)
            row += f"{1000 * t:>{cell}.2f}{1e6 * t / n:>8.3f}"
        print(row)
    print("  linear = flat ms/1k chars; the old cubic wrapping: 2,000 chars 1.7 s, 10,000 175 s")
    print()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="first paints per article and mode")
    parser.add_argument("--passes", type=int, default=10, help="passes per throughput figure")
    parser.add_argument("--skip-paint", action="store_true", help="skip part 1 (the app)")
    args = parser.parse_args(argv)
    print("display path benchmark (bench/display_bench.py)")
    print(machine())
    print()
    if not args.skip_paint:
        with tempfile.TemporaryDirectory(prefix="workbench-display-bench-") as folder:
            db, info = build_paint_db(Path(folder))
            times = first_paint(db, info, args.runs)
        report_paint(info, times, args.runs)
    throughput(args.passes)
    long_words(args.passes)


if __name__ == "__main__":
    main()
