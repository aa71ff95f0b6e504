"""Issue 9, acceptance: the real `workbench` command, typed at in tmux at a person's speed.

Each test starts the command in a tmux window of 120x40 (the assertions read
only the start of the status lines, with whitespace folded), sends keys one at a time 20-50 ms
apart without waiting for the screen, reads the screen with `capture-pane`,
and then checks what was *stored*: `workbench export --kind labels|gold -o -`
or the database's `coders` table. A test never passes on screen text alone.

What they hold the app to (design.md, "Contracts, part 2"): keys apply in the
order typed, to the sentence on screen when they were typed, modals (the
speaker picker) included; `enter` on a sentence with a required field unset
stays there and names what is missing; `q` quits from every screen; the
who-is-coding screen takes the typed name, never a highlighted one.

Run (tmux needed; without it every test is skipped):

    .venv/bin/pytest -q tests/test_tui_typing.py

By default they drive the console script installed beside the running
Python (`.venv/bin/workbench`, i.e. the checkout the venv was installed
from). `WORKBENCH_CMD` points them at another command line; leading
`NAME=value` words are set in its environment:

    WORKBENCH_CMD='PYTHONPATH=/path/to/checkout /path/to/.venv/bin/python -m workbench' \\
        .venv/bin/pytest -q tests/test_tui_typing.py

The helper (private tmux server per test, session killed at the end even on
failure) is tests/tmux.py; tests/test_tui_durability.py uses it too.
"""

from __future__ import annotations

import random
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import article_id
from tests.tmux import Tmux, export_rows, import_corpus, needs_tmux, shell_command
from workbench import gold
from workbench.codebook import Codebook
from workbench.store import Store

pytestmark = needs_tmux

TERMINAL = ("--display", "terminal")
TYPE_AHEAD_ARTICLE = "hasakah-03"  # the longest: 41 sentences
TYPE_AHEAD_SENTENCES = 41
REVIEW_ARTICLE = "hasakah-01"
REVIEW_SENTENCES = 6


def flat(screen: str) -> str:
    """The screen with every run of whitespace one space: a status line that
    wraps at 80 columns still reads "coder omar"."""
    return " ".join(screen.split())


