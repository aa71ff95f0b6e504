"""Labels survive `kill -9`: the installed `workbench label` (or `$WORKBENCH_CMD`,
see tests/tmux.py), driven in tmux."""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

from tests.tmux import WORKBENCH, Tmux, import_corpus, needs_tmux, shell_command

pytestmark = needs_tmux


def labels(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT s.idx, l.status, l.data FROM labels l JOIN sentences s ON s.id = l.sentence_id"
            " ORDER BY s.idx"
        ).fetchall()
    finally:
        conn.close()


def test_labels_survive_sigkill_and_the_coder_resumes(tmp_path):
    if not os.environ.get("WORKBENCH_CMD", "").strip():
        assert WORKBENCH.exists(), "the console script is installed with the package"
    db = import_corpus(tmp_path / "kill.db")
    command = shell_command("label", "--db", db, "--coder", "amina", "--display", "app")
    first = Tmux(command)
    try:
        first.wait_for("coder amina")
        first.keys("Enter")  # open the first article
        first.wait_for("sentence 1/18")
        first.keys("1", "Enter")
        first.wait_for("sentence 2/18")
        first.keys("7", "Enter")
        first.wait_for("article 2/18")
        os.kill(first.pid(), signal.SIGKILL)  # no chance to flush or close anything
    finally:
        first.close()
    saved = labels(db)
    assert [(i, status) for i, status, _ in saved] == [(0, "labeled"), (1, "labeled")]
    assert '"casualty_figure"' in saved[0][2] and '"denial"' in saved[1][2]

    second = Tmux(command)
    try:
        second.wait_for("coder amina")
        second.keys("Enter")
        shown = second.wait_for("sentence 3/18")  # resumes at the first sentence not done
        assert "article 2/18" in shown
    finally:
        second.close()


def test_gold_survives_sigkill(tmp_path, codebook):
    from tests.test_gold import code_disagreements
    from workbench.store import Store

    db = import_corpus(tmp_path / "gold.db")
    with Store(db) as store:
        code_disagreements(store, codebook)
    session = Tmux(
        shell_command("review", "--db", db, "--adjudicator", "dana", "--display", "terminal")
    )
    try:
        session.wait_for("queue 1/4")
        session.keys("M", "j", "j", "j", "2", "Enter")  # majority, then badr's claim type
        session.wait_for("decided 1")
        os.kill(session.pid(), signal.SIGKILL)
    finally:
        session.close()
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT status, data FROM gold").fetchall()
    finally:
        conn.close()
    assert len(rows) == 1 and rows[0][0] == "labeled" and '"denial"' in rows[0][1]
