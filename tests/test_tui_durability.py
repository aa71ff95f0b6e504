"""Labels survive `kill -9`: the installed `workbench label`, driven in tmux."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import CORPUS, ROOT

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")

WORKBENCH = Path(sys.executable).parent / "workbench"


class Tmux:
    def __init__(self, command: str):
        self.name = f"wb-{uuid.uuid4().hex[:8]}"
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", self.name, "-x", "120", "-y", "40", command],
            check=True,
            cwd=ROOT,
        )

    def screen(self) -> str:
        out = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        )
        return out.stdout

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; screen:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        for key in keys:
            subprocess.run(["tmux", "send-keys", "-t", self.name, key], check=True)
            time.sleep(0.15)

    def pid(self) -> int:
        out = subprocess.run(
            ["tmux", "list-panes", "-t", self.name, "-F", "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(out.stdout.split()[0])

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


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
    assert WORKBENCH.exists(), "the console script is installed with the package"
    db = tmp_path / "kill.db"
    subprocess.run([str(WORKBENCH), "import", str(CORPUS), "--db", str(db)], check=True)
    command = f"exec {WORKBENCH} label --db {db} --coder amina --display app"
    first = Tmux(command)
    try:
        first.wait_for("coder amina")
        first.keys("Enter")  # open the first article
        first.wait_for("sentence 1/18")
        first.keys("Space", *"outlet", "Enter", "1", "Enter")
        first.wait_for("sentence 2/18")
        first.keys('"', "7", "Enter")  # the same speaker as the sentence before
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

    db = tmp_path / "gold.db"
    subprocess.run([str(WORKBENCH), "import", str(CORPUS), "--db", str(db)], check=True)
    with Store(db) as store:
        code_disagreements(store, codebook)
    session = Tmux(f"exec {WORKBENCH} review --db {db} --adjudicator dana --display terminal")
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
