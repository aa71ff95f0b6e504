"""What `workbench label` does to start fast, and that none of it changes behaviour."""

from __future__ import annotations

import asyncio
import gc

import pytest

from tests.conftest import TUI_SIZE, article_id
from workbench import cli
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
