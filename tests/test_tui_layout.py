"""Layout at terminal sizes: 80x24 shows what matters, 120x40 uses the room,
below the minimum every screen says the terminal is too small."""

from __future__ import annotations

import asyncio
import io
import json
import re

import pytest
from rich.console import Console

from tests.conftest import article_id
from workbench.corpus import import_paths
from workbench.display import display_line, display_lines, unshaped_arabic
from workbench.tui.app import MIN_HEIGHT, MIN_WIDTH, WorkbenchApp
from workbench.tui.review_app import ReviewApp
from workbench.tui.screens.articles import ArticlesScreen
from workbench.tui.screens.labeling import LabelingScreen
from workbench.tui.screens.review import ReviewScreen
from workbench.tui.widgets import KeyBar

SMALL, LARGE = (80, 24), (120, 40)
TOO_SMALL = f"terminal too small (needs {MIN_WIDTH}×{MIN_HEIGHT})"


def screen_text(app) -> str:
    """The screen as plain text, as a terminal would show it (one line a row)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


def key_bar(app) -> str:
    """The key bar as the screen shows it (its bottom row)."""
    shown = screen_text(app).splitlines()[-1].strip()
    assert shown == str(app.screen.query_one(KeyBar).render()).strip()
    return shown


def run(app, size, scenario):
    async def main():
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await pilot.pause()
            await scenario(pilot)

    asyncio.run(main())


@pytest.fixture
def labeling(store, codebook):
    def make(mode="terminal", ext="hasakah-03"):
        return WorkbenchApp(
            store,
            codebook,
            coder="amina",
            display=mode,
            open_article=article_id(store, ext) if ext else None,
            blink=False,
        )

    return make


def review_app(store, codebook, mode="terminal"):
    return ReviewApp(store, codebook, adjudicator="dana", display=mode, blink=False)


# -- the key bar -------------------------------------------------------------


@pytest.mark.parametrize("size", [SMALL, (MIN_WIDTH, MIN_HEIGHT)])
def test_labeling_key_bar_keeps_commit_help_back_and_quit(labeling, size):
    app = labeling()

    async def scenario(pilot):
        assert isinstance(app.screen, LabelingScreen)
        shown = key_bar(app)
        for needed in ("⏎ Commit", "? Help", "esc List", "q Quit"):
            assert needed in shown
        assert "…" not in shown

    run(app, size, scenario)


def test_article_list_and_review_key_bars_keep_help_and_quit(labeling, coded, codebook):
    async def articles(pilot):
        assert isinstance(pilot.app.screen, ArticlesScreen)
        for needed in ("⏎ Open", "? Help", "q Quit"):
            assert needed in key_bar(pilot.app)

    run(labeling(ext=None), SMALL, articles)

    async def review(pilot):
        assert isinstance(pilot.app.screen, ReviewScreen)
        shown = key_bar(pilot.app)
        for needed in ("⏎ Commit gold", "? Help", "q Quit"):
            assert needed in shown
        assert "…" not in shown

    run(review_app(coded[0], codebook), SMALL, review)


def test_key_bar_is_laid_out_again_on_resize(labeling):
    app = labeling()

    async def scenario(pilot):
        assert "^d Display" in key_bar(app)  # room for every key at 120
        await pilot.resize_terminal(*SMALL)
        await pilot.pause()
        assert "^d Display" not in key_bar(app) and "q Quit" in key_bar(app)
        await pilot.resize_terminal(*LARGE)
        await pilot.pause()
        assert "^d Display" in key_bar(app)

    run(app, LARGE, scenario)


def test_help_shows_keys_as_keys_each_apart_from_its_description(labeling, monkeypatch):
    import workbench.tui.app as app_module

    listed: list[list[tuple[str, str]]] = []
    real = app_module.help_text

    def spy(codebook, bindings, mode, width=100):
        listed.append(bindings)
        return real(codebook, bindings, mode, width)

    monkeypatch.setattr(app_module, "help_text", spy)
    app = labeling()

    async def scenario(pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        keys = dict(listed[-1])
        assert {"/", "?", "esc", "⏎", "ctrl+z", "↑", "⇧tab"} <= set(keys)
        for key, _ in listed[-1]:
            assert not re.search(r"slash|question_mark|escape|quotation_mark|shift\+", key)
        shown = str(app.screen.query_one("#help").render())
        section = shown.split("\nCodebook")[0].splitlines()[1:]
        starts = [line for line in section if line[2:3] != " "]
        assert len(starts) == len(listed[-1])
        for line, (key, description) in zip(starts, listed[-1], strict=True):
            # Each key apart from its description (a long key once ran on).
            assert line.startswith(f"  {key} ") and description.split()[0] in line, line

    run(app, SMALL, scenario)


# -- the article list --------------------------------------------------------


@pytest.mark.parametrize("mode", ["terminal", "app"])
def test_article_list_at_80x24_shows_id_title_date_and_progress(labeling, store, mode):
    app = labeling(mode, ext=None)

    async def scenario(pilot):
        table = app.screen.query_one("#articles")
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[0] == "id" and labels[-2:] == ["date", "done"]
        width = table.columns["article"].width
        assert width >= ArticlesScreen.TITLE_MIN
        # The columns fill the screen (one cell kept for the scrollbar).
        assert sum(c.width + 2 for c in table.columns.values()) == SMALL[0] - 1
        rows = screen_text(app).splitlines()
        for a in store.articles():
            (row,) = [r for r in rows if a.ext_id in r]
            assert a.date in row
            assert re.search(rf"0/{a.sentences}\s*$", row)
            assert display_line(a.title or a.first_words + " …", mode, width) in row
        status = rows[0]
        assert "done 0/" in status and not status.rstrip().endswith("…")
        if mode == "app":
            assert unshaped_arabic(screen_text(app)) == []

    run(app, SMALL, scenario)


def test_article_columns_follow_the_width(labeling):
    app = labeling(ext=None)

    async def scenario(pilot):
        table = app.screen.query_one("#articles")
        wide = table.columns["article"].width
        assert [str(c.label) for c in table.columns.values()] == [
            n for n, _ in ArticlesScreen.COLUMNS
        ]
        await pilot.resize_terminal(*SMALL)
        await pilot.pause()
        assert "sentences" not in [str(c.label) for c in table.columns.values()]
        assert table.columns["article"].width < wide
        assert "2022-01-25" in screen_text(app)

    run(app, LARGE, scenario)


# -- the review screen -------------------------------------------------------


def _claim_cell(app) -> str:
    """The first coder's claim type as the review table shows it."""
    (row,) = [r for r in screen_text(app).splitlines() if "Claim type" in r]
    return re.search(r"Attribut\S*(?: \S+)*", row).group(0)


