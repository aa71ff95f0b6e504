"""The installed `workbench` command on the bundled corpus."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CODEBOOK, CORPUS, ROOT
from workbench.store import Store


def workbench_command() -> list[str]:
    script = Path(sys.executable).parent / "workbench"
    return [str(script)] if script.exists() else [sys.executable, "-m", "workbench"]


def cli(*args: str, db: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*workbench_command(), *args, "--db", str(db)]
        if args[0] != "codebook"
        else [*workbench_command(), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        cwd=ROOT,
    )


def test_console_script_imports_then_reports_unchanged(db_path):
    first = cli("import", str(CORPUS), db=db_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("imported 5 new article(s)")
    again = cli("import", str(CORPUS), db=db_path)
    assert again.returncode == 0
    assert again.stdout.strip() == "nothing to import: all 5 articles already stored, unchanged"


def test_stats_lists_articles_and_coder_progress(db_path):
    cli("import", str(CORPUS), db=db_path)
    with Store(db_path) as store:
        article = store.articles()[2]
        for s in store.sentences(article.id)[:3]:
            store.set_label(s.id, "amina", data={})
        store.set_label(store.sentences(article.id)[3].id, "amina", status="skipped")
    out = cli("stats", db=db_path)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "5 articles" in text and "الاتحاد ميديا" in text and "2022-01-24" in text
    assert "آخر تطورات الوضع في الحسكة" in text
    # Untitled articles show their first words.
    assert "أعلن المركز الإعلامي لقوات" in text
    assert f"4/{article.sentences}" in text
    assert "amina" in text


def test_stats_without_database_is_a_clear_error(tmp_path):
    out = cli("stats", db=tmp_path / "none.db")
    assert out.returncode == 1
    assert (
        out.stderr.strip()
        == f"error: {tmp_path / 'none.db'}: no such database (run `workbench import` first)"
    )


def test_db_from_environment(tmp_path):
    db = tmp_path / "env.db"
    out = subprocess.run(
        [*workbench_command(), "import", str(CORPUS)],
        capture_output=True,
        text=True,
        env={**os.environ, "WORKBENCH_DB": str(db)},
    )
    assert out.returncode == 0, out.stderr
    assert db.exists()


def test_python_dash_m_workbench(db_path):
    out = subprocess.run(
        [sys.executable, "-m", "workbench", "import", str(CORPUS), "--db", str(db_path)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0 and "imported 5" in out.stdout


@pytest.mark.skipif(not CODEBOOK.exists(), reason="codebook not written yet")
def test_codebook_check_passes_on_the_bundled_codebook(db_path):
    out = cli("codebook", "check", str(CODEBOOK), db=db_path)
    assert out.returncode == 0, out.stderr
    assert "hasakah-stance" in out.stdout


def test_codebook_check_reports_located_errors(tmp_path, db_path):
    broken = tmp_path / "broken.toml"
    shutil.copy(CODEBOOK, broken)
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace('kind = "single"', 'kind = "singel"', 1), encoding="utf-8")
    out = cli("codebook", "check", str(broken), db=db_path)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert f"{broken}:" in out.stderr and "singel" in out.stderr


def test_label_refuses_an_empty_database_and_an_unknown_article(tmp_path, db_path):
    Store(tmp_path / "empty.db").close()
    out = cli("label", "--coder", "amina", db=tmp_path / "empty.db")
    assert out.returncode == 1 and "no articles: run `workbench import PATH` first" in out.stderr
    cli("import", str(CORPUS), db=db_path)
    out = cli("label", "--coder", "amina", "--article", "nope", db=db_path)
    assert out.returncode == 1 and "no article with id 'nope'" in out.stderr
    assert "Traceback" not in out.stderr
