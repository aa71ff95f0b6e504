"""CLI output is drawn for its display mode, and data never reaches the terminal raw.

`stats`, `assign`, `agree` (table) and `speakers list` take `--display
terminal|app` (default `$WORKBENCH_DISPLAY`, else terminal); Markdown and
JSON stay logical. Ids, titles, outlets, dates, coder and speaker names and
file names holding escapes or Rich markup show as harmless text everywhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bidi import get_display

from tests.conftest import CODEBOOK, CORPUS, article_id
from workbench.cli import main
from workbench.codebook import load_codebook
from workbench.corpus import import_paths
from workbench.display import DISPLAY_MODES, unshaped_arabic, visual_line
from workbench.registry import create_speaker
from workbench.settings import DISPLAY_CHOICES
from workbench.store import Store

OSC_TITLE = "\x1b]0;TITLE\x07"
OSC_CLIPBOARD = "\x1b]52;c;aGVsbG8=\x07"
LINK = "[link=file:///etc/passwd]"
HOSTILE_ID = "evil" + OSC_TITLE
MARKUP_CODER = LINK + "amal[/link]"
ESCAPE_CODER = "badr" + OSC_CLIPBOARD
ARABIC_CODER = "أمينة"
CODERS = (MARKUP_CODER, ESCAPE_CODER, ARABIC_CODER)
SPEAKER = "مصدر [bold red]x[/bold red] " + OSC_TITLE + "\x9b31m\u202eمقلوب"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def assert_harmless(text: str) -> None:
    for char in RAW:
        assert char not in text, f"{char!r} reached the terminal"


@pytest.fixture
def project(tmp_path) -> Path:
    """The bundled corpus plus one hostile article, three coders who
    disagree (one named with markup, one with an escape, one in Arabic),
    and a hostile speaker."""
    db = tmp_path / "project.db"
    hostile = tmp_path / "hostile.jsonl"
    record = {
        "id": HOSTILE_ID,
        "title": "[bold red]عنوان[/bold red] " + OSC_CLIPBOARD,
        "outlet": LINK + "outlet[/link]\x9b31m",
        "date": "2022\x1b[2J-02-03",
        "text": "قالت قسد " + OSC_TITLE + "إن الهجوم فشل. وقال مصدر إن العدد كبير.\n",
    }
    hostile.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with Store(db) as store:
        import_paths(store, [CORPUS, hostile])
        book = store.register_codebook(load_codebook(CODEBOOK))
        speaker = create_speaker(store, "speaker", SPEAKER, ESCAPE_CODER)
        sentences = [
            *store.sentences(article_id(store, "hasakah-03"))[:4],
            *store.sentences(article_id(store, HOSTILE_ID)),
        ]
        claims = ("denial", "casualty_figure", "background")
        for n, coder in enumerate(CODERS):
            for s in sentences:
                data = {"speaker": speaker if n else "sdf", "claim_type": claims[n]}
                store.set_label(s.id, coder, data=data, codebook_id=book)
    return db


@pytest.fixture
def run(project, capsys, monkeypatch):
    """The `workbench` command in-process on the project: (exit code, stdout, stderr)."""
    monkeypatch.setenv("COLUMNS", "200")
    for name in ("WORKBENCH_DISPLAY", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)

    def invoke(*args: str, db: Path = project) -> tuple[int, str, str]:
        try:
            main([*args, "--db", str(db)])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    return invoke


TABLES = {
    "stats": ("stats",),
    "assign": ("assign", "--coders", ",".join(CODERS), "--per-article", "2"),
    "agree": ("agree", "--bootstrap", "0", "--pair", f"{ARABIC_CODER},{MARKUP_CODER}"),
    "speakers": ("speakers", "list"),
}
LOGICAL = {
    "agree-markdown": ("agree", "--bootstrap", "0", "--format", "markdown"),
    "agree-json": ("agree", "--bootstrap", "0", "--format", "json"),
    "speakers-json": ("speakers", "list", "--format", "json"),
}


@pytest.mark.parametrize("display", ["terminal", "app"])
@pytest.mark.parametrize("command", [*TABLES, *LOGICAL])
def test_hostile_data_is_shown_harmlessly(run, command, display):
    code, out, err = run(*{**TABLES, **LOGICAL}[command], "--display", display)
    assert code == 0, err
    assert_harmless(out + err)
    if command in ("stats", "assign", "agree"):
        # A coder named with markup is shown as its name, never as a link.
        assert LINK in out
    if command == "stats":
        assert LINK in next(line for line in out.splitlines() if line.startswith("┃ id"))


@pytest.mark.parametrize("command", TABLES)
def test_app_mode_leaves_no_arabic_unshaped_and_terminal_mode_keeps_it_logical(run, command):
    code, app, err = run(*TABLES[command], "--display", "app")
    assert code == 0, err
    assert unshaped_arabic(app + err) == []
    code, terminal, err = run(*TABLES[command], "--display", "terminal")
    assert code == 0, err
    logical = {
        "stats": "الاتحاد ميديا",
        "assign": ARABIC_CODER,
        "agree": "إن الهجوم فشل.",  # the disagreement list
        "speakers": "جون برينان",
    }[command]
    assert logical in terminal and logical not in app


def test_display_defaults_to_the_environment_then_terminal(run, monkeypatch):
    terminal = run("stats")
    app = run("stats", "--display", "app")
    assert terminal != app
    monkeypatch.setenv("WORKBENCH_DISPLAY", "app")
    assert run("stats") == app
    assert run("stats", "--display", "terminal") == terminal


def test_the_cli_offers_the_display_modes_of_the_core():
    # settings spells them out so that `workbench --help` need not import Rich.
    assert DISPLAY_CHOICES == DISPLAY_MODES


@pytest.mark.parametrize("command", LOGICAL)
def test_markdown_and_json_stay_logical_in_app_mode(run, command):
    code, out, err = run(*LOGICAL[command], "--display", "app")
    assert code == 0, err
    assert unshaped_arabic(out)
    logical = "جون برينان" if command == "speakers-json" else "إن الهجوم فشل."
    assert logical in out
    if command == "agree-markdown":
        assert LINK in out
    else:
        json.loads(out)


def test_json_escapes_what_a_terminal_would_act_on(run):
    code, out, _ = run("speakers", "list", "--format", "json")
    assert code == 0
    assert_harmless(out)
    labels = [s["label"] for s in json.loads(out)]
    assert SPEAKER in labels  # the same data, only escaped


def test_app_mode_cuts_arabic_cells_at_their_logical_end_never_wraps_them(run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "70")
    code, out, _ = run("stats", "--display", "app")
    assert code == 0
    table = out.split("coders")[0].splitlines()
    rows = [line for line in table if line.startswith("│")]
    assert len(rows) == 6  # one line per article: nothing wrapped
    title_cell = next(line for line in rows if "hasakah-03" in line).split("│")[2].strip()
    # "آخر تطورات الوضع في الحسكة": its first word at the right, the cut at the left.
    assert title_cell.startswith("…") and title_cell.endswith(visual_line("آخر"))


def test_terminal_mode_keeps_arabic_cells_in_their_columns_under_terminal_bidi(run):
    """A bidi terminal (VTE) reorders each row as one left-to-right paragraph:
    two Arabic cells side by side must not swap columns."""
    code, out, _ = run("stats", "--display", "terminal")
    assert code == 0
    row = next(line for line in out.splitlines() if "hasakah-03" in line)
    cells = [c.strip(" \u200e\u200f") for c in get_display(row, base_dir="L").split("│")]
    assert cells[1] == "hasakah-03"
    assert cells[3] == get_display("الاتحاد ميديا")  # the outlet, in the outlet column
    assert cells[2].endswith(get_display("آخر تطورات الوضع في الحسكة")[-3:])


def test_file_names_in_errors_show_their_escapes(run, tmp_path):
    missing = tmp_path / ("gone" + OSC_TITLE + ".txt")
    code, _, err = run("import", str(missing))
    assert code == 1
    assert err == f"error: {tmp_path}/gone\\x1b]0;TITLE\\x07.txt: no such file or folder\n"
    folder = tmp_path / "dir\x1b[2J"
    folder.mkdir()
    code, _, err = run("stats", db=folder)
    assert code == 1 and "dir\\x1b[2J" in err
    assert_harmless(err)


def test_summaries_show_names_and_file_names_harmlessly(run, project, tmp_path):
    target = tmp_path / ("labels" + OSC_TITLE + ".jsonl")
    code, out, err = run("export", "--kind", "labels", "--status", "labeled", "-o", str(target))
    assert code == 0, err
    assert err.startswith("wrote ") and "labels\\x1b]0;TITLE\\x07.jsonl" in err
    other = tmp_path / "other.db"
    with Store(other) as store:
        import_paths(store, [CORPUS])
        first = store.sentences(article_id(store, "hasakah-01"))[0].id
        store.set_label(first, "zaid" + OSC_CLIPBOARD, status="skipped")
    code, out, err = run("merge", str(other))
    assert code == 0, err
    assert "new coder(s): zaid" in out
    assert_harmless(out + err)