def test_review_cells_are_wider_at_80_than_before_and_wider_still_at_120(coded, codebook):
    widths = {}
    for size in (SMALL, LARGE):

        async def scenario(pilot, size=size):
            widths[size] = len(_claim_cell(pilot.app))

        run(review_app(coded[0], codebook), size, scenario)
    # Before: 10 cells at 80 columns, 18 at 120.
    assert widths[SMALL] >= 11 and widths[LARGE] >= 19


def test_review_table_follows_a_resize(coded, codebook):
    async def scenario(pilot):
        narrow = len(_claim_cell(pilot.app))
        await pilot.resize_terminal(*LARGE)
        await pilot.pause()
        await pilot.pause()
        assert len(_claim_cell(pilot.app)) > narrow

    run(review_app(coded[0], codebook), SMALL, scenario)


def test_review_context_takes_the_height_it_has(coded, codebook):
    store = coded[0]

    async def scenario(pilot):
        screen = pilot.app.screen
        context = screen.query_one("#context")
        shown = context.render().plain.split("\n")
        assert context.content_region.height > 12  # it was capped at 12 lines
        # It takes the height it has, and all of it fits.
        assert 12 < len(shown) <= context.content_region.height

    run(review_app(store, codebook), LARGE, scenario)


@pytest.mark.parametrize("mode", ["terminal", "app"])
def test_review_at_80x24_shows_the_whole_current_sentence(coded, codebook, mode):
    store = coded[0]

    async def scenario(pilot):
        screen = pilot.app.screen
        for _ in range(len(screen.session.items)):
            unit = screen.session.unit
            current = store.sentences(unit.article_id)[unit.idx].text
            width = screen.query_one("#context").content_region.width  # as wrapped
            text = screen_text(pilot.app)
            for line in display_lines(current, width, mode):
                assert line.strip() in text
            await pilot.press("n")
            await pilot.pause()
            await pilot.pause()

    run(review_app(store, codebook, mode), SMALL, scenario)


