"""Synthetic corpora for the benchmarks, recombined from the sample articles.

Shared by import_bench, export_bench and label_latency so that they measure
the same kind of text; a change here invalidates their cached databases
(the file is one of their build inputs).
"""

from __future__ import annotations

import json
import os
import platform
import random
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from workbench.segment import sentence_spans

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "corpus" / "hasakah-2022"
OUTLETS = ("", "العربي الجديد", "الاتحاد ميديا", "عنب بلدي", "نورث برس", "هاوار", "الجزيرة نت")


def sample_sentences() -> list[str]:
    """Every distinct sentence of the sample articles, each on one line."""
    seen: dict[str, None] = {}
    for path in sorted(SAMPLES.glob("*.txt")):
        text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
        for start, end in sentence_spans(text):
            sentence = " ".join(text[start:end].split())
            if sentence:
                seen.setdefault(sentence, None)
    if not seen:
        raise SystemExit(f"no sample sentences found in {SAMPLES}")
    return list(seen)


def generate_articles(
    n: int, seed: int, pool: list[str] | None = None, id_prefix: str = "art"
) -> list[dict[str, str]]:
    """n unique articles {"id", "title", "text", "outlet", "date"}: 8-25
    paragraphs of 1-3 sample sentences, a headline line 70% of the time."""
    rng = random.Random(seed)
    pool = pool if pool is not None else sample_sentences()
    headlines = [s.rstrip(".") for s in pool if 20 <= len(s) <= 110] or pool
    articles: list[dict[str, str]] = []
    texts: set[str] = set()
    while len(articles) < n:
        paragraphs = [
            " ".join(rng.choice(pool) for _ in range(rng.randint(1, 3)))
            for _ in range(rng.randint(8, 25))
        ]
        title = rng.choice(headlines) if rng.random() < 0.7 else ""
        text = "\n".join([title, *paragraphs] if title else paragraphs)
        if text in texts:  # recombination collided: draw again
            continue
        texts.add(text)
        articles.append(
            {
                "id": f"{id_prefix}-{len(articles) + 1:05d}",
                "title": title,
                "text": text,
                "outlet": rng.choice(OUTLETS),
                "date": f"2022-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d}",
            }
        )
    return articles


# -- cached benchmark databases ------------------------------------------------


def cached_meta(
    db: Path, want: dict[str, Any], rebuild: bool, say: Callable[[str], None]
) -> dict[str, Any] | None:
    """The metadata of the cached `db` if it was built from the same inputs
    (`want`, its fingerprint) and no rebuild was asked for; else None, with
    the database's files removed so that it can be built afresh."""
    meta_path = db.with_suffix(".json")
    if not rebuild and db.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("fingerprint") == want:
            meta["cached"] = True
            return meta
        say(f"cached {db.name} is stale (inputs changed): rebuilding")
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return None


def write_articles(articles: Iterable[dict[str, str]], path: Path) -> None:
    """Articles as a JSONL file that `workbench import` reads."""
    with path.open("w", encoding="utf-8") as out:
        for article in articles:
            out.write(json.dumps(article, ensure_ascii=False) + "\n")


def machine(folder: Path, packages: Iterable[str] = ()) -> str:
    """The machine a benchmark ran on: Python, SQLite, CPUs, OS, the file
    system of `folder` (a tmpfs and a disk give different commit times) and
    the load averages (other work on the machine skews every figure)."""
    from importlib import metadata

    fs = "?"
    try:
        mounts = [line.split() for line in Path("/proc/mounts").read_text().splitlines()]
        best = max(
            (m for m in mounts if str(folder).startswith(m[1])),
            key=lambda m: len(m[1]),
            default=None,
        )
        fs = f"{best[2]} on {best[1]}" if best else "?"
    except OSError:
        pass
    load = load_average()
    versions = "".join(f", {name} {metadata.version(name)}" for name in packages)
    return (
        f"python {platform.python_version()} ({platform.python_implementation()}){versions}, "
        f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs, "
        f"{platform.system()} {platform.release()} {platform.machine()}; "
        f"temp folder fs: {fs}; {load}"
    )


def load_average() -> str:
    """The 1/5/15-minute load averages: other work on the machine skews every figure."""
    try:
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average ?"


def fresh_copy(pristine: Path, path: Path) -> Path:
    """`pristine` copied to `path`, with no -wal or -shm of an earlier run beside it."""
    import shutil

    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(pristine, path)
    return path
