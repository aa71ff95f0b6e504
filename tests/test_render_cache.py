"""The caches on the labeling screen's hot path give what drawing afresh gives.

`LineStrips` (widgets) draws a text line by line and keeps each line's
strip; the layout of blocks (`render.blocks_lines`) and of one block's
lines are cached. Each is compared with the uncached way: Textual's own
rendering of the whole text, the layout made with the caches cleared.
"""

from __future__ import annotations

import asyncio

import pytest
from rich.text import Text
from textual.app import App
from textual.content import Content
from textual.geometry import Offset
from textual.selection import Selection
from textual.visual import RenderOptions
from textual.widgets import Static

from tests.conftest import article_id
from workbench.display import DISPLAY_MODES
from workbench.session import LabelingSession
from workbench.tui import render
from workbench.tui.app import WorkbenchApp
from workbench.tui.render import Block, blocks_lines, blocks_text, context_of
from workbench.tui.widgets import Lines, LineStrips, show_line

SENTENCES = [
    "قال المرصد السوري لحقوق الإنسان إن عدد القتلى بلغ 374 عنصرا.",
    "وأضاف «المرصد» أن الاشتباكات (في محيط السجن) استمرت حتى الصباح.",
    "وَقَالَ مُتَحَدِّثٌ بِاسْمِ قُوَّاتِ سُورِيَا الدِّيمُقْرَاطِيَّةِ إِنَّ الوَضْعَ تَحْتَ السَّيْطَرَةِ.",
    "The Syrian Observatory for Human Rights said 374 were killed.",
]


def blocks(current: int, paragraphs: tuple[int, ...] = (0, 0, 1, 2)) -> tuple[Block, ...]:
    return tuple(
        Block(text, "reverse" if i == current else "dim", current=i == current, paragraph=p)
        for i, (text, p) in enumerate(zip(SENTENCES, paragraphs, strict=True))
    )


def texts() -> list[Text]:
    """Texts of the kinds the screens draw, and the edges of splitting."""
    panel = Text()
    panel.append(f"{'Claim type':<11}", style="bold")
    for key, label in (("1", "Factual"), ("2", "Opinion"), ("3", "Quote")):
        panel.append(key, style="dim").append(f" {label}  ", style="bold reverse")
    panel.append("\n")
    panel.append(f"{'Speaker':<11}", style="bold").append("—", style="dim")
    crossing = Text("first line\nsecond line\n\nfourth")
    crossing.stylize("yellow", 6, 18)  # a span across a line break
    styled = Text("whole text styled\nover two lines", style="italic")
    return [
        blocks_text(blocks(1), 60, "app", 20),
        blocks_text(blocks(2), 44, "terminal"),
        panel,
        crossing,
        styled,
        Text("ends with a break\n"),
        Text("\n\n"),
        Text(""),
        Text("a line far wider than the box it is drawn in, so Textual wraps it"),
        Text("a\ttab"),
        Text("trailing spaces past the edge" + " " * 40),
    ]


class Box(App[None]):
    def compose(self):
        yield Static(id="plain", markup=False)
        yield Lines(id="lines")


def run(scenario, size=(60, 20)):
    async def main():
        app = Box()
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await scenario(app, pilot)

    asyncio.run(main())


@pytest.mark.parametrize("height", [None, 3])
def test_line_strips_draw_what_textual_draws_meta_included(height):
    async def scenario(app, pilot):
        widget = app.query_one("#plain", Static)
        options = RenderOptions(widget._get_style, widget.styles)
        style = widget.visual_style
        for width in (60, 30):
            for text in texts():
                want = Content.from_rich_text(text, console=app.console).render_strips(
                    width, height, style, options
                )
                for visual in (
                    LineStrips(widget, text),
                    LineStrips(widget, text.split("\n", allow_blank=True)),
                ):
                    got = visual.render_strips(width, height, style, options)
                    # Strips compare segment by segment: text, style and meta (the
                    # selection offsets) alike.
                    assert got == want, (text.plain, width)
                    # Again, now from the caches.
                    assert visual.render_strips(width, height, style, options) == want

    run(scenario)