# -- too small -----------------------------------------------------------------


def test_every_screen_says_the_terminal_is_too_small(labeling, coded, codebook, store):
    apps = {
        "articles": labeling(ext=None),
        "labeling": labeling(),
        "coder": WorkbenchApp(store, codebook, blink=False),
        "review": review_app(coded[0], codebook),
    }
    for name, app in apps.items():

        async def scenario(pilot, app=app, name=name):
            text = screen_text(app)
            assert TOO_SMALL in text, name
            assert "q quits" in text

        run(app, (40, 12), scenario)


def test_too_small_takes_no_key_but_q_and_goes_when_the_terminal_grows(labeling, store):
    app = labeling(ext="hasakah-03")

    async def scenario(pilot):
        screen = app.screen
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        assert TOO_SMALL in screen_text(app)
        await pilot.press("down", "3", "question_mark")  # unseen: nothing happens
        await pilot.pause()
        assert app.screen is screen and screen.session.index == 0
        assert not screen.session.draft.values.get("claim_type")
        await pilot.resize_terminal(*SMALL)
        await pilot.pause()
        assert TOO_SMALL not in screen_text(app)
        assert "q Quit" in screen_text(app)
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert app._exit

    run(app, SMALL, scenario)


def test_help_over_a_too_small_terminal_is_covered_too(labeling):
    app = labeling()

    async def scenario(pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.resize_terminal(50, 30)
        await pilot.pause()
        assert TOO_SMALL in screen_text(app)
        await pilot.press("q")  # quits (help alone would only close)
        await pilot.pause()
        assert app._exit

    run(app, SMALL, scenario)


# -- strings from data -----------------------------------------------------


ESCAPES = "\x1b]0;PWNED\x07\x1b[31m\u202e"


@pytest.fixture
def hostile(store, codebook, tmp_path):
    """An article whose id, title, outlet and date carry escapes and markup,
    coded differently by two coders whose names do too."""
    record = {
        "id": f"evil{ESCAPES}[bold]id",
        "title": f"[link=http://evil]عنوان[/link] {ESCAPES}خبر",
        "outlet": f"[red]منفذ{ESCAPES}",
        "date": f"2022{ESCAPES}[b]-01",
        "text": "قالت قسد إن تركيا قصفت المنطقة. وأضافت أن الوضع هادئ.\n",
    }
    path = tmp_path / "hostile.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    import_paths(store, [path])
    book = store.register_codebook(codebook)
    aid = next(a.id for a in store.articles() if a.ext_id.startswith("evil"))
    first = store.sentences(aid)[0].id
    for coder, claim in ((f"أمل{ESCAPES}[i]", "denial"), ("badr\x9b31m", "background")):
        store.set_label(
            first,
            coder,
            data={"claim_type": claim, "stance": []},
            note=f"note {ESCAPES}[u]",
            codebook_id=book,
        )
    return store


def _harmless(text: str) -> None:
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text)
    assert "PWNED" not in text


@pytest.mark.parametrize("mode", ["terminal", "app"])
def test_hostile_article_list_and_review_are_shown_harmlessly(hostile, codebook, mode):
    async def articles(pilot):
        for size in (SMALL, LARGE):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            text = screen_text(pilot.app)
            _harmless(text)
            _harmless(pilot.app.export_screenshot())
            assert "[bold]id" in text or "[bold]" in text  # markup shown as text
            if mode == "app":
                assert unshaped_arabic(text) == []

    app = WorkbenchApp(hostile, codebook, coder="amina", display=mode, blink=False)
    run(app, SMALL, articles)

    async def review(pilot):
        assert "evil" in pilot.app.screen.session.unit.ext_id
        for size in (SMALL, LARGE):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.pause()
            text = screen_text(pilot.app)
            _harmless(text)
            _harmless(pilot.app.export_screenshot())
            if mode == "app":
                assert unshaped_arabic(text) == []

    run(review_app(hostile, codebook, mode), SMALL, review)
