"""Issue 10, acceptance: what the real `workbench` command puts on a terminal.

The console script runs in tmux (tests/tmux.py: a private server per test),
keys are sent 30 ms apart, and the pane is read with `capture-pane`, so
these tests see exactly the characters a terminal was given:

1. In `app` display mode (`--display app`) no unshaped Arabic letter
   (`workbench.display.unshaped_arabic`: U+0621-U+064A other than tatweel,
   not in presentation form) is on the screen: the article list, the
   labeling screen, the whole help screen (paged through), the speaker
   picker with an Arabic query typed and with a new Arabic speaker, the note
   prompt with Arabic typed and the note shown afterwards, the find dialog
   and its results, and the review screen; at 100x30 and 80x24. A failure
   lists the offending lines.
2. Data containing escape sequences (an article id, title, outlet and date
   from a corpus folder's manifest or a JSONL file; a coder's or an
   adjudicator's name) never reaches the terminal raw: the pane title
   (`#{pane_title}`, which an OSC 0 sequence sets) stays the same, no
   remnant of a sequence is shown (`]0;` without a visible escape before
   it), and the text after the hostile string is still on screen (an
   unterminated OSC would swallow it).

Screens are waited for, never slept on: a screen counts as shown once its
marker is there and two captures 50 ms apart are equal. Run (tmux needed;
without it every test is skipped):

    .venv/bin/pytest -q tests/test_tui_display_tmux.py

`WORKBENCH_CMD` points them at another checkout, as for test_tui_typing.py.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import article_id
from tests.tmux import Tmux, import_corpus, needs_tmux, run_workbench, shell_command
from workbench.codebook import Codebook
from workbench.display import display_line, unshaped_arabic
from workbench.store import Store

pytestmark = needs_tmux

APP = ("--display", "app")
SIZES = [(100, 30), (80, 24)]
SIZE_IDS = ["100x30", "80x24"]
INTERVAL = 0.03  # seconds between keys: a fast typist
QUERY = "قسد"
NEW_SPEAKER = "أبو محمد الحسكاوي"
NOTE = "ملاحظة عن (قسد) والآسايش"
REVIEW_ARTICLE = "hasakah-01"
REVIEW_NOTE = "قسد تنفي (راجع البيان)"
EVIL = "evil\x1b]0;PWNED\x07"
SHAPED = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]")  # Arabic presentation forms A and B
# Visible forms of ESC a screen may show instead of the character itself.
VISIBLE_ESC = ("\\x1b", "\\u001b", "\\033", "\\e", "^[", "␛", "<ESC>", "ESC")


class Pane(Tmux):
    """tests/tmux.py's session, plus tmux key names it does not list
    (C-n, NPage) and waiting for a screen to stop changing."""

    def press(self, *names: str) -> None:
        for name in names:
            self._tmux("send-keys", "-t", self.name, name, check=True)
            time.sleep(INTERVAL)

    def settled(self, ready: str | Callable[[str], bool], timeout: float = 20.0) -> str:
        """The screen once `ready` holds and two captures 50 ms apart agree."""
        shown = self.wait_for(ready, timeout)
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            time.sleep(0.05)
            again = self.screen()
            if again == shown:
                return shown
            shown = again
        return shown

    def typed(self, text: str, timeout: float = 5.0) -> str:
        """Type `text` 30 ms a key; the settled screen once it shows the text,
        shaped and reordered or (a bug the assertion then reports) raw.
        Never fails here: a screen that shows neither is checked as it is."""
        self.keys(*text, interval=INTERVAL)
        shown_app = display_line(text, "app")
        self.poll(lambda s: shown_app in s or text in s, timeout)
        return self.settled(lambda s: True)

    def title(self) -> str:
        return self._tmux("display-message", "-p", "-t", self.name, "#{pane_title}").stdout.strip()


def offending(screen: str) -> list[str]:
    """The screen's lines that hold an unshaped Arabic letter, numbered, the
    letters found after each."""
    return [
        f"{n:3}| {line.rstrip()}   <- {''.join(unshaped_arabic(line))}"
        for n, line in enumerate(screen.splitlines(), 1)
        if unshaped_arabic(line)
    ]


def check_all(shots: list[tuple[str, str]]) -> None:
    """Every (what, screen) checked; one failure lists them all. Each screen
    must show some shaped Arabic, so that none passes by showing nothing."""
    failures = []
    for what, screen in shots:
        if not SHAPED.search(screen):
            failures.append(f"{what}: no shaped Arabic on screen at all\n{screen}")
        bad = offending(screen)
        if bad:
            failures.append(f"{what}: {len(bad)} line(s)\n" + "\n".join(bad))
    assert not failures, "unshaped Arabic in app mode:\n" + "\n\n".join(failures)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return import_corpus(tmp_path / "display.db")


@pytest.fixture
def review_db(db: Path, codebook: Codebook) -> Path:
    """amina and omar disagree on the speaker and claim type of the first six
    sentences of hasakah-01; omar leaves an Arabic note on each."""
    claims = codebook.field("claim_type").value_ids
    with Store(db) as store:
        book = store.register_codebook(codebook)
        sentences = store.sentences(article_id(store, REVIEW_ARTICLE))[:6]
        for i, sentence in enumerate(sentences):
            for coder, speaker, claim, note in (
                ("amina", "sdf", claims[i % 9], ""),
                ("omar", "asayish", claims[(i + 4) % 9], REVIEW_NOTE),
            ):
                store.set_label(
                    sentence.id,
                    coder,
                    data={"speaker": speaker, "stance": [], "claim_type": claim},
                    note=note,
                    codebook_id=book,
                )
    return db


def labeling(db: Path, size: tuple[int, int], *extra: str) -> Pane:
    """`workbench label --coder amina --display app` on the article list."""
    return Pane(shell_command("label", "--coder", "amina", *APP, *extra, "--db", db), size)


def opened(pane: Pane) -> str:
    """From the article list, enter: the first article's labeling screen."""
    pane.settled("5 articles")
    pane.keys("Enter")
    return pane.settled(lambda s: re.search(r"sentence \d+/\d+", s) is not None)