def test_line_strips_measure_what_textual_measures():
    async def scenario(app, pilot):
        widget = app.query_one("#plain", Static)
        for width in (60, 30, 12):
            for text in texts():
                content = Content.from_rich_text(text, console=app.console)
                visual = LineStrips(widget, text)
                assert visual.get_height(widget.styles, width) == content.get_height(
                    widget.styles, width
                )
                assert visual.get_optimal_width(widget.styles, 80) == content.get_optimal_width(
                    widget.styles, 80
                )
                assert visual.plain == text.plain == str(visual)

    run(scenario)


def test_a_line_in_another_place_keeps_its_own_offsets():
    """The same line drawn at another row (the context scrolled by one
    sentence) is not the strip cached for the first row."""

    async def scenario(app, pilot):
        widget = app.query_one("#plain", Static)
        options = RenderOptions(widget._get_style, widget.styles)
        style = widget.visual_style
        line = Text("the same line", style="dim")
        first = LineStrips(widget, [line, Text("x")]).render_strips(40, None, style, options)
        moved = LineStrips(widget, [Text("x"), line]).render_strips(40, None, style, options)
        want = Content.from_rich_text(Text("x\n").append_text(line), console=app.console)
        assert moved == want.render_strips(40, None, style, options)
        assert first[0].text == moved[1].text and first[0] != moved[1]

    run(scenario)


def test_lines_widget_repaints_only_a_change_and_lays_out_only_a_new_height():
    async def scenario(app, pilot):
        lines = app.query_one("#lines", Lines)
        lines.show(Text("one\ntwo"))
        await pilot.pause()
        assert lines.size.height == 2
        assert str(lines.render()) == "one\ntwo"

        lines.show(Text("one\ntwo"))  # equal text: nothing to do
        assert not lines._repaint_required and not lines._layout_required

        lines.show(Text("uno\ndos"))  # same height: a repaint, no layout
        assert lines._repaint_required and not lines._layout_required
        await pilot.pause()
        assert str(lines.render()) == "uno\ndos"

        lines.show(Text("1\n2\n3"))  # a line more: layout
        assert lines._layout_required
        await pilot.pause()
        assert lines.size.height == 3

        # A mouse selection copies the text, as from a Static showing a Text.
        everything = Selection(None, None)
        assert lines.get_selection(everything) == ("1\n2\n3", "\n")
        first_two = Selection.from_offsets(Offset(0, 0), Offset(1, 1))
        assert lines.get_selection(first_two) == ("1\n2", "\n")

        plain = app.query_one("#plain", Static)
        show_line(plain, Text("status"))
        await pilot.pause()
        assert str(plain.render()) == "status"
        show_line(plain, Text("status"))
        assert not plain._repaint_required

    run(scenario)


# -- the layout of blocks ------------------------------------------------------


def fresh(*args) -> tuple[Text, ...]:
    """blocks_lines with every cache on the way cleared first."""
    render._blocks_lines.cache_clear()
    render._block_lines.cache_clear()
    return blocks_lines(*args)


@pytest.mark.parametrize("mode", DISPLAY_MODES)
def test_cached_block_layout_follows_width_mode_height_and_current(mode):
    cases = [
        (blocks(1), 60, mode, None),
        (blocks(1), 40, mode, None),  # another width
        (blocks(1), 40, "app" if mode == "terminal" else "terminal", None),  # another mode
        (blocks(1), 40, mode, 6),  # a height
        (blocks(1), 40, mode, 2),  # too low for the whole sentence
        (blocks(2), 40, mode, 6),  # another current sentence
        (blocks(2, (0, 1, 1, 1)), 40, mode, 6),  # other paragraphs
    ]
    want = [[(line.plain, line.spans) for line in fresh(*case)] for case in cases]
    for _ in range(2):  # the caches filled in turn, then all warm
        for case, expected in zip(cases, want, strict=True):
            assert [(line.plain, line.spans) for line in blocks_lines(*case)] == expected
    assert len({tuple(map(str, w)) for w in want}) == len(want)  # every case differs
    assert blocks_text(*cases[3]).plain == "\n".join(line.plain for line in fresh(*cases[3]))


