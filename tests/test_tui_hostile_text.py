"""Article text is data: markup, escapes and bidi controls show harmlessly."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import TUI_SIZE as SIZE
from workbench.corpus import import_paths
from workbench.tui.app import WorkbenchApp

HOSTILE = (
    "[bold red]قسد[/bold red] تعلن [link=http://evil]النصر[/link].\n"
    "بيان \x1b[31mأحمر\x1b[0m و\x1b]0;pwned\x07عنوان.\n"
    "نص \u202eمقلوب\u202c و\u2066معزول\u2069 هنا.\n"
)


@pytest.fixture
def hostile_app(store, codebook, tmp_path):
    path = tmp_path / "hostile.txt"
    path.write_text(HOSTILE, encoding="utf-8")
    import_paths(store, [path])
    aid = next(a.id for a in store.articles() if a.ext_id == "hostile")

    def make(display):
        return WorkbenchApp(store, codebook, coder="amina", display=display, open_article=aid)

    return make


@pytest.mark.parametrize("display", ["terminal", "app"])
def test_hostile_text_is_shown_as_text(hostile_app, store, display):
    async def main():
        app = hostile_app(display)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            # Markup interpreted would make these words vanish (and colour the text).
            context = str(app.screen.query_one("#context").render())
            assert "bold red" in context and "link=http://evil" in context
            if display == "terminal":
                assert "[bold red]قسد[/bold red]" in context
            for _ in range(3):
                shown = app.export_screenshot()
                assert "\x1b" not in shown and "\u202e" not in shown and "\u2066" not in shown
                assert "pwned" not in shown  # the OSC title sequence is dropped whole
                await pilot.press("down")
                await pilot.pause()

    asyncio.run(main())


def test_stored_text_is_untouched(hostile_app, store):
    aid = next(a.id for a in store.articles() if a.ext_id == "hostile")
    assert store.article_text(aid) == HOSTILE