# -- 1. no unshaped Arabic in app mode -----------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_article_list_and_labeling_screen_are_shaped(db: Path, size: tuple[int, int]) -> None:
    with labeling(db, size) as pane:
        shots = [("article list", pane.settled("5 articles"))]
        shots.append(("labeling screen", opened(pane)))
        pane.keys("Down", "Down")
        shots.append(("labeling screen, third sentence", pane.settled("sentence 3/")))
    check_all(shots)


def help_pages(pane: Pane, limit: int = 40) -> Iterator[str]:
    """Every page of the help screen, paged down until it stops moving."""
    shown = pane.settled("Keys")
    yield shown
    for _ in range(limit):
        pane.press("NPage")
        time.sleep(0.1)
        again = pane.settled(lambda s: True)
        if again == shown:
            return
        shown = again
        yield shown


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_help_screen_is_shaped(db: Path, size: tuple[int, int]) -> None:
    """`?` on the labeling screen, every page: the codebook's Arabic names
    and examples inside the English help."""
    with labeling(db, size) as pane:
        opened(pane)
        pane.keys("?")
        pages = list(help_pages(pane))
    assert len(pages) > 1, "the help never scrolled:\n" + pages[0]
    check_all([(f"help page {i + 1}/{len(pages)}", p) for i, p in enumerate(pages)])


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_speaker_picker_is_shaped(db: Path, size: tuple[int, int]) -> None:
    """space, an Arabic query (its options, "+ add new"), then a new Arabic
    speaker: the confirmation, the toast and the speaker field."""
    with labeling(db, size) as pane:
        opened(pane)
        pane.keys("Space")
        pane.settled("enter picks")
        shots = [(f"picker, query {QUERY!r}", pane.typed(QUERY))]
        pane.keys("Escape")
        pane.settled(lambda s: "enter picks" not in s)
        pane.keys("Space")
        pane.settled("enter picks")
        shots.append((f"picker, new name {NEW_SPEAKER!r}", pane.typed(NEW_SPEAKER)))
        pane.keys("Enter")
        shots.append(("picker, add new speaker?", pane.settled("new speaker")))
        pane.keys("Enter")
        shots.append(
            (
                "labeling screen with the new speaker (and its toast)",
                pane.settled(lambda s: "enter picks" not in s and "enter adds" not in s),
            )
        )
    check_all(shots)


