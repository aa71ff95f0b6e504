"""What `workbench label` does to start fast, and that none of it changes behaviour."""

from __future__ import annotations

import asyncio
import gc

import pytest

from tests.conftest import TUI_SIZE, article_id
from workbench import cli
from workbench.corpus import import_paths
from workbench.store import Store
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.coder import CoderScreen
from workbench.tui.screens.labeling import LabelingScreen


@pytest.fixture
def collector_restored():
    yield
    gc.enable()


# -- the garbage collector is off from `label` to the first paint -------------------


@pytest.mark.parametrize("coder", ["amina", None])
def test_the_app_turns_the_collector_back_on_after_its_first_paint(
    store, codebook, coder, collector_restored
):
    app = WorkbenchApp(
        store, codebook, coder=coder, display="app", open_article=article_id(store, "hasakah-03")
    )

    async def main():
        gc.disable()
        async with app.run_test(size=TUI_SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, LabelingScreen if coder else CoderScreen)
            assert gc.isenabled()

    asyncio.run(main())


def test_label_runs_with_the_collector_off_and_always_turns_it_back_on(
    store, db_path, monkeypatch, collector_restored
):
    seen = []
    monkeypatch.setattr(WorkbenchApp, "run", lambda self: seen.append(gc.isenabled()))
    cli.main(["label", "--db", str(db_path), "--coder", "amina", "--display", "app"])
    assert seen == [False] and gc.isenabled()

    with pytest.raises(SystemExit) as exit:
        cli.main(["label", "--db", str(db_path), "--coder", "amina", "--article", "nope"])
    assert exit.value.code == 1 and gc.isenabled()

    Store(db_path.parent / "empty.db").close()
    with pytest.raises(SystemExit) as exit:
        cli.main(["label", "--db", str(db_path.parent / "empty.db"), "--coder", "amina"])
    assert exit.value.code == 1 and gc.isenabled()


# -- the overall total on the status line -------------------------------------------


def test_progress_totals_count_only_current_versions(db_path, corpus_copy):
    with Store(db_path) as store:
        import_paths(store, [corpus_copy])
        old = next(a for a in store.articles() if a.ext_id == "hasakah-04")
        for s in store.sentences(old.id)[:2]:
            store.set_label(s.id, "amina", data={})
        path = corpus_copy / "hasakah-04.txt"
        path.write_text(path.read_text(encoding="utf-8") + "\nجملة جديدة أضيفت.\n", "utf-8")
        import_paths(store, [corpus_copy])
        current = store.articles()
        assert len(store.articles(current_only=False)) == len(current) + 1
        first = store.sentences(current[0].id)[0]
        store.set_label(first.id, "amina", data={})
        assert store.progress_totals("amina") == (1, sum(a.sentences for a in current))
        assert store.progress_totals("nobody") == (0, sum(a.sentences for a in current))


# -- the first frame is the finished screen -----------------------------------------


def screen_text(screen) -> list[str]:
    return ["".join(s.text for s in strip) for strip in screen._compositor.render_strips()]


@pytest.mark.parametrize("display", ["app", "terminal"])
def test_the_first_frame_of_the_labeling_screen_is_already_wrapped_to_its_width(
    store, codebook, display
):
    # The Arabic blocks used to be wrapped at a guessed width, painted, then
    # rewrapped on resize: the first frame showed the text wrapped wrong.
    app = WorkbenchApp(
        store,
        codebook,
        coder="amina",
        display=display,
        open_article=article_id(store, "hasakah-03"),
    )
    frames = []
    paint = app._display

    def display_and_keep(screen, update):
        paint(screen, update)
        if isinstance(screen, LabelingScreen):
            frames.append(screen_text(screen))

    app._display = display_and_keep

    async def main():
        async with app.run_test(size=TUI_SIZE) as pilot:
            await pilot.pause()
            assert frames and frames[0] == screen_text(app.screen)

    asyncio.run(main())
