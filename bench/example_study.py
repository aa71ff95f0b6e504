"""The README's "A study, step by step" (not a benchmark): a study in rounds
on the bundled corpus, run through the real commands. Coding is simulated:
each person's labels come from one seeded "truth" per sentence with their
own error rate (`bench/example_project.py`); every other step is the
`workbench` command the README shows, and its output is printed as a
transcript.

    .venv/bin/python bench/example_study.py exports/study.db
"""

from __future__ import annotations

import random
import shlex
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from example_project import noisy, truth

from workbench.codebook import load_codebook
from workbench.rounds import get_round, sentence_ids
from workbench.store import Store

ROOT = Path(__file__).resolve().parent.parent
WORKBENCH = Path(sys.executable).parent / "workbench"
V1 = ROOT / "labels" / "hasakah.toml"
V2 = ROOT / "labels" / "hasakah-1.2.0.toml"
ERRORS = {"lead": 0.0, "amina": 0.08, "omar": 0.3}  # omar fails training; then improves
MERGED = {"threat_assessment": "background"}  # what 1.2.0 merged


def run(db: Path | None, *args: str) -> None:
    """Run `workbench ARGS --db DB` and print it as the README shows it."""
    shown = " ".join(shlex.quote(str(a)) for a in args)
    print(f"$ workbench {shown}" + (f" --db {db.name}" if db else ""))
    where = ["--db", str(db)] if db else []
    result = subprocess.run([WORKBENCH, *args, *where], cwd=ROOT, capture_output=True, text=True)
    print((result.stdout + result.stderr).rstrip())
    print()


def code(db: Path, coder: str, sids: list[int], codebook: Path, error: float) -> None:
    """`coder` labels `sids` as `workbench label` would, from the seeded truth."""
    book, first = load_codebook(codebook), load_codebook(V1)
    with Store(db) as store:
        book_id = store.register_codebook(book)
        rng = random.Random(f"{coder}-{len(sids)}-{sids[0]}")
        for sid in sids:
            if store.label(sid, coder) is not None:
                continue  # done already (in the reliability sample): as the screen skips it
            true = truth(random.Random(sid), first)
            label = noisy(rng, first, true, error)
            if book.version != "1.1.0":
                label["claim_type"] = MERGED.get(label["claim_type"], label["claim_type"])
            store.set_label(sid, coder, data=label, codebook_id=book_id)
    print(f"# ({coder} codes {len(sids)} sentences in `workbench label --coder {coder}`)\n")


def article(db: Path, ext_id: str) -> list[int]:
    with Store(db) as store:
        found = store.article_by_ext_id(ext_id)
        assert found is not None
        return [s.id for s in store.sentences(found.id)]


def round_sentences(db: Path, name: str) -> list[int]:
    with Store(db) as store:
        return sentence_ids(store, get_round(store, name))


def main(out: str) -> None:
    db = Path(out).resolve()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    run(db, "import", "corpus/")
    # 1. Training against the lead's key.
    code(db, "lead", article(db, "hasakah-01"), V1, ERRORS["lead"])
    run(
        db, "round", "create", "training-1", "--kind", "training", "--coders", "amina,omar",
        "--articles", "hasakah-01", "--key", "lead", "--by", "lead",
    )  # fmt: skip
    for coder in ("amina", "omar"):
        code(db, coder, article(db, "hasakah-01"), V1, ERRORS[coder])
    run(db, "round", "show", "training-1")
    run(db, "round", "close", "training-1", "--by", "lead")
    # 2. Pilot.
    run(
        db, "round", "create", "pilot-1", "--kind", "pilot", "--coders", "amina,omar",
        "--articles", "hasakah-02", "--by", "lead",
    )  # fmt: skip
    for coder, error in (("amina", 0.08), ("omar", 0.15)):
        code(db, coder, article(db, "hasakah-02"), V1, error)
    run(db, "round", "close", "pilot-1", "--by", "lead")
    # The lead's first single-coded pass over the rest, while the pilot ran.
    for ext_id in ("hasakah-03", "hasakah-04", "hasakah-05"):
        code(db, "lead", article(db, ext_id), V1, 0.05)
    # 3. The codebook revision.
    run(None, "codebook", "diff", "labels/hasakah.toml", "labels/hasakah-1.2.0.toml")
    # 4. Reliability on a stratified sample, under the revised codebook (its
    # first use on this database: the revision is applied to the labels).
    run(
        db, "round", "create", "reliability-1", "--kind", "reliability", "--coders", "amina,omar",
        "--sample", "40", "--stratify-by", "claim_type", "--seed", "7", "--by", "lead",
        "--codebook", "labels/hasakah-1.2.0.toml",
    )  # fmt: skip
    run(db, "stats")
    for coder, error in (("amina", 0.08), ("omar", 0.12)):
        code(db, coder, round_sentences(db, "reliability-1"), V2, error)
    run(db, "round", "close", "reliability-1", "--by", "lead")
    run(db, "agree", "--round", "reliability-1", "--format", "markdown")
    # 5. Production.
    run(
        db, "round", "create", "production", "--kind", "production", "--coders", "amina,omar",
        "--articles", "hasakah-03,hasakah-04,hasakah-05", "--by", "lead",
    )  # fmt: skip
    code(db, "amina", article(db, "hasakah-05"), V2, 0.08)
    # 6. A later revision that changes what a claim type means.
    v3 = db.with_name("hasakah-1.3.0.toml")
    text = V2.read_text(encoding="utf-8").replace('version = "1.2.0"', 'version = "1.3.0"', 1)
    old_help = 'help = "Rejects a charge, rumour or rival claim."'
    new_help = 'help = "Rejects a charge, rumour or rival claim, or a share of the blame."'
    v3.write_text(text.replace(old_help, new_help, 1), encoding="utf-8")
    run(None, "codebook", "diff", "labels/hasakah-1.2.0.toml", str(v3.relative_to(ROOT)))
    code(db, "omar", article(db, "hasakah-05"), v3, 0.12)
    run(db, "round", "list")
    run(db, "agree", "--round", "reliability-1", "--format", "methods")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "exports/study.db")