# A text box: (key that opens it, its marker, Arabic typed, what enter
# leads to, and that screen's marker).
BOXES = {
    "note": ("C-n", "Note:", NOTE, "labeling screen with the note", lambda s: "Note:" not in s),
    "find": ("/", "Find", QUERY, "find results", lambda s: "match" in s),
}


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("box", list(BOXES))
def test_text_box_and_what_it_leads_to_are_shaped(
    db: Path, box: str, size: tuple[int, int]
) -> None:
    """The note prompt (ctrl+n) and the note shown in the field panel; the
    find dialog (/) and its results: Arabic typed in the box, then enter."""
    key, ready, text, after, done = BOXES[box]
    with labeling(db, size) as pane:
        opened(pane)
        pane.press(key)
        pane.settled(ready)
        shots = [(f"{box} box with Arabic typed", pane.typed(text))]
        pane.keys("Enter")
        shots.append((after, pane.settled(done)))
    check_all(shots)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_review_screen_is_shaped(review_db: Path, size: tuple[int, int]) -> None:
    """`workbench review --adjudicator lead`: the first two queued sentences
    (coders' values, speaker names, notes), then the speaker row's picker."""
    line = shell_command("review", "--adjudicator", "lead", *APP, "--db", review_db)
    with Pane(line, size) as pane:
        shots = [("review, queue 1", pane.settled("queue 1/"))]
        pane.keys("n")
        shots.append(("review, queue 2", pane.settled("queue 2/")))
        pane.keys("j", "e")
        shots.append(("review, edit the speaker row", pane.settled("enter picks")))
        shots.append((f"review picker, query {QUERY!r}", pane.typed(QUERY)))
    check_all(shots)


# -- 2. escape sequences in data never reach the terminal ----------------------------


def remnants(screen: str) -> list[str]:
    """Lines showing part of an OSC sequence without a visible escape before
    it (the ESC dropped, the rest printed), or a raw control character."""
    bad = []
    for line in screen.splitlines():
        raw = re.search(r"[\x00-\x08\x0b-\x1f\x7f]", line)
        cut = any(
            not line[: m.start()].endswith(VISIBLE_ESC) for m in re.finditer(r"\][02];", line)
        )
        if raw or cut:
            bad.append(repr(line.rstrip()))
    return bad


def hostile_records() -> list[dict[str, str]]:
    """One article whose every metadata string carries a sequence (a title
    set by OSC 0; an unterminated OSC 2 that would swallow what follows; a
    clear-screen CSI), and a plain one listed after it."""
    return [
        {
            "id": EVIL,
            "title": f"{EVIL} عنوان خبيث",
            "outlet": "out\x1b]2;SWALLOWED",
            "date": "2022-01-20\x1b[2J",
            "text": "قسد تعلن انتهاء العملية.\nالنص الثاني هنا.\n",
        },
        {
            "id": "plain-after",
            "title": "خبر عادي بعده",
            "text": "أعلنت قوى الأمن الداخلي القبض على خلية.\n",
        },
    ]


