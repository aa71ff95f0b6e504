"""Issue 13, acceptance: study rounds in the real `workbench` command, typed
at in tmux 30 ms a key.

1. A trainee in a training round (terminal mode, 120x40) sees the round's
   articles first, codes a sentence, and is shown the key's answer; after
   `workbench round close` the same label is refused on screen, saying why,
   and stays as it was in the database.
2. After a codebook revision (app mode, 80x24), ctrl+r takes the coder to the
   label to recheck, shows the merged value carried over, and enter commits
   it under the new version.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CODEBOOK, ROOT
from tests.tmux import Tmux, export_rows, import_corpus, needs_tmux, run_workbench, shell_command
from workbench.codebook import load_codebook
from workbench.store import Store

pytestmark = needs_tmux

INTERVAL = 0.03
REVISED = ROOT / "labels" / "hasakah-1.2.0.toml"


def flat(screen: str) -> str:
    return " ".join(screen.split())


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return import_corpus(tmp_path / "study.db")


def code(db: Path, ext_id: str, coder: str, claims: list[str], codebook_path: Path) -> list[int]:
    """`coder`'s labels on an article's first sentences (an expert's key, or
    labels made before a revision), through the store."""
    book = load_codebook(codebook_path)
    with Store(db) as store:
        article = store.article_by_ext_id(ext_id)
        assert article is not None
        book_id = store.register_codebook(book)
        sentences = store.sentences(article.id)
        for sentence, claim in zip(sentences, claims, strict=False):
            data = {"speaker": "sdf", "stance": [], "claim_type": claim}
            store.set_label(sentence.id, coder, data=data, codebook_id=book_id)
        return [s.id for s in sentences]


def toasts(screen: str) -> str:
    """The text of the toasts on screen: each toast line follows a "▌" at
    the right of the screen, beside other widgets' text, so it is read on its own."""
    return " ".join(line.rsplit("▌", 1)[1].strip() for line in screen.splitlines() if "▌" in line)


def amina_labels(db: Path) -> dict[int, dict]:
    return {r["sentence_index"]: r for r in export_rows(db, "labels", "--coder", "amina")}


def test_a_trainee_is_shown_the_key_and_a_closed_round_refuses(db: Path) -> None:
    code(db, "hasakah-01", "lead", ["military_operation"] * 30, CODEBOOK)
    run_workbench(
        "round", "create", "train-1", "--kind", "training", "--coders", "amina",
        "--articles", "hasakah-01", "--key", "lead", "--by", "lead", "--db", db,
    )  # fmt: skip
    command = shell_command("label", "--coder", "amina", "--display", "terminal", "--db", db)
    with Tmux(command, (120, 40)) as pane:
        listing = flat(pane.wait_for("round train-1"))
        assert "◆ round train-1: done 0/18" in listing
        first_row = next(line for line in pane.screen().splitlines() if "hasakah-0" in line)
        assert "hasakah-01" in first_row and "◆" in first_row  # the round's article first
        pane.keys("Enter", interval=INTERVAL)
        pane.wait_for("round train-1 (training)")
        # Speaker SDF through the picker, claim type 1 (casualty_figure): the
        # key says military_operation.
        pane.keys("Space", "قسد", "Enter", "1", "Enter", interval=INTERVAL)
        shown = toasts(pane.wait_for(lambda s: "Key (lead)" in s))
        assert "✓ Speaker" in shown and "✗ Claim type: key says Military/security" in shown
        pane.keys("q", interval=INTERVAL)
        assert pane.wait_exit(10)
    assert amina_labels(db)[0]["labels"]["claim_type"] == "casualty_figure"

    run_workbench("round", "close", "train-1", "--by", "lead", "--db", db)
    with Tmux(command, (120, 40)) as pane:
        pane.wait_for("hasakah-01")
        pane.keys("Enter", interval=INTERVAL)
        pane.wait_for("final: round train-1 is closed")
        pane.keys("2", "Enter", interval=INTERVAL)
        shown = toasts(pane.wait_for(lambda s: "Not saved" in s))
        assert "closed training round 'train-1'" in shown
        pane.keys("q", interval=INTERVAL)  # the edit cannot be saved either: q again quits
        pane.wait_for("Press q again")
        pane.keys("q", interval=INTERVAL)
        assert pane.wait_exit(10)
    assert amina_labels(db)[0]["labels"]["claim_type"] == "casualty_figure"


def test_ctrl_r_steps_to_a_recheck_and_enter_settles_it(db: Path) -> None:
    # amina coded hasakah-01 under 1.1.0; its second sentence as a threat
    # assessment, a value 1.2.0 merges into background.
    code(db, "hasakah-01", "amina", ["military_operation", "threat_assessment"], CODEBOOK)
    command = shell_command(
        "label", "--coder", "amina", "--display", "app", "--codebook", REVISED, "--db", db
    )
    with Tmux(command, (80, 24)) as pane:
        pane.wait_for("hasakah-01")
        assert "to recheck" in flat(pane.screen())
        pane.keys("Enter", interval=INTERVAL)
        pane.wait_for("sentence")
        pane.keys("C-r", interval=INTERVAL)
        shown = flat(pane.wait_for(lambda s: "recheck" in s and "sentence 2/" in s))
        assert "⟳ recheck" in shown
        pane.keys("Enter", interval=INTERVAL)
        pane.keys("C-r", interval=INTERVAL)
        pane.wait_for("No label of yours is waiting")
        pane.keys("q", interval=INTERVAL)
        assert pane.wait_exit(10)
    rows = amina_labels(db)
    assert rows[1]["labels"]["claim_type"] == "background"
    assert rows[1]["codebook"] == {"name": "hasakah-stance", "version": "1.2.0"}
    assert rows[0]["codebook"]["version"] == "1.2.0"  # untouched by the revision: carried over
    assert rows[0]["labels"]["claim_type"] == "military_operation"