def test_cached_layouts_are_not_changed_by_what_callers_do_with_them():
    first = blocks_text(blocks(1), 50, "app", 10)
    first.stylize("bold")
    first.append("extra")
    assert blocks_text(blocks(1), 50, "app", 10).plain == "\n".join(
        line.plain for line in fresh(blocks(1), 50, "app", 10)
    )
    lines = render.block_lines(blocks(1)[0], 50, "app")
    lines[0].stylize("bold")
    assert render.block_lines(blocks(1)[0], 50, "app")[0].spans == [
        render._block_lines(SENTENCES[0], "dim", 50, "app")[0].spans[0]
    ]


def test_context_box_draws_the_layout_of_its_size_after_a_resize(store, codebook):
    app = WorkbenchApp(
        store,
        codebook,
        coder="amina",
        display="app",
        open_article=article_id(store, "hasakah-03"),
        blink=False,
    )

    async def main():
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            session = app.screen.session
            for size in ((80, 24), (120, 40), (100, 30)):
                await pilot.resize_terminal(*size)
                await pilot.pause()
                await pilot.press("down")
                await pilot.pause()
                context = app.screen.query_one("#context")
                width, height = context.content_region.size
                want = fresh(context_of(session.sentences, session.index), width, "app", height)
                assert str(context.render()) == "\n".join(line.plain for line in want)

    asyncio.run(main())


# -- the field panel -------------------------------------------------------------


def test_cached_field_panel_follows_the_draft_names_width_and_mode(store, codebook):
    session = LabelingSession(store, "amina", codebook)
    session.open_article(article_id(store, "hasakah-03"))
    claim = codebook.field("claim_type")
    speaker = next(f for f in codebook.fields if f.kind == "entity")
    names = {"uk_fcdo": ("UK Foreign Office", "الخارجية البريطانية")}
    render._PANELS.clear()

    def drawn(panel: Text) -> tuple[str, tuple[object, ...]]:
        return panel.plain, tuple(panel.spans)  # a choice shows by its style

    def check(*args) -> tuple[str, tuple[object, ...]]:
        """The cached panel is the one built afresh (`_field_panel`)."""
        want = drawn(render._field_panel(session, *args))
        assert drawn(render.field_panel(session, *args)) == want, args
        return want

    plain = ("app", names, None, 100, 2)
    shown = []
    for change in (
        lambda: None,
        lambda: session.toggle_choice(claim.id, claim.value_ids[0]),
        lambda: session.toggle_choice(claim.id, claim.value_ids[1]),
        lambda: session.set_value(speaker.id, "uk_fcdo"),
        lambda: session.set_new_entity(speaker.id, "Someone New"),
        lambda: session.go(session.index + 1),
    ):
        change()
        shown.append(check(*plain))
    assert shown[0] == shown[-1]  # the next sentence's empty draft, from the cache
    assert len(set(shown)) == len(shown) - 1  # every other change showed

    session.set_value(speaker.id, "uk_fcdo")
    cases = [
        plain,
        ("terminal", names, None, 100, 2),
        ("app", {"uk_fcdo": ("Foreign Office", "")}, None, 100, 2),  # a renamed speaker
        ("app", names, "isis", 100, 2),  # a stance target pending
        ("app", names, None, 70, 2),
        ("app", names, None, 100, 3),
    ]
    for _ in range(2):  # filled in turn, then warm
        shown = [check(*args) for args in cases]
        assert len(set(shown)) == len(cases)

    # What a caller does with the panel stays with that caller.
    mine = render.field_panel(session, *plain)
    mine.stylize("bold")
    mine.append("extra")
    check(*plain)
