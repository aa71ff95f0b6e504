from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "hasakah-2022"
CODEBOOK = ROOT / "labels" / "hasakah.toml"


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