def hostile_folder(tmp_path: Path) -> Path:
    """The corpus folder format: .txt files and a manifest.toml whose id,
    title, outlet and date carry the sequences (TOML \\u escapes)."""
    folder = tmp_path / "hostile-corpus"
    folder.mkdir()
    entries = []
    for i, record in enumerate(hostile_records()):
        name = f"article-{i}.txt"
        (folder / name).write_text(record["text"], encoding="utf-8")
        entry = [f"file = {json.dumps(name)}"]
        for key in ("id", "title", "outlet", "date"):
            if key in record:
                entry.append(f"{key} = {json.dumps(record[key], ensure_ascii=False)}")
        entries.append("[[article]]\n" + "\n".join(entry) + "\n")
    (folder / "manifest.toml").write_text("\n".join(entries), encoding="utf-8")
    return folder


def hostile_jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in hostile_records()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(params=["folder", "jsonl"])
def hostile_db(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    source = hostile_folder(tmp_path) if request.param == "folder" else hostile_jsonl(tmp_path)
    db = tmp_path / "hostile.db"
    run_workbench("import", source, "--db", db)
    with Store(db) as store:
        ids = sorted(a.ext_id for a in store.articles())
    assert "plain-after" in ids and any("PWNED" in i for i in ids), ids
    return db


def look(pane: Pane, what: str, ready: str | Callable[[str], bool], after: str) -> list[str]:
    """The problems of one screen: its title set by the data, a remnant of
    a sequence shown, or `after` (text drawn after the hostile strings)
    missing, as if swallowed by an unterminated sequence."""
    screen = pane.settled(ready)
    title = pane.title()
    problems = []
    if any(word in title for word in ("PWNED", "SWALLOWED", "evil")):
        problems.append(f"{what}: the pane title is now {title!r}")
    bad = remnants(screen)
    if bad:
        problems.append(f"{what}: escape remnants\n" + "\n".join(bad))
    if after not in screen:
        problems.append(f"{what}: {after!r}, drawn after the hostile strings, is gone")
    if problems:
        problems.append(f"--- {what} ---\n{screen}")
    return problems


def sentence_shown(screen: str) -> bool:
    return re.search(r"sentence \d+/", screen) is not None


def list_then_open(line: str, ready: str, list_after: str, labeling_after: str) -> list[str]:
    """`look` at the article list, then, after enter, at the labeling screen."""
    with Pane(line, (100, 30)) as pane:
        problems = look(pane, "article list", ready, after=list_after)
        pane.keys("Enter")
        return problems + look(pane, "labeling screen", sentence_shown, after=labeling_after)


@pytest.mark.parametrize("mode", ["terminal", "app"])
def test_hostile_article_metadata_leaves_the_terminal_alone(hostile_db: Path, mode: str) -> None:
    """The article list (id, title, outlet, date; the plain article listed
    after it), then the hostile article opened (the status line names the
    id, then the sentence number)."""
    line = shell_command("label", "--coder", "amina", "--display", mode, "--db", hostile_db)
    problems = list_then_open(line, "articles", "plain-after", "coder amina")
    assert not problems, "\n".join(problems)


def test_hostile_coder_name_leaves_the_terminal_alone(db: Path) -> None:
    """`--coder` with an OSC 0 title sequence: the list header names the
    coder (then the article count), the status line too (then the codebook)."""
    line = shell_command("label", "--coder", EVIL, *APP, "--db", db)
    problems = list_then_open(line, "coder", "5 articles", "hasakah-stance")
    assert not problems, "\n".join(problems)


def test_hostile_adjudicator_name_leaves_the_terminal_alone(review_db: Path) -> None:
    """`--adjudicator` with an OSC 0 title sequence: the status line names
    the adjudicator, then the codebook."""
    line = shell_command("review", "--adjudicator", EVIL, *APP, "--db", review_db)
    with Pane(line, (100, 30)) as pane:
        problems = look(pane, "review screen", "queue 1/", after="hasakah-stance")
    assert not problems, "\n".join(problems)
