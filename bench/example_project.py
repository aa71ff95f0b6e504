"""The README's example project (not a benchmark): the bundled corpus, three
coders on two per article, labels generated from one seeded "truth" per
sentence with each coder's own error rate, some skips and flags. The
README's agreement report and methods paragraph come from this database.

    .venv/bin/python bench/example_project.py exports/example.db
    .venv/bin/workbench agree --format markdown --db exports/example.db
    .venv/bin/workbench agree --format methods --db exports/example.db
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from workbench.assign import assign, assignments
from workbench.codebook import load_codebook
from workbench.corpus import import_paths
from workbench.store import Store

ROOT = Path(__file__).resolve().parent.parent
CODERS = {"amina": 0.10, "omar": 0.18, "leila": 0.25}  # each coder's error rate
SKIP, FLAG = 0.04, 0.02


def truth(rng: random.Random, book) -> dict:
    """One sentence's "true" code: a speaker, a claim type, a stance, a confidence."""
    speakers = [v.id for v in book.field("speaker").values]
    claims = list(book.field("claim_type").value_ids)
    stance = book.field("stance")
    pairs = []
    if rng.random() < 0.55:
        pairs.append(
            {
                "target": rng.choice(list(stance.target_ids)[:6]),
                "polarity": rng.choice(list(stance.polarity_ids)[:3]),
            }
        )
    return {
        "speaker": rng.choice(speakers[:6]) if rng.random() < 0.8 else "outlet",
        "claim_type": rng.choices(claims, weights=[4, 5, 4, 1, 3, 2, 1, 6, 2])[0],
        "stance": pairs,
        "confidence": rng.choice(["2", "3", "3"]),
    }


def noisy(rng: random.Random, book, true: dict, error: float) -> dict:
    code = {k: (list(v) if isinstance(v, list) else v) for k, v in true.items()}
    other = truth(rng, book)
    for field in code:
        if rng.random() < error:
            code[field] = other[field]
    return code


def main(out: str) -> None:
    path = Path(out)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    book = load_codebook(ROOT / "labels" / "hasakah.toml")
    rng = random.Random(2022)
    with Store(path) as store:
        import_paths(store, [ROOT / "corpus"])
        book_id = store.register_codebook(book)
        assign(store, list(CODERS), per_article=2, seed=1)
        for article_id, coders in assignments(store).items():
            for sentence in store.sentences(article_id):
                true = truth(rng, book)
                for coder in coders:
                    roll = rng.random()
                    if roll < SKIP:
                        store.set_label(sentence.id, coder, status="skipped", codebook_id=book_id)
                    elif roll < SKIP + FLAG:
                        code = noisy(rng, book, true, CODERS[coder])
                        store.set_label(
                            sentence.id, coder, status="flagged", data=code, codebook_id=book_id
                        )
                    else:
                        code = noisy(rng, book, true, CODERS[coder])
                        store.set_label(sentence.id, coder, data=code, codebook_id=book_id)
    print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "exports/example.db")