def coders_in(db: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [name for (name,) in conn.execute("SELECT name FROM coders ORDER BY name")]
    finally:
        conn.close()


def quit_and_wait(session: Tmux) -> None:
    """Press q and give the app a few seconds to end (not asserted here:
    `test_q_quits` checks quitting; the data is read either way)."""
    session.keys("q")
    session.wait_exit(5.0)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A fresh database with the bundled corpus, imported by the command under test."""
    return import_corpus(tmp_path / "typing.db")


@pytest.fixture
def disagreeing_db(db: Path, codebook: Codebook) -> Path:
    """amina and omar coded the first six sentences of hasakah-01 alike except
    for claim_type (speaker outlet, no stance, confidence 2 for both)."""
    claims = codebook.field("claim_type").value_ids
    with Store(db) as store:
        book = store.register_codebook(codebook)
        sentences = store.sentences(article_id(store, REVIEW_ARTICLE))[:REVIEW_SENTENCES]
        for i, sentence in enumerate(sentences):
            for coder, claim in (("amina", claims[i % 9]), ("omar", claims[(i + 4) % 9])):
                store.set_label(
                    sentence.id,
                    coder,
                    data={
                        "speaker": "outlet",
                        "stance": [],
                        "claim_type": claim,
                        "confidence": "2",
                    },
                    codebook_id=book,
                )
    return db


# -- 1. q quits ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("screen", "args", "ready"),
    [
        ("article list", ("label", "--coder", "amina"), r"5 articles"),
        ("labeling", ("label", "--coder", "amina", "--article", "hasakah-01"), r"sentence \d+/18"),
        ("review", ("review", "--adjudicator", "dana"), r"queue 1/"),
    ],
    ids=["list", "labeling", "review"],
)
def test_q_quits(disagreeing_db: Path, screen: str, args: tuple[str, ...], ready: str) -> None:
    """Wait for the screen, press q once: the process is gone within 5 s."""
    with Tmux(shell_command(*args, *TERMINAL, "--db", disagreeing_db)) as session:
        session.wait_for(lambda shown: re.search(ready, shown) is not None)
        session.keys("q")
        ended = session.wait_exit(5.0)
        shown = session.screen()
        assert ended, f"q on the {screen} screen did not quit; screen:\n{shown}"
        assert "Traceback" not in shown, f"the app crashed on q:\n{shown}"
        assert session.exit_status() in (0, None), shown


# -- 2. who is coding ------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "fixture", "name", "ready", "role"),
    [
        ("label", "db", "omar", "5 articles", "coder"),
        ("review", "disagreeing_db", "dana", "queue 1/", "adjudicator"),
    ],
    ids=["coder", "adjudicator"],
)
def test_who_is_working_takes_the_typed_name(
    request: pytest.FixtureRequest, command: str, fixture: str, name: str, ready: str, role: str
) -> None:
    """Other people exist (amina, for review also omar); the person types a
    new name and enter (30 ms a key): the session is that name's, on screen
    and in the coders table, never an existing person's."""
    db: Path = request.getfixturevalue(fixture)
    with Store(db) as store:
        store.ensure_coder("amina")
        others = [c for c in store.coders() if c != name]
    doing = "coding" if role == "coder" else "adjudicating"
    with Tmux(shell_command(command, *TERMINAL, "--db", db)) as session:
        session.wait_for(f"Who is {doing}?")
        session.keys(*name, "Enter", interval=0.03)
        shown = flat(session.poll(ready, timeout=15.0) or session.screen())
        coders = coders_in(db)
        quit_and_wait(session)
    assert name in coders, f"no {role} {name} was created (coders: {coders}); screen:\n{shown}"
    assert f"{role} {name}" in shown, shown
    assert not any(f"{role} {other}" in shown for other in others), shown


def test_esc_then_q_typed_fast_goes_back_and_quits(db: Path) -> None:
    """esc and q 30 ms apart reach the app as one ESC q sequence (Textual
    reads it as alt+q): it must still be esc (back to the list), then q."""
    args = ("label", "--coder", "amina", "--article", "hasakah-01")
    with Tmux(shell_command(*args, *TERMINAL, "--db", db)) as session:
        session.wait_for(lambda shown: re.search(r"sentence \d+/18", shown) is not None)
        session.keys("3", "Escape", "q", interval=0.03)
        ended = session.wait_exit(5.0)
        shown = session.screen()
    assert ended, f"esc q did not quit; screen:\n{shown}"
    assert "Traceback" not in shown, shown
    assert [r["status"] for r in export_rows(db, "labels", "--status", "draft")] == ["draft"]


# -- 3. type-ahead over a whole article ------------------------------------------


@pytest.mark.parametrize("interval", [0.02, 0.05], ids=["20ms", "50ms"])
def test_type_ahead_codes_every_sentence(db: Path, codebook: Codebook, interval: float) -> None:
    """For every sentence of hasakah-03 (410 keys), in order and without looking:
    space, o u t l e t (the speaker picker's query: the seed speaker
    "Outlet / reporter" ranks first), enter (picks it), a claim-type digit
    (1-9 from a seeded random sequence; digit n = the n-th claim_type value
    of the codebook), enter (commit, next sentence). Then q and export:
    every sentence is labeled with speaker outlet, that claim type and no
    stance."""
    claims = codebook.field("claim_type").value_ids
    rng = random.Random(9)
    digits = [rng.randint(1, 9) for _ in range(TYPE_AHEAD_SENTENCES)]
    keys: list[str] = []
    for digit in digits:
        keys += ["Space", *"outlet", "Enter", str(digit), "Enter"]
    command = shell_command(
        "label", "--coder", "amina", "--article", TYPE_AHEAD_ARTICLE, *TERMINAL, "--db", db
    )
    with Tmux(command) as session:
        session.wait_for(f"sentence 1/{TYPE_AHEAD_SENTENCES}")
        session.keys(*keys, interval=interval)
        time.sleep(2.0)
        shown = session.screen()
        quit_and_wait(session)
    rows = [r for r in export_rows(db) if r["coder"] == "amina"]
    got = {r["sentence_index"]: _coded(r) for r in rows if r["article_id"] == TYPE_AHEAD_ARTICLE}
    want = {
        i: ("labeled", "outlet", claims[d - 1], []) for i, d in enumerate(digits)
    }  # (status, speaker, claim_type, stance)
    wrong = next((i for i in want if got.get(i) != want[i]), None)
    assert got == want, (
        f"{sum(got.get(i) == w for i, w in want.items())}/{len(want)} sentences coded as typed;"
        f" first wrong: sentence index {wrong}, exported {got.get(wrong)}, typed {want.get(wrong)}"
        f"; last screen:\n{shown}"
    )
    assert {r["article_id"] for r in rows} == {TYPE_AHEAD_ARTICLE}


def _coded(row: dict[str, Any]) -> tuple[Any, ...]:
    labels = row["labels"]
    return (row["status"], labels.get("speaker"), labels.get("claim_type"), labels.get("stance"))


# -- 4. enter on an incomplete sentence --------------------------------------------


def test_enter_without_values_stays_and_names_what_is_missing(db: Path) -> None:
    """Ten enters (30 ms apart) on hasakah-01's fresh first sentence, nothing
    set: speaker and claim type are required, so nothing is labeled, the
    screen says what is missing and the status line still shows sentence 1."""
    command = shell_command(
        "label", "--coder", "amina", "--article", "hasakah-01", *TERMINAL, "--db", db
    )
    with Tmux(command) as session:
        session.wait_for("sentence 1/18")
        session.keys(*["Enter"] * 10, interval=0.03)
        shown = session.poll(lambda s: "missing" in s.lower(), timeout=3.0) or session.screen()
        time.sleep(1.0)
        status = flat(session.screen())
        quit_and_wait(session)
    labeled = [r for r in export_rows(db) if r["status"] == "labeled"]
    assert labeled == [], (
        f"enter labeled {len(labeled)} incomplete sentence(s): "
        f"{[(r['article_id'], r['sentence_index'], r['labels']) for r in labeled]}"
    )
    assert "missing" in shown.lower(), f"the screen does not say what is missing:\n{shown}"
    at = re.search(r"sentence (\d+)/18", status)
    assert at is not None and at.group(1) == "1", f"moved off the first sentence:\n{status}"


# -- 5. review type-ahead ------------------------------------------------------------


def test_review_type_ahead_takes_each_coders_value(
    disagreeing_db: Path, codebook: Codebook
) -> None:
    """Six sentences where amina and omar disagree only on claim_type. For
    each queued sentence, 20 ms a key: j j j (down to the claim_type row),
    the coder digit (1 and 2 alternating), enter (commit gold, next).

    Assumed row semantics: the rows are status, speaker, stance, claim_type
    (confidence is not adjudicated, the note is text), so claim_type is the
    last row and the cursor stops there. Today the cursor starts on the
    status row: three downs reach claim_type. Should it start on the first
    undecided row (claim_type here) instead, the downs stay on it, so the
    same keys mean the same thing either way. Coder digits number the
    sentence's coders in column order, by name: 1 = amina, 2 = omar.
    The queue order (all six disagree equally: corpus order) is read from
    `workbench.gold.queue`, which the review screen shows.
    """
    with Store(disagreeing_db) as store:
        queue = gold.queue(store, codebook)
    assert [u.ext_id for u in queue] == [REVIEW_ARTICLE] * REVIEW_SENTENCES
    keys: list[str] = []
    want: dict[int, str] = {}
    for position, unit in enumerate(queue):
        digit = 1 + position % 2
        assert unit.coders == ["amina", "omar"]
        want[unit.idx] = unit.row("claim_type").values[unit.coders[digit - 1]]
        keys += ["j", "j", "j", str(digit), "Enter"]
    command = shell_command("review", "--adjudicator", "dana", *TERMINAL, "--db", disagreeing_db)
    with Tmux(command) as session:
        session.wait_for(f"queue 1/{REVIEW_SENTENCES}")
        session.keys(*keys, interval=0.02)
        time.sleep(2.0)
        shown = session.screen()
        quit_and_wait(session)
    rows = export_rows(disagreeing_db, "gold")
    got = {
        r["sentence_index"]: (r["source"], r["labels"].get("claim_type"))
        for r in rows
        if r["article_id"] == REVIEW_ARTICLE
    }
    assert got == {i: ("adjudicated", claim) for i, claim in want.items()}, (
        f"gold differs from the coders' values taken; last screen:\n{shown}"
    )
    for r in rows:
        assert r["labels"].get("speaker") == "outlet" and r["labels"].get("stance") == [], r
