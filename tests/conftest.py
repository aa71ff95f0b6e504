from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from workbench.codebook import load_codebook
from workbench.corpus import import_paths
from workbench.store import Store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "hasakah-2022"
CODEBOOK = ROOT / "labels" / "hasakah.toml"
TUI_SIZE = (120, 40)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample corpus folder."""
    target = tmp_path / "hasakah-2022"
    shutil.copytree(CORPUS, target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture
def store(db_path: Path):
    """A database holding the sample corpus."""
    with Store(db_path) as s:
        import_paths(s, [CORPUS])
        yield s


@pytest.fixture
def codebook():
    return load_codebook(CODEBOOK)


def article_id(store: Store, ext_id: str) -> int:
    return next(a.id for a in store.articles() if a.ext_id == ext_id)


def dump(db: Path | str) -> list[str]:
    """Every row and schema statement: a database is "exactly as before" iff this is equal."""
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def coded(store, codebook):
    """(store, codebook id, sentence ids): three coders' labels on hasakah-01,
    one sentence per case adjudication handles (see `code_disagreements`)."""
    from tests.test_gold import code_disagreements

    return code_disagreements(store, codebook)
