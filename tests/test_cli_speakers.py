"""`workbench speakers list|rename|alias|merge` on the bundled corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CODEBOOK, CORPUS, article_id
from tests.test_cli import cli
from workbench.codebook import load_codebook
from workbench.registry import create_speaker, list_speakers
from workbench.store import Store


@pytest.fixture
def project(tmp_path) -> Path:
    db = tmp_path / "project.db"
    assert cli("import", str(CORPUS), db=db).returncode == 0
    with Store(db) as store:
        store.register_codebook(load_codebook(CODEBOOK))
        key = create_speaker(store, "speaker", "مصدر عسكري [bold]x[/bold]\x1b[31m", "amina")
        sentence = store.sentences(article_id(store, "hasakah-02"))[0].id
        store.set_label(sentence, "amina", data={"speaker": key})
    return db


def test_cli_speakers_list_table_and_json(project):
    out = cli("speakers", "list", db=project)
    assert out.returncode == 0, out.stderr
    assert "global_coalition" in out.stdout and "جون برينان" in out.stdout
    assert "[bold]x[/bold]" in out.stdout and "\x1b" not in out.stdout  # data, not markup
    assert "amina" in out.stdout and "codebook" in out.stdout
    data = json.loads(cli("speakers", "list", "--format", "json", db=project).stdout)
    by_key = {d["key"]: d for d in data}
    added = next(d for d in data if d["created_by"] == "amina")
    assert added["labels"] == 1 and by_key["sdf"]["labels"] == 0
    assert "قسد" in by_key["sdf"]["aliases"]
    app = cli("speakers", "list", "--display", "app", db=project)
    assert app.returncode == 0 and "جون برينان" not in app.stdout  # reshaped, reordered


def test_cli_speakers_rename_alias_merge(project):
    renamed = cli("speakers", "rename", "security_source", "--label", "Security source", db=project)
    assert renamed.returncode == 0, renamed.stderr
    assert renamed.stdout.strip() == "renamed speaker security_source: Security source"
    alias = cli("speakers", "alias", "security_source", "مصادر أمنية", "مصدر أمني رفيع", db=project)
    assert alias.stdout.strip() == (
        "speaker security_source: 1 alias(es) added: مصدر أمني رفيع; 1 already its own"
    )
    clash = cli("speakers", "alias", "isis", "قسد", db=project)
    assert clash.returncode == 1 and "Traceback" not in clash.stderr
    assert clash.stderr.strip() == (
        "error: 'قسد' already names speaker 'sdf' (SDF (media centre, General Command))"
    )
    with Store(project) as store:
        dup = next(s.key for s in list_speakers(store, "speaker") if s.created_by == "amina")
    merged = cli("speakers", "merge", dup, "security_source", db=project)
    assert merged.returncode == 0, merged.stderr
    assert merged.stdout.strip() == (
        f"merged {dup} into security_source: 1 label(s) and 0 gold answer(s) re-pointed, "
        "1 name(s) moved"
    )
    again = cli("speakers", "merge", dup, "security_source", db=project)
    assert again.returncode == 1
    assert again.stderr.strip() == (
        f"error: speaker {dup!r} was merged into 'security_source'; use 'security_source'"
    )
    listed = json.loads(cli("speakers", "list", "--format", "json", db=project).stdout)
    assert dup not in [d["key"] for d in listed]
    assert next(d for d in listed if d["key"] == "security_source")["labels"] == 1


def test_cli_speakers_field_is_checked(project):
    out = cli("speakers", "list", "--field", "stance", db=project)
    assert out.returncode == 1
    assert out.stderr.strip() == (
        "error: 'stance' is not an entity field of codebook hasakah-stance 1.1.0 "
        "(entity fields: speaker)"
    )
    assert cli("speakers", "list", "--field", "speaker", db=project).returncode == 0


def test_cli_speakers_list_seeds_a_fresh_database(tmp_path):
    db = tmp_path / "fresh.db"
    assert cli("import", str(CORPUS), db=db).returncode == 0
    out = cli("speakers", "list", "--format", "json", db=db)
    assert out.returncode == 0, out.stderr
    keys = [d["key"] for d in json.loads(out.stdout)]
    assert keys == [v.id for v in load_codebook(CODEBOOK).fields[0].values]
